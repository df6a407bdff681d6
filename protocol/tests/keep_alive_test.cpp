// KA-*, HS-009, HS-017, LP-019: keep-alive and timeout deadlines for both roles,
// driven by synthetic time points only (nothing sleeps, nothing reads a clock).

#include "hubspec/protocol/keep_alive.hpp"

#include "hubspec/protocol/texts.hpp"

#include "test_support.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <chrono>
#include <optional>

using namespace hubspec::protocol;
using namespace std::chrono_literals;

namespace {

using time_point = std::chrono::steady_clock::time_point;

const time_point t0{}; // synthetic: only differences matter
constexpr std::chrono::steady_clock::duration tick{1};

/// A server whose handshake completed at `t0 + 1s`.
server_keep_alive connected_server(server_keep_alive_options options = {}) {
    server_keep_alive server(t0, options);
    server.on_received(t0 + 1s, received_kind::handshake);
    return server;
}

/// A client that sent its handshake at t0 and got the response at `t0 + 1s`.
client_keep_alive connected_client(client_keep_alive_options options = {}) {
    client_keep_alive client(options);
    client.on_handshake_sent(t0);
    client.on_received(t0 + 1s, received_kind::handshake);
    return client;
}

} // namespace

// ---- defaults ---------------------------------------------------------------

TEST_CASE("KA-001 KA-003 KA-009 server options carry ASP.NET Core's names and defaults",
          "[keep_alive][KA-001][KA-003][KA-009]") {
    const server_keep_alive_options o;
    CHECK(o.keep_alive_interval == 15s);
    CHECK(o.client_timeout_interval == 30s);
    CHECK(o.handshake_timeout == 15s);
    CHECK(o.ping_schedule == server_ping_schedule::every_interval);
    CHECK(o.transport == transport_keep_alive::needs_pings);
}

TEST_CASE("KA-005 KA-006 HS-017 client options carry the clients' names and defaults",
          "[keep_alive][KA-005][KA-006][HS-017]") {
    const client_keep_alive_options o;
    CHECK(o.server_timeout == 30s);
    CHECK(o.keep_alive_interval == 15s);
    CHECK(o.handshake_timeout == std::optional<std::chrono::milliseconds>(15s));
    CHECK(o.transport == transport_keep_alive::needs_pings);
}

TEST_CASE("KA-007 the defaults keep each timeout at least twice the peer's ping interval", "[keep_alive][KA-007]") {
    CHECK(client_keep_alive_options{}.server_timeout >= 2 * server_keep_alive_options{}.keep_alive_interval);
    CHECK(server_keep_alive_options{}.client_timeout_interval >= 2 * client_keep_alive_options{}.keep_alive_interval);
}

// ---- server -----------------------------------------------------------------

TEST_CASE("KA-001 the server pings when more than KeepAliveInterval passed since the previous tick",
          "[keep_alive][KA-001]") {
    auto server = connected_server();
    // The Ping clock starts with the connection, as on .NET.
    REQUIRE(server.next_deadline() == t0 + 15s + tick);
    CHECK(server.poll(t0 + 15s).action == keep_alive_action::none); // exactly the interval is not more
    auto due = server.poll(t0 + 15s + tick);
    CHECK(due.action == keep_alive_action::send_ping);
    CHECK(due.requirement == "KA-001");
    CHECK(due.text.empty());
    CHECK(server.poll(t0 + 15s + tick).action == keep_alive_action::none); // once per tick

    // The next tick counts from when this one fired, even if polled late.
    CHECK(server.poll(t0 + 30s).action == keep_alive_action::none);
    CHECK(server.next_deadline() == t0 + 30s + 2 * tick);
    CHECK(server.poll(t0 + 40s).action == keep_alive_action::send_ping);
    CHECK(server.next_deadline() == t0 + 55s + tick);
}

TEST_CASE("KA-001 KA-002 by default other traffic does not delay the server's Pings", "[keep_alive][KA-001][KA-002]") {
    auto server = connected_server();
    for (auto t = t0 + 1s; t < t0 + 15s; t += 500ms)
        server.on_sent(t);
    CHECK(server.next_deadline() == t0 + 15s + tick);
    CHECK(server.poll(t0 + 16s).action == keep_alive_action::send_ping);
}

TEST_CASE("KA-002 a server may skip Pings after recent traffic with the when_idle schedule", "[keep_alive][KA-002]") {
    server_keep_alive_options options;
    options.ping_schedule = server_ping_schedule::when_idle;
    auto server = connected_server(options);
    server.on_sent(t0 + 10s);
    CHECK(server.next_deadline() == t0 + 25s + tick);
    CHECK(server.poll(t0 + 16s).action == keep_alive_action::none);
    server.on_sent(t0 + 20s);
    CHECK(server.poll(t0 + 26s).action == keep_alive_action::none);
    CHECK(server.poll(t0 + 35s + tick).action == keep_alive_action::send_ping);
    // The Ping itself counts as traffic.
    CHECK(server.next_deadline() == t0 + 50s + 2 * tick);
}

