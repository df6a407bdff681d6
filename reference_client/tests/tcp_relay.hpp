#pragma once
// A loopback TCP relay between the client and the peer that a test can cut
// (every connection dropped without a Close), refuse, or point at a new peer.

#include <cstdint>
#include <memory>
#include <string>

namespace hubspec::client::test {

class tcp_relay {
public:
    explicit tcp_relay(std::uint16_t upstream_port);
    ~tcp_relay();

    std::uint16_t port() const noexcept;
    std::string url(const std::string& path) const;
    void set_upstream(std::uint16_t port);
    /// Drops every relayed connection at once (an ungraceful loss, WS-018).
    void cut();
    /// While on, new connections are closed as soon as they are accepted.
    void refuse(bool on);
    /// While on, a WebSocket upgrade request is answered `400` and closed; other
    /// requests pass (the server offers WebSockets, the upgrade fails: NEG-031).
    void refuse_websocket_upgrades(bool on);

private:
    struct impl;
    std::unique_ptr<impl> impl_;
};

} // namespace hubspec::client::test
