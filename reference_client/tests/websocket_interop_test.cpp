// The reference client over WebSockets against Microsoft's ASP.NET Core server:
// what only WebSockets has (skip_negotiation) and the keep-alive timers.
#include "interop_support.hpp"
#include "peer_process.hpp"

#include <hubspec/protocol/texts.hpp>

using namespace hubspec::client;
using namespace hubspec::client::test;
namespace texts = hubspec::protocol::texts;
using hubspec::protocol::value;

TEST_CASE("NEG-028 skip_negotiation connects straight to the WebSocket", "[interop][NEG-028][NEG-029]") {
    peer_process peer;
    auto connection = websocket_builder(peer.url("/conformance"), "messagepack").with_skip_negotiation().build();
    await(connection.start());
    CHECK_FALSE(connection.connection_id().has_value());
    CHECK(await(connection.invoke_as<int>("Add", {1, 2})) == 3);
    hub_connection_builder b;
    auto wrong = b.with_url(peer.url("/conformance")).with_skip_negotiation().build();
    try {
        wrong.start().get();
        FAIL("expected an error");
    } catch (const connection_exception& e) {
        CHECK(e.what() == texts::skip_negotiation_needs_websockets);
    }
}

TEST_CASE("RC-004 a second start while connected is refused", "[interop][RC-004]") {
    peer_process peer;
    auto connection = websocket_builder(peer.url("/conformance"), "json").build();
    await(connection.start());
    CHECK_THROWS_AS(await(connection.start()), connection_exception);
    CHECK(connection.state() == connection_state::connected);
}

TEST_CASE("KA-005 silence longer than serverTimeout closes with Microsoft's text", "[interop][KA-005]") {
    peer_process peer({"--keepalive-ms", "10000"});
    auto connection = websocket_builder(peer.url("/conformance"), "json").with_server_timeout(500ms).build();
    mailbox<std::optional<std::string>> closed;
    connection.on_close([&](const std::optional<std::string>& e) { closed.push(e); });
    await(connection.start());
    auto error = closed.take();
    REQUIRE(error.has_value());
    CHECK(*error == std::optional<std::string>(texts::server_timeout_elapsed));
    CHECK(connection.state() == connection_state::disconnected);
}

TEST_CASE("KA-006 the client's Pings keep the server's client timeout at bay", "[interop][KA-006]") {
    peer_process peer({"--client-timeout-ms", "600", "--keepalive-ms", "200"});
    auto connection = websocket_builder(peer.url("/conformance"), "json").with_keep_alive_interval(100ms).build();
    mailbox<std::optional<std::string>> closed;
    connection.on_close([&](const std::optional<std::string>& e) { closed.push(e); });
    await(connection.start());
    await(connection.invoke("Delay", {1500})); // well past the client timeout, kept alive by Pings
    CHECK(connection.state() == connection_state::connected);
    CHECK(closed.size() == 0);
}