TEST_CASE("KA-002 a Ping the caller could not write still advances the tick", "[keep_alive][KA-002]") {
    auto server = connected_server();
    CHECK(server.poll(t0 + 16s).action == keep_alive_action::send_ping);
    // The caller skipped the write (transport busy): no retry before the next interval.
    CHECK(server.poll(t0 + 17s).action == keep_alive_action::none);
    CHECK(server.next_deadline() == t0 + 31s + tick);
}

TEST_CASE("KA-003 the client timeout is armed only by the first Ping from the client", "[keep_alive][KA-003]") {
    server_keep_alive_options options;
    options.keep_alive_interval = 1h; // keep Pings out of the way
    auto server = connected_server(options);
    server.on_received(t0 + 2s, received_kind::message);
    CHECK_FALSE(server.client_timeout_armed());
    // An old client that never pings is never timed out.
    CHECK(server.poll(t0 + 10min).action == keep_alive_action::none);

    server.on_received(t0 + 10min, received_kind::ping);
    CHECK(server.client_timeout_armed());
    CHECK(server.next_deadline() == t0 + 10min + 30s);
}

TEST_CASE("KA-003 KA-004 the client timeout counts from the last whole message received",
          "[keep_alive][KA-003][KA-004]") {
    server_keep_alive_options options;
    options.keep_alive_interval = 1h;
    auto server = connected_server(options);
    server.on_received(t0 + 2s, received_kind::ping);
    server.on_received(t0 + 20s, received_kind::message);
    server.on_received(t0 + 45s, received_kind::partial_data); // half a record is not a message
    REQUIRE(server.next_deadline() == t0 + 50s);
    CHECK(server.poll(t0 + 50s - tick).action == keep_alive_action::none);
    auto due = server.poll(t0 + 50s);
    CHECK(due.action == keep_alive_action::peer_timeout);
    CHECK(due.requirement == "KA-003");
    CHECK(due.text == texts::connection_closed_with_error);
    CHECK(due.text == "Connection closed with an error.");
    CHECK(server.timed_out());
    CHECK_FALSE(server.next_deadline().has_value());
    CHECK(server.poll(t0 + 1h).action == keep_alive_action::none);
}

TEST_CASE("KA-003 Pings and Acks from the client keep the connection alive", "[keep_alive][KA-003]") {
    auto server = connected_server();
    server.on_received(t0 + 2s, received_kind::ping);
    for (auto t = t0 + 17s; t < t0 + 10min; t += 15s) {
        CHECK(server.poll(t).action != keep_alive_action::peer_timeout);
        server.on_received(t, received_kind::ping);
    }
    CHECK_FALSE(server.timed_out());
}

TEST_CASE("HS-009 KA-009 no handshake within HandshakeTimeout cancels it with Microsoft's text",
          "[keep_alive][HS-009][KA-009]") {
    server_keep_alive server(t0);
    REQUIRE(server.next_deadline() == t0 + 15s);
    CHECK(server.poll(t0 + 14s).action == keep_alive_action::none);
    server.on_received(t0 + 14s, received_kind::partial_data); // half a request does not count
    auto due = server.poll(t0 + 15s);
    CHECK(due.action == keep_alive_action::handshake_timeout);
    CHECK(due.requirement == "HS-009");
    CHECK(due.text == texts::handshake_canceled);
    CHECK(due.text == "Handshake was canceled.");
    CHECK(server.poll(t0 + 20s).action == keep_alive_action::none);
}

TEST_CASE("HS-009 a handshake in time disarms the handshake timeout and no Ping precedes it", "[keep_alive][HS-009]") {
    server_keep_alive_options options;
    options.handshake_timeout = 1min;
    options.keep_alive_interval = 5s;
    server_keep_alive server(t0, options);
    CHECK(server.next_deadline() == t0 + 1min); // no Ping deadline before the handshake
    CHECK(server.poll(t0 + 30s).action == keep_alive_action::none);
    server.on_received(t0 + 30s, received_kind::handshake);
    CHECK(server.handshake_received());
    CHECK(server.poll(t0 + 30s).action == keep_alive_action::send_ping); // overdue since t0 + 5s
    CHECK(server.poll(t0 + 2min).action == keep_alive_action::send_ping);
}

