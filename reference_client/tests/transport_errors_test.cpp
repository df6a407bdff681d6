// Bad server input on Server-Sent Events and long polling (LP-004, LP-010, SSE-001, HS-016,
// FRAME-007, MSG-004, FRAME-011, WS-019): the start fails or the connection ends with an error naming what
// the server did, never a crash or a hang; what the protocol says to skip is skipped.
#include "fake_http_server.hpp"
#include "transports/websocket_transport.hpp"

#include <hubspec/client.hpp>

#include <boost/asio/io_context.hpp>

#include <catch2/catch.hpp>

#include <chrono>
#include <functional>
#include <future>
#include <memory>
#include <optional>
#include <string>
#include <vector>

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

namespace {
/// A long-polling server whose polls answer `replies` in turn (the first poll only connects, LP-004),
/// then hold nothing: a poll after the last reply is answered 204, which ends the connection (LP-017).
std::function<std::string(const std::string&)> long_polling_with(std::vector<std::string> replies) {
    auto polls = std::make_shared<std::size_t>(0);
    return [polls, replies = std::move(replies)](const std::string& head) {
        if (is_negotiate(head)) return negotiate_offering("LongPolling");
        if (head.rfind("POST ", 0) == 0 || head.rfind("DELETE ", 0) == 0) return http_reply("200 OK", "text/plain", "");
        const auto n = (*polls)++;
        if (n == 0) return http_reply("200 OK", "text/plain", "");
        if (n - 1 < replies.size()) return http_reply("200 OK", "application/octet-stream", replies[n - 1]);
        return http_reply("204 No Content", "text/plain", "");
    };
}

struct close_watch {
    std::promise<std::optional<std::string>> closed;
    std::future<std::optional<std::string>> ended = closed.get_future();
    void watch(hub_connection& c) {
        c.on_close([this](const std::optional<std::string>& e) { closed.set_value(e); });
    }
    std::optional<std::string> take() {
        REQUIRE(ended.wait_for(std::chrono::seconds(20)) == std::future_status::ready);
        return ended.get();
    }
};

/// Starts a connection that must start (`prepare` may add handlers first), then waits for its end:
/// the close error (nullopt = graceful).
std::optional<std::string> close_error_after_start(const std::string& url, transport_type transport,
                                                   const std::function<void(hub_connection&)>& prepare = {}) {
    auto connection = hub_connection_builder().with_url(url).with_transport(transport).build();
    if (prepare) prepare(connection);
    close_watch watch;
    watch.watch(connection);
    auto started = connection.start();
    REQUIRE(started.wait_for(std::chrono::seconds(20)) == std::future_status::ready);
    started.get();
    auto error = watch.take();
    CHECK(connection.state() == connection_state::disconnected);
    return error;
}
} // namespace

TEST_CASE("HS-016 a handshake reply with an error, or a hub message instead, fails the start naming it",
          "[transports][HS-016]") {
    {
        fake_http_server server(long_polling_with({"{\"error\":\"Requested protocol 'json' is not available.\"}\x1e"}));
        auto error = start_error(server.url("/hub"), transport_type::long_polling);
        CHECK(error.find("Server returned handshake error: Requested protocol 'json' is not available.") !=
              std::string::npos);
    }
    {
        fake_http_server server(long_polling_with({"{\"type\":1,\"target\":\"Hello\",\"arguments\":[]}\x1e"}));
        auto error = start_error(server.url("/hub"), transport_type::long_polling);
        CHECK(error.find("Expected a handshake response from the server.") != std::string::npos);
    }
}

TEST_CASE("FRAME-007 a record that is not a hub message ends the connection with an error naming it",
          "[transports][FRAME-007]") {
    fake_http_server server(long_polling_with({"{}\x1e", "{\"type\":1,\"target\":\x1e"}));
    auto error = close_error_after_start(server.url("/hub"), transport_type::long_polling);
    REQUIRE(error.has_value());
    CHECK(error->rfind("The server sent a message that could not be read: ", 0) == 0);
}

