#pragma once
// Starts a server, the ASP.NET Core peer (interop/aspnetcore/run) or hubspec-server,
// and waits for its first stdout line, `listening on http://127.0.0.1:PORT`; stops it by its pid.

#include <cstdint>
#include <string>
#include <sys/types.h>
#include <vector>

namespace hubspec::client::test {

enum class server_kind { aspnetcore, hubspec };

/// "aspnetcore" or "hubspec", for test output.
const char* name_of(server_kind kind) noexcept;

class peer_process {
public:
    explicit peer_process(std::vector<std::string> extra_args = {})
        : peer_process(server_kind::aspnetcore, std::move(extra_args)) {}
    explicit peer_process(server_kind kind, std::vector<std::string> extra_args = {});
    ~peer_process();
    peer_process(const peer_process&) = delete;
    peer_process& operator=(const peer_process&) = delete;

    std::uint16_t port() const noexcept { return port_; }
    std::string url(const std::string& path) const { return "http://127.0.0.1:" + std::to_string(port_) + path; }
    void stop();

private:
    pid_t pid_ = -1;
    std::uint16_t port_ = 0;
};

} // namespace hubspec::client::test