TEST_CASE("KA-008 LP-019 a long-polling server sends no Pings and never times the client out",
          "[keep_alive][KA-008][LP-019]") {
    server_keep_alive_options options;
    options.transport = transport_keep_alive::inherent;
    server_keep_alive server(t0, options);
    CHECK(server.next_deadline() == t0 + 15s); // the handshake timeout still applies
    server.on_received(t0 + 1s, received_kind::handshake);
    server.on_received(t0 + 2s, received_kind::ping);
    CHECK_FALSE(server.next_deadline().has_value());
    for (auto t = t0; t < t0 + 1h; t += 7s)
        CHECK(server.poll(t).action == keep_alive_action::none);
}

TEST_CASE("SR-011 server timers stop while the transport is gone and resume without a handshake",
          "[keep_alive][SR-011]") {
    auto server = connected_server();
    server.on_received(t0 + 2s, received_kind::ping);
    server.on_transport_lost();
    CHECK_FALSE(server.next_deadline().has_value());
    CHECK(server.poll(t0 + 40s).action == keep_alive_action::none);
    server.on_transport_resumed(t0 + 40s);
    CHECK(server.poll(t0 + 40s).action == keep_alive_action::send_ping); // the tick kept its phase
    CHECK(server.next_deadline() == t0 + 55s + tick);
    server.on_received(t0 + 50s, received_kind::ping);
    CHECK(server.poll(t0 + 79s).action == keep_alive_action::send_ping);
    CHECK(server.poll(t0 + 80s).action == keep_alive_action::peer_timeout); // timeouts win over Pings
}

// ---- client -----------------------------------------------------------------

TEST_CASE("HS-017 the client's timers start when the handshake request is sent", "[keep_alive][HS-017]") {
    client_keep_alive client;
    CHECK_FALSE(client.started());
    CHECK_FALSE(client.next_deadline().has_value());
    CHECK(client.poll(t0 + 1h).action == keep_alive_action::none);
    client.on_sent(t0 + 1h); // nothing counts before the handshake
    client.on_received(t0 + 1h, received_kind::message);

    client.on_handshake_sent(t0 + 2h);
    CHECK(client.started());
    CHECK(client.next_deadline() == t0 + 2h + 15s); // the .NET client's own HandshakeTimeout
}

TEST_CASE("HS-017 the .NET client fails a start whose handshake response does not come in time",
          "[keep_alive][HS-017]") {
    client_keep_alive client;
    client.on_handshake_sent(t0);
    CHECK(client.poll(t0 + 15s - tick).action == keep_alive_action::none);
    auto due = client.poll(t0 + 15s);
    CHECK(due.action == keep_alive_action::handshake_timeout);
    CHECK(due.requirement == "HS-017");
    CHECK(client.timed_out());
}

TEST_CASE("HS-017 KA-005 without a handshake timeout the TS client's serverTimeout covers the handshake",
          "[keep_alive][HS-017][KA-005]") {
    client_keep_alive_options options;
    options.handshake_timeout = std::nullopt;
    client_keep_alive client(options);
    client.on_handshake_sent(t0);
    CHECK(client.next_deadline() == t0 + 30s);
    CHECK(client.poll(t0 + 20s).action == keep_alive_action::none); // no Ping before the response
    CHECK(client.poll(t0 + 30s).action == keep_alive_action::peer_timeout);
}

TEST_CASE("KA-005 the client times out when nothing at all arrived for serverTimeout", "[keep_alive][KA-005]") {
    client_keep_alive_options options;
    options.keep_alive_interval = 1h;
    auto client = connected_client(options);
    client.on_received(t0 + 10s, received_kind::ping);
    client.on_received(t0 + 25s, received_kind::partial_data); // any bytes count here
    REQUIRE(client.next_deadline() == t0 + 55s);
    CHECK(client.poll(t0 + 55s - tick).action == keep_alive_action::none);
    auto due = client.poll(t0 + 55s);
    CHECK(due.action == keep_alive_action::peer_timeout);
    CHECK(due.requirement == "KA-005");
    CHECK(due.text == texts::server_timeout_elapsed);
    CHECK(due.text == "Server timeout elapsed without receiving a message from the server.");
    CHECK_FALSE(client.next_deadline().has_value());
    CHECK(client.poll(t0 + 2h).action == keep_alive_action::none);
}

TEST_CASE("KA-006 the client pings when it has sent nothing for keepAliveInterval", "[keep_alive][KA-006]") {
    client_keep_alive_options options;
    options.server_timeout = 1h;
    auto client = connected_client(options);
    // The handshake request at t0 was the last thing sent.
    REQUIRE(client.next_deadline() == t0 + 15s);
    client.on_sent(t0 + 10s);
    CHECK(client.next_deadline() == t0 + 25s);
    CHECK(client.poll(t0 + 25s - tick).action == keep_alive_action::none);
    auto due = client.poll(t0 + 25s);
    CHECK(due.action == keep_alive_action::send_ping);
    CHECK(due.requirement == "KA-006");
    // poll() counted the Ping as sent.
    CHECK(client.next_deadline() == t0 + 40s);
    CHECK(client.poll(t0 + 39s).action == keep_alive_action::none);
}

