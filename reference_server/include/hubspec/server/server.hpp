#pragma once
// The reference server: hubs at paths, over HTTP and WebSockets on Boost.Beast.
// Beast and Asio stay behind the pimpl.

#include "hubspec/server/control.hpp"
#include "hubspec/server/hub.hpp"
#include "hubspec/server/options.hpp"

#include <cstdint>
#include <memory>
#include <string>

namespace hubspec::server {

class server {
public:
    explicit server(server_options options = {});
    ~server();
    server(const server&) = delete;
    server& operator=(const server&) = delete;

    /// Serves `h` at `path` ("/chat"). Call before listen().
    void add_hub(std::string path, hub h, endpoint_options options = {});

    /// Serves the hub already at `hub_path` also at `path`, with other options.
    /// Both share connections, groups and users, as endpoints of one hub type do
    /// in ASP.NET Core (one HubLifetimeManager per hub).
    void add_hub_alias(std::string path, const std::string& hub_path, endpoint_options options = {});

    /// Serves GET /token?user=NAME and accepts those tokens on endpoints that
    /// require authorization; `redirect_path` answers negotiate with a redirect to
    /// `redirect_target` carrying a token for user "redirected" (NEG-018).
    void enable_tokens(std::string redirect_path = {}, std::string redirect_target = {});

    /// Binds; port 0 picks a free one. Returns the bound port. Throws on failure.
    std::uint16_t listen(const std::string& host, std::uint16_t port);

    /// Runs the I/O loop on this thread until stop(), or SIGINT/SIGTERM when
    /// `stop_on_signals`.
    void run(bool stop_on_signals = false);

    /// Thread-safe; makes run() return.
    void stop();

    /// The control API (control.hpp), for tests of clients: drop or close connections,
    /// refuse WebSockets, stall Pings, delay sends. Thread-safe; lives as long as the server.
    server_control& control();

private:
    struct impl;
    std::unique_ptr<impl> impl_;
};

} // namespace hubspec::server
