// Bad server input on Server-Sent Events and long polling (LP-004, LP-010, SSE-001):
// the start fails with an error naming what the server did, never a crash or a hang.
#include "fake_http_server.hpp"

#include <hubspec/client.hpp>

#include <catch2/catch.hpp>

#include <chrono>
#include <future>

using namespace hubspec::client;
using namespace hubspec::client::test;

namespace {
std::string negotiate_offering(const std::string& transport) {
    return http_reply("200 OK", "application/json",
                      R"({"negotiateVersion":1,"connectionId":"c1","connectionToken":"t1","availableTransports":[)"
                      R"({"transport":")" +
                          transport + R"(","transferFormats":["Text","Binary"]}]})");
}

bool is_negotiate(const std::string& head) {
    return head.rfind("POST ", 0) == 0 && head.find("/negotiate") != std::string::npos;
}

/// The start's error text; fails the test if the start succeeds or hangs.
std::string start_error(const std::string& url, transport_type transport) {
    auto connection = hub_connection_builder()
                          .with_url(url)
                          .with_transport(transport)
                          .with_handshake_timeout(std::chrono::milliseconds(2000))
                          .build();
    auto started = connection.start();
    REQUIRE(started.wait_for(std::chrono::seconds(20)) == std::future_status::ready);
    try {
        started.get();
    } catch (const connection_exception& e) {
        CHECK(connection.state() == connection_state::disconnected);
        return e.what();
    }
    FAIL("the start should have failed");
    return {};
}
} // namespace

TEST_CASE("LP-004 a first poll other than 200 fails the start and names the status", "[transports][LP-004]") {
    fake_http_server server([](const std::string& head) {
        if (is_negotiate(head)) return negotiate_offering("LongPolling");
        return http_reply("404 Not Found", "text/plain", "No Connection with that ID");
    });
    auto error = start_error(server.url("/hub"), transport_type::long_polling);
    CHECK(error == "Unable to connect to the server with any of the available transports. LongPolling failed: The "
                   "first poll failed with HTTP status 404 Not Found (the server has no connection with this id): "
                   "No Connection with that ID");
    auto lines = server.request_lines();
    REQUIRE(lines.size() == 2);
    CHECK(lines[1].rfind("GET /hub?id=t1&_=", 0) == 0); // NEG-021, LP-020
}

TEST_CASE("LP-010 a poll answered 500 closes the connection with the status", "[transports][LP-010]") {
    int polls = 0;
    fake_http_server server([&polls](const std::string& head) {
        if (is_negotiate(head)) return negotiate_offering("LongPolling");
        if (head.rfind("POST ", 0) == 0) return http_reply("200 OK", "text/plain", "");
        // The first poll connects; the second answers the handshake; the third fails.
        ++polls;
        if (polls == 1) return http_reply("200 OK", "text/plain", "");
        if (polls == 2) return http_reply("200 OK", "application/octet-stream", std::string("{}\x1e"));
        return http_reply("500 Internal Server Error", "text/plain", "boom");
    });
    auto connection =
        hub_connection_builder().with_url(server.url("/hub")).with_transport(transport_type::long_polling).build();
    std::promise<std::optional<std::string>> closed;
    connection.on_close([&closed](const std::optional<std::string>& e) { closed.set_value(e); });
    auto started = connection.start();
    REQUIRE(started.wait_for(std::chrono::seconds(20)) == std::future_status::ready);
    started.get();
    auto ended = closed.get_future();
    REQUIRE(ended.wait_for(std::chrono::seconds(20)) == std::future_status::ready);
    CHECK(ended.get() ==
          std::optional<std::string>("Long polling failed with HTTP status 500 Internal Server Error: boom"));
}

TEST_CASE("SSE-001 an event stream answered with another Content-Type fails the start", "[transports][SSE-001]") {
    fake_http_server server([](const std::string& head) {
        if (is_negotiate(head)) return negotiate_offering("ServerSentEvents");
        CHECK(head.find("Accept: text/event-stream") != std::string::npos);
        return http_reply("200 OK", "text/html", "<html></html>");
    });
    auto error = start_error(server.url("/hub"), transport_type::server_sent_events);
    CHECK(error.find("ServerSentEvents failed: The Server-Sent Events response has Content-Type 'text/html', not "
                     "text/event-stream") != std::string::npos);
}

TEST_CASE("SSE-002 an event stream refused with 404 fails the start and names the status", "[transports][SSE-002]") {
    fake_http_server server([](const std::string& head) {
        if (is_negotiate(head)) return negotiate_offering("ServerSentEvents");
        return http_reply("404 Not Found", "text/plain", "No Connection with that ID");
    });
    auto error = start_error(server.url("/hub"), transport_type::server_sent_events);
    CHECK(error.find("ServerSentEvents failed: The Server-Sent Events request failed with HTTP status 404 Not "
                     "Found") != std::string::npos);
}