TEST_CASE("KA-006 receiving does not postpone the client's Ping", "[keep_alive][KA-006]") {
    auto client = connected_client();
    for (auto t = t0 + 2s; t < t0 + 15s; t += 1s)
        client.on_received(t, received_kind::message);
    CHECK(client.poll(t0 + 15s).action == keep_alive_action::send_ping);
}

TEST_CASE("KA-008 LP-019 a long-polling client neither pings nor runs its server timeout",
          "[keep_alive][KA-008][LP-019]") {
    client_keep_alive_options options;
    options.transport = transport_keep_alive::inherent;
    options.handshake_timeout = std::nullopt;
    auto client = connected_client(options);
    CHECK_FALSE(client.next_deadline().has_value());
    for (auto t = t0; t < t0 + 1h; t += 7s)
        CHECK(client.poll(t).action == keep_alive_action::none);
}

TEST_CASE("SR-011 client timers pause during a transport reconnect and restart after it", "[keep_alive][SR-011]") {
    auto client = connected_client();
    client.on_transport_lost();
    CHECK_FALSE(client.next_deadline().has_value());
    CHECK(client.poll(t0 + 5min).action == keep_alive_action::none);
    client.on_transport_resumed(t0 + 5min);
    CHECK(client.next_deadline() == t0 + 5min + 15s);
    CHECK(client.poll(t0 + 5min + 15s).action == keep_alive_action::send_ping);
    CHECK(client.poll(t0 + 5min + 30s).action == keep_alive_action::peer_timeout);
}

// ---- both together ----------------------------------------------------------

TEST_CASE("KA-001 KA-003 KA-005 KA-006 an idle connection driven by its deadlines stays up for an hour",
          "[keep_alive][KA-001][KA-003][KA-005][KA-006]") {
    // Pings cross instantly; each side wakes only at its own next_deadline().
    server_keep_alive server(t0);
    client_keep_alive client;
    client.on_handshake_sent(t0);
    server.on_received(t0, received_kind::handshake);
    client.on_received(t0, received_kind::handshake);
    int server_pings = 0;
    int client_pings = 0;
    time_point now = t0;
    while (now < t0 + 1h) {
        const auto s = server.next_deadline();
        const auto c = client.next_deadline();
        REQUIRE(s.has_value());
        REQUIRE(c.has_value());
        now = std::min(*s, *c);
        if (server.poll(now).action == keep_alive_action::send_ping) {
            ++server_pings;
            server.on_sent(now);
            client.on_received(now, received_kind::ping);
        }
        const auto due = client.poll(now);
        REQUIRE(due.action != keep_alive_action::peer_timeout);
        if (due.action == keep_alive_action::send_ping) {
            ++client_pings;
            client.on_sent(now);
            server.on_received(now, received_kind::ping);
        }
        REQUIRE_FALSE(server.timed_out());
        REQUIRE_FALSE(client.timed_out());
    }
    CHECK(server.client_timeout_armed());
    CHECK(client_pings == 240); // at 15 s, 30 s, … 3600 s
    CHECK(server_pings == 239); // one tick after each: the 240th falls just past the hour
}

TEST_CASE("KA-003 KA-005 when the client goes silent both sides time out on their own deadlines",
          "[keep_alive][KA-003][KA-005]") {
    server_keep_alive server(t0);
    client_keep_alive client;
    client.on_handshake_sent(t0);
    server.on_received(t0, received_kind::handshake);
    client.on_received(t0, received_kind::handshake);
    server.on_received(t0 + 1s, received_kind::ping); // the client's one Ping (HS-018)

    // The client's writes are lost from here on: the server hears nothing more.
    CHECK(server.next_deadline() == t0 + 15s + tick);
    CHECK(server.poll(t0 + 15s + tick).action == keep_alive_action::send_ping);
    CHECK(server.next_deadline() == t0 + 30s + 2 * tick);
    CHECK(server.poll(t0 + 30s + 2 * tick).action == keep_alive_action::send_ping);
    CHECK(server.next_deadline() == t0 + 31s);
    CHECK(server.poll(t0 + 31s).action == keep_alive_action::peer_timeout);

    // Separately, a client whose incoming side went silent gives up after serverTimeout.
    CHECK(client.poll(t0 + 15s).action == keep_alive_action::send_ping);
    CHECK(client.poll(t0 + 30s).action == keep_alive_action::peer_timeout);
}
