// Automatic reconnect (RC-*) and Close handling (MSG-075/076) against the
// ASP.NET Core peer, with a loopback relay that a test can cut.
#include "control_api.hpp"
#include "interop_support.hpp"
#include "peer_process.hpp"
#include "tcp_relay.hpp"
#include "trace_recorder.hpp"

#include <hubspec/protocol/texts.hpp>

using namespace hubspec::client;
using namespace hubspec::client::test;
namespace texts = hubspec::protocol::texts;
using hubspec::protocol::value;

namespace {
// Many quick attempts, so a test never waits on the default 2/10/30 s.
retry_policy quick_retries(int attempts = 100) {
    return [attempts](const retry_context& c) -> std::optional<std::chrono::milliseconds> {
        if (c.previous_retry_count >= attempts) return std::nullopt;
        return 50ms;
    };
}

struct events {
    mailbox<std::optional<std::string>> reconnecting, reconnected, closed;
    void watch(hub_connection& c) {
        c.on_reconnecting([this](const std::optional<std::string>& e) { reconnecting.push(e); });
        c.on_reconnected([this](const std::optional<std::string>& id) { reconnected.push(id); });
        c.on_close([this](const std::optional<std::string>& e) { closed.push(e); });
    }
};
} // namespace

TEST_CASE("RC-009 ERR-009 Abort ends the connection for good, even with reconnect on", "[interop][RC-009][MSG-075]") {
    auto protocol = GENERATE(as<std::string>{}, "json", "messagepack");
    peer_process peer;
    auto connection =
        websocket_builder(peer.url("/conformance"), protocol).with_automatic_reconnect(quick_retries()).build();
    events e;
    e.watch(connection);
    await(connection.start());
    connection.send("Abort").get();
    auto closed = e.closed.take();
    REQUIRE(closed.has_value());
    CHECK_FALSE(closed->has_value()); // a Close without error: no error surfaced
    CHECK(e.reconnecting.size() == 0);
    CHECK(connection.state() == connection_state::disconnected);
}

TEST_CASE("MSG-076 MSG-075 a Close with allowReconnect starts automatic reconnect, without it the connection ends",
          "[interop][MSG-076][MSG-075][RC-005]") {
    auto c = GENERATE(from_range(every_cell()));
    INFO(describe(c));
    peer_process server(server_kind::hubspec, {"--control"});
    auto connection = cell_builder(server.url("/conformance"), c).with_automatic_reconnect(quick_retries()).build();
    events e;
    e.watch(connection);
    await(connection.start());
    auto first_id = await(connection.invoke_as<std::string>("GetCallerConnectionId"));

    REQUIRE(control_post(server, "/control/close?connectionId=" + first_id + "&allowReconnect=true&error=restarting") ==
            200);
    auto reconnecting = e.reconnecting.take();
    REQUIRE(reconnecting.has_value());
    CHECK(*reconnecting == std::optional<std::string>(texts::server_close_error("restarting")));
    REQUIRE(e.reconnected.take().has_value());
    auto second_id = await(connection.invoke_as<std::string>("GetCallerConnectionId"));
    CHECK(second_id != first_id);

    REQUIRE(control_post(server, "/control/close?connectionId=" + second_id + "&allowReconnect=false&error=bye") ==
            200);
    auto closed = e.closed.take();
    REQUIRE(closed.has_value());
    CHECK(*closed == std::optional<std::string>(texts::server_close_error("bye")));
    CHECK(e.reconnecting.size() == 0);
    CHECK(connection.state() == connection_state::disconnected);
}

TEST_CASE("RC-005 RC-006 RC-010 a cut connection reconnects with a new id and fails what was pending",
          "[interop][RC-005][RC-006][RC-010][WS-018][LP-010]") {
    auto c = GENERATE(from_range(every_cell()));
    INFO(describe(c));
    auto& peer = shared_server(server_kind::aspnetcore);
    tcp_relay relay(peer.port());
    trace_recorder trace;
    auto connection = cell_builder(relay.url("/conformance"), c)
                          .with_automatic_reconnect(quick_retries())
                          .with_trace(trace.handler())
                          .build();
    events e;
    e.watch(connection);
    await(connection.start());
    auto first_id = await(connection.invoke_as<std::string>("GetCallerConnectionId"));
    auto pending = connection.invoke("Delay", {10000});
    // Long polling has no lasting connection to cut: new ones are refused too until the loss is seen.
    relay.refuse(true);
    relay.cut();
    auto reconnecting = e.reconnecting.take();
    INFO(trace.dump());
    REQUIRE(reconnecting.has_value());
    relay.refuse(false);
    try {
        await(std::move(pending));
        FAIL("the pending invocation should have failed");
    } catch (const connection_exception& ex) {
        CHECK(ex.what() == texts::invocation_canceled_connection_closed);
    }
    auto reconnected = e.reconnected.take();
    REQUIRE(reconnected.has_value());
    CHECK(connection.state() == connection_state::connected);
    auto second_id = await(connection.invoke_as<std::string>("GetCallerConnectionId"));
    CHECK(second_id != first_id);
    CHECK(*reconnected == std::optional<std::string>(second_id));
}

TEST_CASE("RC-006 RC-012 the client reconnects once a stopped peer comes back", "[interop][RC-006][RC-012]") {
    auto first = std::make_unique<peer_process>();
    tcp_relay relay(first->port());
    auto connection =
        websocket_builder(relay.url("/conformance"), "json").with_automatic_reconnect(quick_retries(400)).build();
    events e;
    e.watch(connection);
    await(connection.start());
    // The stopped peer's port is free for any process to take (tests run in parallel): the relay
    // refuses meanwhile, so that no attempt reaches a stranger that answers late or never.
    relay.refuse(true);
    first->stop();
    REQUIRE(e.reconnecting.take().has_value());
    peer_process second; // failed attempts meanwhile count and the loop goes on
    relay.set_upstream(second.port());
    relay.refuse(false);
    REQUIRE(e.reconnected.take().has_value());
    CHECK(await(connection.invoke_as<int>("Add", {20, 22})) == 42);
}

