// The HTTP decisions of the server, without sockets (NEG-*, WS-003..006, WS-014/015).
#include "endpoint_router.hpp"
#include "log.hpp"
#include "manual_scheduler.hpp"

#include "hubspec/protocol/negotiate.hpp"
#include "hubspec/protocol/texts.hpp"
#include "hubspec/server/conformance_hub.hpp"

#include <catch2/catch.hpp>

using namespace hubspec::server;
namespace p = hubspec::protocol;

namespace {

struct router_fixture {
    router_fixture() : router(server_options{}, timers) {
        detail::set_log_enabled(false);
        endpoint_options conformance;
        conformance.allow_stateful_reconnects = true;
        router.add_hub("/conformance", make_conformance_hub(), conformance);
        endpoint_options no_websockets;
        no_websockets.transports = {p::transport_type::server_sent_events, p::transport_type::long_polling};
        router.add_hub_alias("/conformance-nows", "/conformance", no_websockets);
        endpoint_options authorized;
        authorized.require_authorization = true;
        router.add_hub_alias("/conformance-auth", "/conformance", authorized);
        router.enable_tokens("/redirect", "/conformance-auth");
    }

    detail::http_reply reply(std::string method, std::string target, bool upgrade = false,
                             std::vector<std::pair<std::string, std::string>> headers = {}) {
        auto routed = router.route({std::move(method), std::move(target), std::move(headers), upgrade});
        REQUIRE(std::holds_alternative<detail::http_reply>(routed));
        return std::get<detail::http_reply>(routed);
    }

    p::negotiate_response negotiate(const std::string& query) {
        auto r = reply("POST", "/conformance/negotiate" + query);
        REQUIRE(r.status == 200);
        REQUIRE(r.content_type == "application/json");
        auto parsed = p::parse_negotiate_response(r.body);
        REQUIRE(parsed.has_value());
        return *parsed;
    }

    testing::manual_scheduler timers;
    detail::endpoint_router router;
};

}  // namespace

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
    CHECK(std::get<detail::websocket_accept>(routed).identity.connection_id == *v1.connection_id);
}

TEST_CASE("WS-004 a second WebSocket for an active connection gets 409", "[router][WS-004]") {
    router_fixture f;
    const auto v1 = f.negotiate("?negotiateVersion=1");
    const std::string target = "/conformance?id=" + *v1.connection_token;
    REQUIRE(std::holds_alternative<detail::websocket_accept>(f.router.route({"GET", target, {}, true})));
    CHECK(f.reply("GET", target, true).status == 409);
    CHECK(f.reply("POST", target).status == 405);    // WS-014
    CHECK(f.reply("DELETE", target).status == 400);  // WS-015
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
    auto routed = f.router.route({"GET", "/conformance-auth?access_token=" + token.body, {}, true});  // NEG-034
    REQUIRE(std::holds_alternative<detail::websocket_accept>(routed));
    CHECK(std::get<detail::websocket_accept>(routed).identity.user_identifier == "alice");
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
