// URL building for negotiate and transports (NEG-002, NEG-003, NEG-004, NEG-025, NEG-035, WS-002).

#include "hubspec/protocol/url.hpp"

#include <catch2/catch.hpp>

using namespace hubspec::protocol;

TEST_CASE("NEG-004 query strings are split into percent-decoded pairs", "[url][NEG-004]") {
    const auto q = parse_query("?a=1&b=x%20y&c=p+q&flag&&=e&d=%zz&e=%4");
    REQUIRE(q == query_parameters{
                     {"a", "1"}, {"b", "x y"}, {"c", "p q"}, {"flag", ""}, {"", "e"}, {"d", "%zz"}, {"e", "%4"}});
    CHECK(parse_query("a=1") == query_parameters{{"a", "1"}});
    CHECK(parse_query("").empty());
    CHECK(parse_query("?").empty());
    CHECK(parse_query("k%3Dv=a%26b") == query_parameters{{"k=v", "a&b"}});
}

TEST_CASE("NEG-004 query keys are looked up ASCII case-insensitively and the first value wins", "[url][NEG-004]") {
    const auto q = parse_query("NegotiateVersion=1&negotiateversion=2");
    CHECK(find_query_parameter(q, "negotiateVersion") == "1");
    CHECK(find_query_parameter(q, "NEGOTIATEVERSION") == "1");
    CHECK_FALSE(find_query_parameter(q, "negotiateVersio"));
    CHECK_FALSE(find_query_parameter(q, "id"));
}

TEST_CASE("NEG-033 percent encoding keeps only RFC 3986 unreserved characters", "[url][NEG-033]") {
    CHECK(percent_encode("AZaz09-._~") == "AZaz09-._~");
    CHECK(percent_encode("a b+c/d?e&f=g") == "a%20b%2Bc%2Fd%3Fe%26f%3Dg");
    CHECK(percent_encode("\xC3\xA9") == "%C3%A9");
    CHECK(percent_decode("%C3%a9") == "\xC3\xA9");
    CHECK(percent_decode(percent_encode("eyJ0eXAi.J+/=")) == "eyJ0eXAi.J+/=");
}

TEST_CASE("NEG-035 a parameter is added with ? when the URL has no query and & when it has one", "[url][NEG-035]") {
    CHECK(append_query_parameter("https://host/chat", "id", "T") == "https://host/chat?id=T");
    CHECK(append_query_parameter("https://host/chat?a=1", "id", "T") == "https://host/chat?a=1&id=T");
    CHECK(append_query_parameter("https://host/chat?", "id", "T") == "https://host/chat?id=T");
    CHECK(append_query_parameter("https://host/chat?a=1&", "id", "T") == "https://host/chat?a=1&id=T");
}

TEST_CASE("NEG-035 a fragment stays last when a parameter is added", "[url][NEG-035]") {
    CHECK(append_query_parameter("https://host/chat#top", "id", "T") == "https://host/chat?id=T#top");
    CHECK(append_query_parameter("https://host/chat?a=1#x?y", "id", "T") == "https://host/chat?a=1&id=T#x?y");
}

TEST_CASE("NEG-033 an appended value is percent-encoded", "[url][NEG-033]") {
    CHECK(append_query_parameter("wss://host/chat?id=T", "access_token", "a b&c") ==
          "wss://host/chat?id=T&access_token=a%20b%26c");
}

TEST_CASE("NEG-002 negotiate is appended to the base path with one slash", "[url][NEG-002]") {
    CHECK(negotiate_url("https://host/chat", false) == "https://host/chat/negotiate?negotiateVersion=1");
    CHECK(negotiate_url("https://host/chat/", false) == "https://host/chat/negotiate?negotiateVersion=1");
    CHECK(negotiate_url("https://host", false) == "https://host/negotiate?negotiateVersion=1");
    CHECK(negotiate_url("https://host:5001/a/b", false) == "https://host:5001/a/b/negotiate?negotiateVersion=1");
    CHECK(negotiate_url("/chat", false) == "/chat/negotiate?negotiateVersion=1");
}

TEST_CASE("NEG-002 the base URL's query and fragment are kept", "[url][NEG-002]") {
    CHECK(negotiate_url("https://host/chat?tenant=a%20b", false) ==
          "https://host/chat/negotiate?tenant=a%20b&negotiateVersion=1");
    CHECK(negotiate_url("https://host?x=1", false) == "https://host/negotiate?x=1&negotiateVersion=1");
    CHECK(negotiate_url("https://host/chat?x=1#f", false) == "https://host/chat/negotiate?x=1&negotiateVersion=1#f");
}

TEST_CASE("NEG-003 negotiateVersion=1 is not added when the URL already names a version", "[url][NEG-003]") {
    CHECK(negotiate_url("https://host/chat?negotiateVersion=0", false) ==
          "https://host/chat/negotiate?negotiateVersion=0");
    CHECK(negotiate_url("https://host/chat?a=1&negotiateVersion=7", false) ==
          "https://host/chat/negotiate?a=1&negotiateVersion=7");
}

TEST_CASE("NEG-025 useStatefulReconnect=true is appended only when stateful reconnect is wanted", "[url][NEG-025]") {
    CHECK(negotiate_url("https://host/chat", true) ==
          "https://host/chat/negotiate?negotiateVersion=1&useStatefulReconnect=true");
    CHECK(negotiate_url("https://host/chat?a=1", true) ==
          "https://host/chat/negotiate?a=1&negotiateVersion=1&useStatefulReconnect=true");
    // Written by the user already: kept as it is, not repeated (the TS client's rule).
    CHECK(negotiate_url("https://host/chat?useStatefulReconnect=true", true) ==
          "https://host/chat/negotiate?useStatefulReconnect=true&negotiateVersion=1");
}

TEST_CASE("WS-002 the WebSocket URL swaps http for ws and https for wss", "[url][WS-002]") {
    CHECK(websocket_url("http://host/chat?id=T") == "ws://host/chat?id=T");
    CHECK(websocket_url("https://host/chat?id=T") == "wss://host/chat?id=T");
    CHECK(websocket_url("HTTPS://host/chat") == "wss://host/chat");
    CHECK(websocket_url("wss://host/chat") == "wss://host/chat");
    CHECK(websocket_url("httpx://host/chat") == "httpx://host/chat");
    CHECK(websocket_url("/chat") == "/chat");
}

TEST_CASE("WS-002 NEG-035 the id joins the WebSocket URL after the scheme swap", "[url][WS-002][NEG-035]") {
    CHECK(append_query_parameter(websocket_url("https://host/chat"), "id", "Q6nO2b3y7kFqV0C1xWmE4A") ==
          "wss://host/chat?id=Q6nO2b3y7kFqV0C1xWmE4A");
}
