// The fault-injecting proxy between the harness and a real server (the reference
// server in this process): each fault as a client on the other side sees it.

#include "engine/embedded_server.hpp"
#include "engine/http_exchange.hpp"
#include "engine/raw_actor.hpp"
#include "proxy/fault_proxy.hpp"

#include <hubspec/protocol/hub_message.hpp>
#include <hubspec/protocol/url.hpp>

#include <catch2/catch.hpp>

using namespace hubspec::harness;
using namespace hubspec::harness::detail;
using hubspec::protocol::transport_type;
using std::chrono::milliseconds;

namespace {

struct proxied_server {
    embedded_server server{hubspec::protocol::target_settings{}};
    transcript log;
    fault_proxy proxy;

    proxied_server() : proxy(host(), port(), std::nullopt) {}
    std::string host() const { return hubspec::protocol::parse_http_url(server.hub_url())->host; }
    std::string port() const { return hubspec::protocol::parse_http_url(server.hub_url())->port; }
    std::string hub_through_proxy() const { return proxy.origin() + "/conformance"; }

    std::unique_ptr<raw_actor> connect(transport_type t, milliseconds timeout = milliseconds(10'000)) {
        raw_connect_options options;
        options.url = hub_through_proxy();
        options.transport = t;
        options.timeout = timeout;
        auto actor = raw_connect("a", options, hubspec::protocol::json_protocol(), log);
        auto handshake = actor->next(clock::now() + milliseconds(10'000));
        REQUIRE(std::holds_alternative<raw_handshake>(handshake));
        return actor;
    }
};

std::string echo_invocation(const std::string& id, const std::string& text) {
    hubspec::protocol::invocation_message m;
    m.invocation_id = id;
    m.target = "Echo";
    m.arguments = {hubspec::protocol::value{text}};
    return hubspec::protocol::json_protocol().encode(m);
}

/// The next message that is not a Ping.
raw_event next_non_ping(raw_actor& actor, milliseconds within) {
    const auto deadline = clock::now() + within;
    for (;;) {
        auto e = actor.next(deadline);
        auto* m = std::get_if<hubspec::protocol::hub_message>(&e);
        if (!m || !std::holds_alternative<hubspec::protocol::ping_message>(*m)) return e;
    }
}

} // namespace

TEST_CASE("without faults the proxy relays negotiate and a WebSocket session both ways", "[proxy]") {
    proxied_server s;
    auto reply = http_exchange("POST", s.hub_through_proxy() + "/negotiate?negotiateVersion=1", {}, {},
                               milliseconds(10'000), {});
    CHECK(reply.status == 200);
    CHECK(reply.body.find("connectionToken") != std::string::npos);
    auto actor = s.connect(transport_type::websockets);
    actor->send(echo_invocation("1", "through"));
    auto e = next_non_ping(*actor, milliseconds(10'000));
    auto* m = std::get_if<hubspec::protocol::hub_message>(&e);
    REQUIRE(m);
    REQUIRE(std::holds_alternative<hubspec::protocol::completion_message>(*m));
    CHECK(std::get<hubspec::protocol::completion_message>(*m).result == hubspec::protocol::value{"through"});
    CHECK(s.proxy.connections_accepted() >= 2);
}

TEST_CASE("refused WebSocket upgrades get 503 while long polling still gets through", "[proxy]") {
    proxied_server s;
    s.proxy.refuse_websockets(true);
    raw_connect_options options;
    options.url = s.hub_through_proxy();
    options.transport = transport_type::websockets;
    try {
        raw_connect("a", options, hubspec::protocol::json_protocol(), s.log);
        FAIL("the WebSocket opened through a proxy that refuses upgrades");
    } catch (const raw_refused& refused) {
        CHECK(refused.status == 503);
    }
    auto poller = s.connect(transport_type::long_polling);
    CHECK(poller);
}

TEST_CASE("a stripped Upgrade header keeps the WebSocket from opening", "[proxy]") {
    proxied_server s;
    s.proxy.strip_upgrade(true);
    raw_connect_options options;
    options.url = s.hub_through_proxy();
    options.transport = transport_type::websockets;
    options.timeout = milliseconds(5'000);
    CHECK_THROWS(raw_connect("a", options, hubspec::protocol::json_protocol(), s.log));
}

TEST_CASE("a cut without a Close frame ends the WebSocket with no Close frame", "[proxy]") {
    proxied_server s;
    auto actor = s.connect(transport_type::websockets);
    CHECK(s.proxy.cut_all(false) >= 1);
    auto e = next_non_ping(*actor, milliseconds(10'000));
    auto* closed = std::get_if<raw_closed>(&e);
    REQUIRE(closed);
    CHECK(closed->how.find("without a close frame") != std::string::npos);
}

TEST_CASE("a cut with Close frames ends the WebSocket with Close 1001", "[proxy]") {
    proxied_server s;
    auto actor = s.connect(transport_type::websockets);
    CHECK(s.proxy.cut_all(true) >= 1);
    auto e = next_non_ping(*actor, milliseconds(10'000));
    auto* closed = std::get_if<raw_closed>(&e);
    REQUIRE(closed);
    INFO(closed->how);
    CHECK(closed->how.find("1001") != std::string::npos);
}

TEST_CASE("a black hole delays traffic and loses none of it", "[proxy]") {
    proxied_server s;
    auto actor = s.connect(transport_type::websockets);
    s.proxy.black_hole(milliseconds(400));
    actor->send(echo_invocation("7", "late"));
    // Nothing can cross while the hole lasts; afterwards the reply arrives.
    auto early = next_non_ping(*actor, milliseconds(150));
    CHECK(std::holds_alternative<raw_timeout>(early));
    auto e = next_non_ping(*actor, milliseconds(10'000));
    auto* m = std::get_if<hubspec::protocol::hub_message>(&e);
    REQUIRE(m);
    REQUIRE(std::holds_alternative<hubspec::protocol::completion_message>(*m));
    CHECK(std::get<hubspec::protocol::completion_message>(*m).invocation_id == "7");
}

TEST_CASE("muted clients are not heard, yet still hear the target", "[proxy]") {
    proxied_server s;
    auto muted = s.connect(transport_type::websockets);
    s.proxy.mute_clients(true);
    muted->send(echo_invocation("8", "dropped"));

    // Another client, not through the proxy, makes the target send to every connection.
    raw_connect_options direct;
    direct.url = s.server.hub_url();
    auto other = raw_connect("b", direct, hubspec::protocol::json_protocol(), s.log);
    REQUIRE(std::holds_alternative<raw_handshake>(other->next(clock::now() + milliseconds(10'000))));
    hubspec::protocol::invocation_message broadcast;
    broadcast.target = "Broadcast";
    broadcast.arguments = {hubspec::protocol::value{"to all"}};
    other->send(hubspec::protocol::json_protocol().encode(broadcast));

    // The Broadcast arrives; the Completion of "8" never does: the invocation was dropped, not held.
    auto e = next_non_ping(*muted, milliseconds(10'000));
    auto* m = std::get_if<hubspec::protocol::hub_message>(&e);
    REQUIRE(m);
    REQUIRE(std::holds_alternative<hubspec::protocol::invocation_message>(*m));
    CHECK(std::get<hubspec::protocol::invocation_message>(*m).target == "Broadcast");

    s.proxy.mute_clients(false);
    muted->send(echo_invocation("9", "heard"));
    e = next_non_ping(*muted, milliseconds(10'000));
    m = std::get_if<hubspec::protocol::hub_message>(&e);
    REQUIRE(m);
    REQUIRE(std::holds_alternative<hubspec::protocol::completion_message>(*m));
    CHECK(std::get<hubspec::protocol::completion_message>(*m).invocation_id == "9");
}

TEST_CASE("buffered Server-Sent Events hold the stream back", "[proxy]") {
    proxied_server s;
    s.proxy.buffer_server_sent_events(true);
    raw_connect_options options;
    options.url = s.hub_through_proxy();
    options.transport = transport_type::server_sent_events;
    options.timeout = milliseconds(1'000);
    // The handshake response cannot come through a buffering proxy.
    bool got_handshake = false;
    try {
        auto actor = raw_connect("a", options, hubspec::protocol::json_protocol(), s.log);
        auto e = actor->next(clock::now() + milliseconds(1'000));
        got_handshake = std::holds_alternative<raw_handshake>(e);
    } catch (const std::exception&) {
        got_handshake = false; // the stream did not even start
    }
    CHECK_FALSE(got_handshake);
}