TEST_CASE("MSG-004 a message of an unknown type is skipped and the next one is handled", "[transports][MSG-004]") {
    fake_http_server server(long_polling_with(
        {"{}\x1e",
         "{\"type\":99,\"whatever\":[1,2]}\x1e{\"type\":1,\"target\":\"Hello\",\"arguments\":[\"ann\"]}\x1e"}));
    std::promise<std::string> greeted;
    // The server's 204 after the two replies ends the connection without error (LP-017).
    CHECK(close_error_after_start(server.url("/hub"), transport_type::long_polling, [&greeted](hub_connection& c) {
              c.on("Hello", [&greeted](const arguments& args) {
                  greeted.set_value(args.size() == 1 && args[0].as_string() ? *args[0].as_string() : "?");
              });
          }) == std::nullopt);
    auto hello = greeted.get_future();
    REQUIRE(hello.wait_for(std::chrono::seconds(20)) == std::future_status::ready);
    CHECK(hello.get() == "ann");
}

TEST_CASE("FRAME-011 an event stream cut inside a record closes the connection with an error, no crash",
          "[transports][FRAME-011]") {
    fake_http_server server([](const std::string& head) {
        if (is_negotiate(head)) return negotiate_offering("ServerSentEvents");
        if (head.rfind("POST ", 0) == 0) return http_reply("200 OK", "text/plain", "");
        // The handshake reply, then half a record, and the stream ends (the fake closes the socket).
        return http_reply("200 OK", "text/event-stream", "data: {}\x1e\n\ndata: {\"type\":1,\"tar\n\n");
    });
    // FRAME-011: .NET's client text; an end between records is a graceful close (LP-017's 204 test above).
    CHECK(close_error_after_start(server.url("/hub"), transport_type::server_sent_events) ==
          std::optional<std::string>("Connection terminated while reading a message."));
}

TEST_CASE("WS-019 a Close frame with a code other than 1000 ends the connection with an error naming the code",
          "[transports][WS-019]") {
    fake_http_server server([](const std::string& head) {
        if (is_negotiate(head)) return negotiate_offering("WebSockets");
        return websocket_accept(head) + websocket_frame(0x1, "{}\x1e") + websocket_close_frame(1011, "going down");
    });
    auto error = close_error_after_start(server.url("/hub"), transport_type::websockets);
    REQUIRE(error.has_value());
    INFO(*error);
    CHECK(error->find("1011") != std::string::npos);
}

TEST_CASE("WS-019 a Close frame 1000 ends the connection without an error", "[transports][WS-019]") {
    fake_http_server server([](const std::string& head) {
        if (is_negotiate(head)) return negotiate_offering("WebSockets");
        return websocket_accept(head) + websocket_frame(0x1, "{}\x1e") + websocket_close_frame(1000, "");
    });
    CHECK(close_error_after_start(server.url("/hub"), transport_type::websockets) == std::nullopt);
}

TEST_CASE("WS-001 a WebSocket upgrade answered without 101 fails the start and closes its socket at once",
          "[transports][WS-001]") {
    fake_http_server server([](const std::string&) { return http_reply("404 Not Found", "text/plain", "no hub"); });
    boost::asio::io_context io;
    auto transport = detail::make_websocket_transport(io, detail::transport_settings{});
    bool started = false;
    std::optional<std::string> start_error;
    transport->start(
        server.url("/hub?id=t1"), hubspec::protocol::transfer_format::text,
        [&](std::optional<std::string> error) {
            started = true;
            start_error = std::move(error);
        },
        [](std::string_view) {}, [](detail::transport_closed) {});
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (!started && io.run_one_until(deadline) > 0) {}
    REQUIRE(start_error.has_value());
    CHECK(start_error->find("404") != std::string::npos);
    // Still held here: the socket is closed by the failed start, not left to the transport's destruction.
    CHECK(server.wait_for_client_closes(1, std::chrono::seconds(5)));
}
