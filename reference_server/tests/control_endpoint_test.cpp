// The control API over HTTP (/control/*, hubspec-server --control) as the router
// decides it, without sockets: off by default, JSON listings, 404 for unknown
// connections, 400 naming a bad query, and its effect on long polling (LP-010).
#include "router_fixture.hpp"

#include <string>

using namespace hubspec::server;
using hubspec::server::testing::router_fixture;

namespace {

server_options with_control() {
    server_options options;
    options.control_endpoints = true;
    return options;
}

/// Negotiates and starts long polling with a JSON handshake; returns {connection id, poll target}.
std::pair<std::string, std::string> long_polling_connection(router_fixture& f) {
    const auto negotiated = f.negotiate("?negotiateVersion=1");
    const std::string target = "/conformance?id=" + *negotiated.connection_token;
    REQUIRE(f.reply("GET", target).status == 200);
    REQUIRE(f.reply("POST", target, false, {}, "{\"protocol\":\"json\",\"version\":1}\x1e").status == 200);
    auto answer = f.router.route({"GET", target});
    REQUIRE(std::get<std::shared_ptr<detail::deferred_reply>>(answer)->ready()->body == "{}\x1e");
    return {*negotiated.connection_id, target};
}

std::shared_ptr<detail::deferred_reply> pending_poll(router_fixture& f, const std::string& target) {
    auto routed = f.router.route({"GET", target});
    auto poll = std::get<std::shared_ptr<detail::deferred_reply>>(routed);
    REQUIRE_FALSE(poll->done());
    return poll;
}

} // namespace

TEST_CASE("CTL without --control the control paths are 404", "[control][router]") {
    router_fixture f;
    CHECK(f.reply("GET", "/control/connections").status == 404);
    CHECK(f.reply("POST", "/control/drop?connectionId=all").status == 404);
}

TEST_CASE("CTL GET /control/connections lists started connections as JSON", "[control][router]") {
    router_fixture f(with_control());
    CHECK(f.reply("GET", "/control/connections").body == "[]");
    const auto [id, target] = long_polling_connection(f);
    auto listed = f.reply("GET", "/control/connections");
    CHECK(listed.status == 200);
    CHECK(listed.content_type == "application/json");
    CHECK(listed.body == "[{\"connectionId\":\"" + id +
                             "\",\"hub\":\"/conformance\",\"transport\":\"LongPolling\",\"awaitingReconnect\":false,"
                             "\"pollPending\":false}]");
    auto poll = pending_poll(f, target);
    CHECK(f.reply("GET", "/control/connections").body.find("\"pollPending\":true") != std::string::npos);
    CHECK(f.reply("GET", "/control/connections?hub=/chat").body == "[]");
    CHECK(f.reply("GET", "/control/connections?hub=/conformance").body.find(id) != std::string::npos);
}

TEST_CASE("CTL control requests name what is wrong: 404 unknown, 405 method, 400 query", "[control][router]") {
    router_fixture f(with_control());
    auto unknown_connection = f.reply("POST", "/control/drop?connectionId=nope");
    CHECK(unknown_connection.status == 404);
    CHECK(unknown_connection.body == "no connection with id 'nope'\n");
    CHECK(f.reply("POST", "/control/close?connectionId=nope").status == 404);
    auto no_id = f.reply("POST", "/control/drop");
    CHECK(no_id.status == 400);
    CHECK(no_id.body == "missing query parameter connectionId\n");
    auto bad_flag = f.reply("POST", "/control/close?connectionId=x&allowReconnect=yes");
    CHECK(bad_flag.status == 400);
    CHECK(bad_flag.body == "allowReconnect must be true or false, got 'yes'\n");
    CHECK(f.reply("POST", "/control/pings").status == 400);
    CHECK(f.reply("POST", "/control/pings?on=1").body == "on must be true or false, got '1'\n");
    for (const auto* ms : {"-1", "abc", "5x", "600001", ""}) {
        auto r = f.reply("POST", std::string("/control/delay?ms=") + ms);
        CHECK(r.status == 400);
        CHECK(r.body.starts_with("ms must be an integer from 0 to 600000"));
    }
    CHECK(f.reply("POST", "/control/delay").status == 400);
    auto wrong_method = f.reply("GET", "/control/drop?connectionId=all");
    CHECK(wrong_method.status == 405);
    CHECK(wrong_method.body == "/control/drop takes POST\n");
    CHECK(f.reply("POST", "/control/connections").status == 405);
    auto unknown = f.reply("GET", "/control/nothing");
    CHECK(unknown.status == 404);
    CHECK(unknown.body == "no control endpoint /control/nothing\n");
    CHECK(f.reply("GET", "/control").status == 404);
}