TEST_CASE("RC-007 when the policy gives up the connection closes", "[interop][RC-007][RC-002]") {
    peer_process peer;
    tcp_relay relay(peer.port());
    auto connection =
        websocket_builder(relay.url("/conformance"), "json").with_automatic_reconnect(std::vector{10ms, 10ms}).build();
    events e;
    e.watch(connection);
    await(connection.start());
    relay.refuse(true);
    relay.cut();
    REQUIRE(e.reconnecting.take().has_value());
    REQUIRE(e.closed.take().has_value());
    CHECK(e.reconnected.size() == 0);
    CHECK(connection.state() == connection_state::disconnected);
}

TEST_CASE("RC-008 stop during the reconnect delay ends it", "[interop][RC-008]") {
    peer_process peer;
    tcp_relay relay(peer.port());
    auto connection =
        websocket_builder(relay.url("/conformance"), "json").with_automatic_reconnect(std::vector{60'000ms}).build();
    events e;
    e.watch(connection);
    await(connection.start());
    relay.cut();
    REQUIRE(e.reconnecting.take().has_value());
    CHECK(connection.state() == connection_state::reconnecting);
    await(connection.stop());
    CHECK(connection.state() == connection_state::disconnected);
    REQUIRE(e.closed.take(2s).has_value());
}

TEST_CASE("RC-001 without automatic reconnect a cut connection just closes", "[interop][RC-001][WS-018]") {
    auto c = GENERATE(from_range(every_cell()));
    INFO(describe(c));
    auto& peer = shared_server(server_kind::aspnetcore);
    tcp_relay relay(peer.port());
    auto connection = cell_builder(relay.url("/conformance"), c).build();
    events e;
    e.watch(connection);
    await(connection.start());
    relay.refuse(true); // see RC-005: long polling needs new requests refused as well
    relay.cut();
    auto closed = e.closed.take();
    REQUIRE(closed.has_value());
    CHECK(closed->has_value()); // an ungraceful loss carries an error
    CHECK(e.reconnecting.size() == 0);
}

TEST_CASE("SR-011 SR-013 Sequence(300) survives a cut with no loss and no duplicate",
          "[interop][SR-011][SR-013][SR-006][SR-018][NEG-025]") {
    auto protocol = GENERATE(as<std::string>{}, "json", "messagepack");
    INFO(protocol);
    auto& peer = shared_server(server_kind::aspnetcore);
    tcp_relay relay(peer.port());
    trace_recorder trace;
    auto connection = websocket_builder(relay.url("/conformance"), protocol)
                          .with_stateful_reconnect()
                          .with_trace(trace.handler())
                          .build();
    events e;
    e.watch(connection);
    std::mutex seen_mutex;
    std::vector<int> seen;
    mailbox<int> first;
    connection.on("Seq", [&](const arguments& args) {
        std::lock_guard lock(seen_mutex);
        seen.push_back(from_value<int>(args.at(0)));
        if (seen.size() == 1) first.push(seen.back());
    });
    await(connection.start());
    auto id = connection.connection_id();
    auto result = connection.invoke_as<int>("Sequence", {300});
    REQUIRE(first.take().has_value());
    relay.cut(); // mid-sequence: the WebSocket drops without a Close frame (WS-018)
    CHECK(await(std::move(result)) == 300);
    {
        std::lock_guard lock(seen_mutex);
        std::vector<int> expected(300);
        for (int i = 0; i < 300; ++i)
            expected[static_cast<std::size_t>(i)] = i;
        CHECK(seen == expected); // zero loss, zero duplication, in order
    }
    CHECK(connection.state() == connection_state::connected);
    CHECK(e.reconnecting.size() == 0); // a resume, not an automatic reconnect
    CHECK(connection.connection_id() == id);
    CHECK(await(connection.invoke_as<std::string>("GetCallerConnectionId")) == *id); // SR-018
    INFO(trace.dump());
    CHECK(trace.find(trace_kind::transport_open).size() == 2); // the same WebSocket URL re-opened (SR-011)
    std::size_t negotiates = 0;
    for (auto& r : trace.requests())
        if (r.find("/negotiate?negotiateVersion=1&useStatefulReconnect=true") != std::string::npos) ++negotiates;
    CHECK(negotiates == 1); // NEG-025, and no new negotiate for the resume
}

TEST_CASE("SR-017 when the resume fails automatic reconnect takes over", "[interop][SR-017][RC-005]") {
    auto& peer = shared_server(server_kind::aspnetcore);
    tcp_relay relay(peer.port());
    auto connection = websocket_builder(relay.url("/conformance"), "json")
                          .with_stateful_reconnect()
                          .with_automatic_reconnect(quick_retries())
                          .build();
    events e;
    e.watch(connection);
    await(connection.start());
    auto first_id = connection.connection_id();
    relay.refuse(true); // the resume's WebSocket cannot connect
    relay.cut();
    REQUIRE(e.reconnecting.take().has_value());
    relay.refuse(false);
    auto reconnected = e.reconnected.take();
    REQUIRE(reconnected.has_value());
    CHECK(*reconnected != first_id); // a new connection (RC-006), not a resumed one
    CHECK(await(connection.invoke_as<int>("Add", {1, 2})) == 3);
}
