// Logic of the connection that needs no socket: retry policy, handlers, client
// results, typed results, URLs, upload ordering.
#include "connection/handler_registry.hpp"
#include "connection/upload_state.hpp"
#include "http/http_url.hpp"

#include <hubspec/client/retry_policy.hpp>
#include <hubspec/client/value_conversion.hpp>
#include <hubspec/protocol/json_value.hpp>
#include <hubspec/protocol/texts.hpp>

#include <catch2/catch.hpp>

using namespace hubspec::client;
using namespace std::chrono_literals;
namespace texts = hubspec::protocol::texts;

TEST_CASE("RC-002 the default delays are 0 2 10 30 seconds then give up", "[reconnect][RC-002]") {
    auto policy = delays_policy(default_reconnect_delays());
    std::vector<std::optional<std::chrono::milliseconds>> seen;
    for (std::int64_t i = 0; i < 5; ++i)
        seen.push_back(policy(retry_context{i, 0ms, ""}));
    CHECK(seen == std::vector<std::optional<std::chrono::milliseconds>>{0ms, 2000ms, 10000ms, 30000ms, std::nullopt});
}

TEST_CASE("RC-002 a custom list gives exactly those delays", "[reconnect][RC-002]") {
    auto policy = delays_policy({5ms});
    CHECK(policy(retry_context{0, 0ms, ""}) == std::optional(5ms));
    CHECK(policy(retry_context{1, 0ms, ""}) == std::nullopt);
}

TEST_CASE("GRP-008 handlers are found case-insensitively, all of them", "[handlers][GRP-008]") {
    detail::handler_registry registry;
    int calls = 0;
    auto a = registry.add("ReceiveMessage", [&](const detail::arguments&) {
        ++calls;
        return std::nullopt;
    });
    registry.add("receivemessage", [&](const detail::arguments&) {
        ++calls;
        return std::nullopt;
    });
    for (auto& h : registry.find("RECEIVEMESSAGE"))
        h({});
    CHECK(calls == 2);
    registry.remove("receiveMESSAGE", a);
    CHECK(registry.find("ReceiveMessage").size() == 1);
    registry.remove("ReceiveMessage");
    CHECK(registry.find("ReceiveMessage").empty());
}

TEST_CASE("CR-003 no handler or no value means the client provided no result", "[client-results][CR-003]") {
    CHECK(detail::combine_client_results(0, {}, std::nullopt).error ==
          std::optional<std::string>(texts::client_did_not_provide_result));
    CHECK(detail::combine_client_results(2, {}, std::nullopt).error ==
          std::optional<std::string>(texts::client_did_not_provide_result));
}

TEST_CASE("CR-004 two values from two handlers is an error", "[client-results][CR-004]") {
    CHECK(detail::combine_client_results(2, {1, 2}, std::nullopt).error ==
          std::optional<std::string>(texts::client_provided_multiple_results));
    auto one = detail::combine_client_results(2, {7}, std::nullopt);
    CHECK(one.result == std::optional<value>(7));
    CHECK_FALSE(one.error);
}

TEST_CASE("CR-005 a throwing handler answers with its text", "[client-results][CR-005]") {
    CHECK(detail::combine_client_results(1, {}, std::string("boom")).error == std::optional<std::string>("boom"));
}

TEST_CASE("typed results convert and reject mismatches", "[values]") {
    CHECK(from_value<int>(value(3)) == 3);
    CHECK(from_value<double>(value(3)) == 3.0);
    CHECK(from_value<std::string>(value("x")) == "x");
    CHECK(from_value<std::vector<int>>(value(hubspec::protocol::array{1, 2})) == std::vector<int>{1, 2});
    CHECK_THROWS_AS(from_value<int>(value("x")), std::invalid_argument);
    CHECK_THROWS_AS(from_value<std::int8_t>(value(300)), std::invalid_argument);
}

TEST_CASE("WS-002 hub URLs split into host, port and target", "[url][WS-002]") {
    auto u = detail::parse_http_url("http://127.0.0.1:5000/chat?x=1");
    REQUIRE(u);
    CHECK(u->host == "127.0.0.1");
    CHECK(u->port == "5000");
    CHECK(u->target == "/chat?x=1");
    auto d = detail::parse_http_url("ws://[::1]/hub");
    REQUIRE(d);
    CHECK(d->host == "::1");
    CHECK(d->port == "80");
    CHECK(d->host_header() == "[::1]:80");
    CHECK_FALSE(detail::parse_http_url("ftp://x/"));
    CHECK_FALSE(detail::parse_http_url("http://:80/"));
    CHECK_FALSE(detail::parse_http_url("http://h:8x/"));
}

TEST_CASE("MSG-094 upload items written before the invocation follow it in order", "[upload][MSG-094]") {
    detail::upload_state state;
    state.push({value(1), std::nullopt});
    state.push({value(2), std::nullopt});
    std::vector<std::string> seen;
    state.bind([&](detail::upload_event e) { seen.push_back(e.item ? hubspec::protocol::to_json(*e.item) : "end"); });
    state.push({value(3), std::nullopt});
    state.push({std::nullopt, std::nullopt});
    state.push({value(4), std::nullopt}); // after the end: dropped
    CHECK(seen == std::vector<std::string>{"1", "2", "3", "end"});
}
