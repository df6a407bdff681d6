#pragma once
// The fault-injecting proxy (design §5): a loopback TCP relay between the harness
// and the target that understands just enough HTTP to do what real networks and
// middleboxes do to SignalR: refuse or strip WebSocket upgrades, cut every
// connection (with or without a WebSocket Close frame), black-hole traffic for a
// while, drop what clients send (a one-way partition), buffer Server-Sent Events, add latency. It is what makes
// fallback and reconnection testable against any endpoint without its cooperation. Toward an
// https:// target it speaks TLS (checked as the run says), while the harness's side stays plain
// loopback HTTP, so that every fault works the same on both. Asio stays in the .cpp.

#include <hubspec/client/tls_options.hpp>

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>

namespace hubspec::harness::detail {

class fault_proxy {
public:
    /// Relays to `upstream_host:upstream_port`, over TLS when `upstream_tls` is given; listens on
    /// 127.0.0.1, ephemeral port. `note` (optional) hears one line per fault applied, for the transcript.
    fault_proxy(std::string upstream_host, std::string upstream_port, std::optional<client::tls_options> upstream_tls,
                std::function<void(std::string)> note = {});
    ~fault_proxy();
    fault_proxy(const fault_proxy&) = delete;
    fault_proxy& operator=(const fault_proxy&) = delete;

    /// http://127.0.0.1:PORT
    std::string origin() const;

    /// WebSocket upgrade requests get `503` and are not forwarded (the upgrade "fails").
    void refuse_websockets(bool on);
    /// The Upgrade and Connection headers are removed: the target sees a plain GET.
    void strip_upgrade(bool on);
    /// Server-Sent Events responses are held back until 64 KiB or the end, as buffering proxies do.
    void buffer_server_sent_events(bool on);
    /// Every chunk waits this long before it is relayed, both ways.
    void latency(std::chrono::milliseconds delay);
    /// Nothing is relayed, and no new connection reaches the target, for `duration`;
    /// what was sent meanwhile arrives afterwards, as after a network partition heals.
    void black_hole(std::chrono::milliseconds duration);
    /// What clients send is dropped while the connections stay open; the target's
    /// traffic still flows to them (a one-way partition: the target hears nothing more).
    void mute_clients(bool on);
    /// Ends every relayed connection now. With `close_frame`, WebSocket connections
    /// first get a Close frame (1001) each way; without, the TCP connections just end.
    /// Returns how many connections were cut.
    std::size_t cut_all(bool close_frame);

    /// Connections relayed so far (for checks that a client did or did not reconnect).
    std::size_t connections_accepted() const;

private:
    struct impl;
    std::shared_ptr<impl> impl_;
};

} // namespace hubspec::harness::detail
