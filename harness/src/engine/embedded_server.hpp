#pragma once
// The default target (design §5): the reference server in this process, on an
// ephemeral loopback port, with the run's (shortened) timings.

#include <hubspec/protocol/target_settings.hpp>

#include <memory>
#include <string>
#include <thread>

namespace hubspec::server {
class server;
}

namespace hubspec::harness::detail {

class embedded_server {
public:
    explicit embedded_server(const protocol::target_settings& timings);
    ~embedded_server();
    embedded_server(const embedded_server&) = delete;
    embedded_server& operator=(const embedded_server&) = delete;

    /// http://127.0.0.1:PORT/conformance
    const std::string& hub_url() const { return hub_url_; }

private:
    std::unique_ptr<server::server> server_;
    std::thread thread_;
    std::string hub_url_;
};

} // namespace hubspec::harness::detail
