#pragma once
// The control API: lets tests of SignalR clients cause what a real network does
// (a dropped connection, a server Close, refused WebSockets, stalled Pings, slow
// sends). The same operations are served over HTTP under /control/ when
// server_options::control_endpoints is on (hubspec-server --control).
// Every member is thread-safe: work on connections runs on the server's I/O
// thread, and the call waits for it (inline when called on that thread).

#include "hubspec/server/hub_context.hpp"

#include <hubspec/protocol/value.hpp>
#include <hubspec/protocol/value_list.hpp>

#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace hubspec::server {

struct connection_info {
    std::string connection_id;
    std::string hub_path;            // the endpoint it connected through ("/conformance")
    std::string transport;           // "WebSockets", "ServerSentEvents" or "LongPolling"
    bool awaiting_reconnect = false; // a stateful connection whose WebSocket dropped (SR-012)
    bool poll_pending = false;       // long polling: a poll waits for data (a drop now cuts it)
};

class server_control {
public:
    ~server_control();
    server_control(const server_control&) = delete;
    server_control& operator=(const server_control&) = delete;

    /// Connections whose transport started and that have not ended, of one endpoint
    /// path or (empty) of all.
    std::vector<connection_info> connections(std::string_view hub_path = {}) const;

    /// Ends the connection's transport as a lost network would: WebSockets and event
    /// streams lose their TCP connection (no Close frame, no SignalR Close message, no
    /// last chunk); long polling loses its pending poll's TCP connection and the
    /// connection ends. A stateful WebSocket connection then waits for a reconnect
    /// (SR-011). False when no such connection exists.
    bool drop(const std::string& connection_id);
    /// drop() on every connection; returns how many.
    std::size_t drop_all();

    /// A SignalR Close message with `allow_reconnect` and `error`, then a graceful end
    /// of the transport. False when no such connection exists.
    bool close(const std::string& connection_id, bool allow_reconnect, std::optional<std::string> error = {});

    /// Sends the connection an Invocation of its handler `method` without an invocation id
    /// (MSG-010), as Clients.Client(id).SendAsync does. False when no such connection exists.
    bool send(const std::string& connection_id, const std::string& method, protocol::value_list arguments);
    /// A client result (CR-001): invokes `method` on the connection and calls `on_result` on the
    /// I/O thread with the client's answer, or CR-007's error when the connection ends first.
    /// False (and `on_result` never called) when no such connection exists.
    bool invoke(const std::string& connection_id, const std::string& method, protocol::value_list arguments,
                std::function<void(client_result)> on_result);

    /// Writes `bytes` to the connection as they are, as one transport message: input a client
    /// must reject (a malformed or oversized record). False when no such connection exists.
    bool send_raw(const std::string& connection_id, std::string bytes);

    /// The next negotiate request is answered with `status` and `body` (application/json) and
    /// makes no connection: an error, a redirect, a legacy server, for a client under test.
    void script_negotiate(unsigned status, std::string body);
    /// While on, every negotiate answers as version 0: no connectionToken, the connectionId is the id (NEG-020).
    void negotiate_version_zero(bool on);
    /// The next handshake request is answered with `bytes` (whole records) instead of the
    /// handshake response, and then the connection ends.
    void script_handshake_reply(std::string bytes);

    /// While on, WebSocket upgrade requests get 503 and negotiate still offers WebSockets.
    void refuse_websockets(bool on);
    /// Off: no keep-alive Pings are sent (the client's server timeout may then fire).
    void pings(bool on);
    /// Every outgoing transport message waits `delay` (0 = off); the order is kept.
    void delay_outgoing(std::chrono::milliseconds delay);

    bool websockets_refused() const noexcept;
    bool pings_on() const noexcept;
    std::chrono::milliseconds outgoing_delay() const noexcept;

private:
    friend class server;
    struct impl;
    explicit server_control(std::unique_ptr<impl> state);
    std::unique_ptr<impl> impl_;
};

} // namespace hubspec::server
