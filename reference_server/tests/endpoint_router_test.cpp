// The HTTP decisions of the server, without sockets (NEG-*, WS-003..006, WS-014/015).
#include "http/endpoint_router.hpp"
#include "log.hpp"
#include "manual_scheduler.hpp"

#include "hubspec/protocol/negotiate.hpp"
#include "hubspec/protocol/texts.hpp"
#include "hubspec/server/conformance_hub.hpp"

#include <catch2/catch.hpp>

using namespace hubspec::server;
namespace p = hubspec::protocol;

#include "router_fixture.hpp"

using hubspec::server::testing::router_fixture;

TEST_CASE("NEG-001 negotiate answers 405 text/plain to other methods", "[router][NEG-001]") {
    router_fixture f;
    const auto r = f.reply("GET", "/conformance/negotiate");
    CHECK(r.status == 405);
    CHECK(r.content_type == "text/plain");
}

TEST_CASE("NEG-010 NEG-011 version 1 has a distinct token, version 0 none", "[router][NEG-010][NEG-011]") {
    router_fixture f;
    const auto v1 = f.negotiate("?negotiateVersion=1");
    REQUIRE(v1.connection_token);
    CHECK(*v1.connection_token != *v1.connection_id);
    CHECK(v1.connection_id->size() == 22);
    const auto v0 = f.negotiate("");
    CHECK_FALSE(v0.connection_token);
}

TEST_CASE("NEG-026 useStatefulReconnect only where allowed and asked", "[router][NEG-026]") {
    router_fixture f;
    CHECK(f.negotiate("?negotiateVersion=1&useStatefulReconnect=true").use_stateful_reconnect);
    CHECK_FALSE(f.negotiate("?negotiateVersion=1").use_stateful_reconnect);
}

TEST_CASE("NEG-022 WS-003 transport requests look connections up by token", "[router][NEG-022][WS-003]") {
    router_fixture f;
    const auto v1 = f.negotiate("?negotiateVersion=1");
    const auto by_id = f.reply("GET", "/conformance?id=" + *v1.connection_id, true);
    CHECK(by_id.status == 404);
    CHECK(by_id.body == p::texts::no_connection_with_id);
    auto routed = f.router.route({"GET", "/conformance?id=" + *v1.connection_token, {}, true});
    REQUIRE(std::holds_alternative<detail::websocket_accept>(routed));
    CHECK(std::get<detail::websocket_accept>(routed).connection->identity().connection_id == *v1.connection_id);
}

TEST_CASE("WS-004 a second WebSocket for an active connection gets 409", "[router][WS-004]") {
    router_fixture f;
    const auto v1 = f.negotiate("?negotiateVersion=1");
    const std::string target = "/conformance?id=" + *v1.connection_token;
    REQUIRE(std::holds_alternative<detail::websocket_accept>(f.router.route({"GET", target, {}, true})));
    CHECK(f.reply("GET", target, true).status == 409);
    CHECK(f.reply("POST", target).status == 405);   // WS-014
    CHECK(f.reply("DELETE", target).status == 400); // WS-015
}

TEST_CASE("WS-006 WebSockets switched off: 404 with Microsoft's text", "[router][WS-006]") {
    router_fixture f;
    const auto r = f.reply("GET", "/conformance-nows", true);
    CHECK(r.status == 404);
    CHECK(r.body == p::texts::websockets_not_supported);
}

TEST_CASE("NEG-029 a WebSocket without id starts a new connection", "[router][NEG-029]") {
    router_fixture f;
    auto routed = f.router.route({"GET", "/conformance", {}, true});
    CHECK(std::holds_alternative<detail::websocket_accept>(routed));
}

TEST_CASE("NEG-037 an endpoint that needs a token answers 401 without one", "[router][NEG-037]") {
    router_fixture f;
    CHECK(f.reply("POST", "/conformance-auth/negotiate?negotiateVersion=1").status == 401);
    const auto token = f.reply("GET", "/token?user=alice");
    REQUIRE(token.status == 200);
    const auto ok = f.reply("POST", "/conformance-auth/negotiate?negotiateVersion=1", false,
                            {{"Authorization", "Bearer " + token.body}});
    CHECK(ok.status == 200);
    auto routed = f.router.route({"GET", "/conformance-auth?access_token=" + token.body, {}, true}); // NEG-034
    REQUIRE(std::holds_alternative<detail::websocket_accept>(routed));
    CHECK(std::get<detail::websocket_accept>(routed).connection->identity().user_identifier == "alice");
}

TEST_CASE("NEG-018 the redirect endpoint answers url and accessToken", "[router][NEG-018]") {
    router_fixture f;
    const auto r = f.reply("POST", "/redirect/negotiate", false, {{"Host", "h:1"}});
    auto parsed = p::parse_negotiate_response(r.body);
    REQUIRE(parsed.has_value());
    CHECK(parsed->url == "http://h:1/conformance-auth");
    REQUIRE(parsed->access_token);
    CHECK(r.body.find("negotiateVersion") == std::string::npos);
}

TEST_CASE("NEG-036 a negotiated connection never used is gone after the disconnect timeout", "[router][NEG-036]") {
    router_fixture f;
    const auto v1 = f.negotiate("?negotiateVersion=1");
    f.router.sweep(std::chrono::steady_clock::now() + std::chrono::seconds(16));
    CHECK(f.reply("GET", "/conformance?id=" + *v1.connection_token, true).status == 404);
}
