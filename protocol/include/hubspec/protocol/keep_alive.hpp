#pragma once
// Keep-alive and timeouts (KA-*, HS-009, HS-017, LP-019) for both roles, as
// deadlines. The caller reports what it sent and received, with `now`; it asks
// next_deadline() when to wake up and poll(now) what is due. No clock is read
// here, no timer runs: a Beast adapter arms one steady_timer from next_deadline(),
// a test passes made-up time points.
//
// Comparisons follow Microsoft: the server's Ping is due only when *more* than
// KeepAliveInterval has passed (KA-001, strict), every other timer fires when its
// interval has fully elapsed (>=). Microsoft checks on a 1 s heartbeat, so its
// events come up to 1 s later than these deadlines; a reference that wants the
// jitter polls on its own heartbeat instead of at next_deadline().

#include <chrono>
#include <optional>
#include <string_view>

namespace hubspec::protocol {

inline constexpr std::chrono::milliseconds default_keep_alive_interval{15'000};     // KA-001, KA-006
inline constexpr std::chrono::milliseconds default_client_timeout_interval{30'000}; // KA-003
inline constexpr std::chrono::milliseconds default_server_timeout{30'000};          // KA-005
inline constexpr std::chrono::milliseconds default_handshake_timeout{15'000};       // HS-009, KA-009, HS-017

/// Whether the transport keeps the connection alive by itself.
enum class transport_keep_alive {
    needs_pings, // WebSockets, Server-Sent Events
    inherent,    // long polling: no Pings and no Ping-based timeouts either way (KA-008, LP-019)
};

/// When the server sends Pings (KA-001, KA-002).
enum class server_ping_schedule {
    every_interval, // .NET: whenever more than the interval passed since the previous Ping tick, traffic or not
    when_idle,      // KA-002's MAY: only when nothing at all was sent for more than the interval
};

struct server_keep_alive_options {
    std::chrono::milliseconds keep_alive_interval = default_keep_alive_interval; // KeepAliveInterval (KA-001)
    std::chrono::milliseconds client_timeout_interval =
        default_client_timeout_interval;                                       // ClientTimeoutInterval (KA-003)
    std::chrono::milliseconds handshake_timeout = default_handshake_timeout;   // HandshakeTimeout (HS-009, KA-009)
    server_ping_schedule ping_schedule = server_ping_schedule::every_interval; // KA-002
    transport_keep_alive transport = transport_keep_alive::needs_pings;        // KA-008
};

struct client_keep_alive_options {
    std::chrono::milliseconds server_timeout = default_server_timeout;           // serverTimeout (KA-005)
    std::chrono::milliseconds keep_alive_interval = default_keep_alive_interval; // keepAliveInterval (KA-006)
    /// The .NET client's HandshakeTimeout (HS-017); nullopt for the TS client, which relies on serverTimeout.
    std::optional<std::chrono::milliseconds> handshake_timeout = default_handshake_timeout;
    transport_keep_alive transport = transport_keep_alive::needs_pings; // KA-008
};

/// What arrived, as far as the timers care.
enum class received_kind {
    handshake,    // the HandshakeRequest (server) or HandshakeResponse (client)
    ping,         // a Ping; on the server the first one arms the client timeout (KA-003)
    message,      // any other complete hub message
    partial_data, // transport bytes that completed no record: "anything at all" for KA-005 only
};

enum class keep_alive_action {
    none,
    send_ping,         // write a Ping now (KA-001, KA-006); poll() already counted it as sent
    handshake_timeout, // no handshake in time: the server answers `text` and closes (HS-009); the client fails its
                       // start
    peer_timeout,      // server: ClientTimeoutInterval elapsed (KA-003, KA-004); client: serverTimeout (KA-005)
};

/// What poll() found due. After a timeout nothing more is ever due.
struct keep_alive_due {
    keep_alive_action action = keep_alive_action::none;
    std::string_view requirement; // "KA-001", "HS-009", …; empty for none
    std::string_view text;        // Microsoft's text for the resulting close or error, where it has one
};

/// The server side of one connection.
class server_keep_alive {
public:
    using time_point = std::chrono::steady_clock::time_point;

    /// `connected`: when the transport connected; HandshakeTimeout counts from here (HS-009),
    /// and so does the first keep-alive interval (.NET starts its Ping clock with the connection).
    explicit server_keep_alive(time_point connected, server_keep_alive_options options = {});

    /// Any complete message or the handshake request. Partial data is ignored:
    /// ClientTimeoutInterval is measured between whole hub messages (KA-003).
    void on_received(time_point now, received_kind kind);
    /// Anything written; matters only to server_ping_schedule::when_idle.
    void on_sent(time_point now);
    /// The transport dropped and a stateful reconnect may follow (SR-011): every
    /// timer is suspended; DisconnectTimeout (KA-010, SR-012) is the caller's.
    void on_transport_lost() noexcept { suspended_ = true; }
    /// A new transport took the connection over: no handshake follows, the client
    /// timeout restarts from `now`, the Ping tick keeps its phase, as on .NET.
    void on_transport_resumed(time_point now);

    /// Earliest time poll() can report something; nullopt when nothing is armed.
    std::optional<time_point> next_deadline() const noexcept;
    /// What is due at `now`, most severe first: handshake_timeout, peer_timeout, send_ping.
    keep_alive_due poll(time_point now);

    bool handshake_received() const noexcept { return handshake_received_; }
    bool client_timeout_armed() const noexcept { return client_timeout_armed_; }
    bool timed_out() const noexcept { return timed_out_; }
    const server_keep_alive_options& options() const noexcept { return options_; }

private:
    std::optional<time_point> handshake_deadline() const noexcept;
    std::optional<time_point> client_timeout_deadline() const noexcept;
    std::optional<time_point> ping_deadline() const noexcept;

    server_keep_alive_options options_;
    time_point connected_;
    time_point last_ping_tick_; // every_interval: the previous Ping; when_idle: the last write of any kind
    time_point last_received_;
    bool handshake_received_ = false;
    bool client_timeout_armed_ = false;
    bool timed_out_ = false;
    bool suspended_ = false;
};

/// The client side of one connection.
class client_keep_alive {
public:
    using time_point = std::chrono::steady_clock::time_point;

    explicit client_keep_alive(client_keep_alive_options options = {});

    /// The HandshakeRequest was sent: serverTimeout and keepAliveInterval start now (HS-017).
    void on_handshake_sent(time_point now);
    /// Any hub message written; resets the keep-alive interval (KA-006).
    void on_sent(time_point now);
    /// Anything at all received resets serverTimeout (KA-005).
    void on_received(time_point now, received_kind kind);
    /// The transport dropped and a stateful reconnect follows (SR-011): timers are
    /// suspended until on_transport_resumed, so the gap is not a server timeout.
    void on_transport_lost() noexcept { suspended_ = true; }
    /// The transport is back without a new handshake; both timers restart from `now`.
    void on_transport_resumed(time_point now);

    /// Earliest time poll() can report something; nullopt before the handshake is sent.
    std::optional<time_point> next_deadline() const noexcept;
    /// What is due at `now`, most severe first: handshake_timeout, peer_timeout, send_ping.
    /// Pings wait for the handshake response, as Microsoft's clients only ping when connected.
    keep_alive_due poll(time_point now);

    bool started() const noexcept { return started_; }
    bool handshake_received() const noexcept { return handshake_received_; }
    bool timed_out() const noexcept { return timed_out_; }
    const client_keep_alive_options& options() const noexcept { return options_; }

private:
    std::optional<time_point> handshake_deadline() const noexcept;
    std::optional<time_point> server_timeout_deadline() const noexcept;
    std::optional<time_point> ping_deadline() const noexcept;

    client_keep_alive_options options_;
    time_point handshake_sent_{};
    time_point last_sent_{};
    time_point last_received_{};
    bool started_ = false;
    bool handshake_received_ = false;
    bool timed_out_ = false;
    bool suspended_ = false;
};

} // namespace hubspec::protocol