TEST_CASE("CTL the fault switches answer with their state and act on the router", "[control][router][WS-001]") {
    router_fixture f(with_control());
    CHECK(f.reply("GET", "/control/faults").body == "{\"refuseWebSockets\":false,\"pings\":true,\"delayMs\":0}");
    CHECK(f.reply("POST", "/control/refuse-websockets?on=true").body ==
          "{\"refuseWebSockets\":true,\"pings\":true,\"delayMs\":0}");
    const auto negotiated = f.negotiate("?negotiateVersion=1");
    CHECK(negotiated.available_transports.at(0).transport == "WebSockets"); // still offered
    CHECK(f.reply("GET", "/conformance?id=" + *negotiated.connection_token, true).status == 503);
    CHECK(f.reply("GET", "/conformance", true).status == 503); // NEG-029's negotiate-less upgrade too
    CHECK(f.reply("POST", "/control/refuse-websockets?on=false").status == 200);
    CHECK(std::holds_alternative<detail::websocket_accept>(
        f.router.route({"GET", "/conformance?id=" + *negotiated.connection_token, {}, true})));
    CHECK(f.reply("POST", "/control/pings?on=false").body ==
          "{\"refuseWebSockets\":false,\"pings\":false,\"delayMs\":0}");
    CHECK(f.reply("POST", "/control/delay?ms=250").body ==
          "{\"refuseWebSockets\":false,\"pings\":false,\"delayMs\":250}");
    CHECK(f.router.faults().delay() == std::chrono::milliseconds(250));
}

TEST_CASE("LP-010 a control drop cuts the pending poll with no reply at all, and the id is gone",
          "[control][router][LP-010][LP-011]") {
    router_fixture f(with_control());
    const auto [id, target] = long_polling_connection(f);
    auto poll = pending_poll(f, target);
    auto dropped = f.reply("POST", "/control/drop?connectionId=" + id);
    CHECK(dropped.status == 200);
    REQUIRE(poll->ready());
    CHECK(poll->ready()->drops_connection()); // not 204, which would be a graceful end (LP-010)
    CHECK(f.reply("GET", target).status == 404);
    CHECK(f.reply("GET", "/control/connections").body == "[]");
}

TEST_CASE("MSG-070 a control close on long polling hands the Close to the pending poll, then 204",
          "[control][router][MSG-070][LP-009]") {
    router_fixture f(with_control());
    const auto [id, target] = long_polling_connection(f);
    auto poll = pending_poll(f, target);
    CHECK(f.reply("POST", "/control/close?connectionId=" + id + "&allowReconnect=true&error=bye%20now").status == 200);
    REQUIRE(poll->ready());
    CHECK(poll->ready()->body == "{\"type\":7,\"error\":\"bye now\",\"allowReconnect\":true}\x1e");
    auto end = f.router.route({"GET", target});
    CHECK(std::get<std::shared_ptr<detail::deferred_reply>>(end)->ready()->status == 204);
}

TEST_CASE("CTL drop all through HTTP reports how many", "[control][router]") {
    router_fixture f(with_control());
    long_polling_connection(f);
    long_polling_connection(f);
    CHECK(f.reply("POST", "/control/drop?connectionId=all").body == "dropped 2\n");
    CHECK(f.reply("GET", "/control/connections").body == "[]");
}
