// The control API (control.hpp) seen on the wire: a real server on 127.0.0.1 and
// raw clients. Drop ends a transport without a goodbye (WS-018, SSE-013, LP-010),
// close sends the Close message asked for (MSG-070, MSG-071), refused WebSockets
// get 503 while negotiate offers them, Pings stop and resume (KA-001), sends wait.
#include "wire_client.hpp"

#include "hubspec/protocol/negotiate.hpp"

#include <boost/asio/write.hpp>

using namespace hubspec::server;
using namespace hubspec::server::testing;
using namespace std::chrono_literals;
namespace p = hubspec::protocol;

namespace {

server_options quiet_options() {
    server_options options;
    options.log_to_stderr = false;
    options.hub.keep_alive_interval = 100ms;
    return options;
}

std::string only_connection_id(server& s, const std::string& transport) {
    const auto connections = s.control().connections();
    REQUIRE(connections.size() == 1);
    CHECK(connections[0].transport == transport);
    CHECK(connections[0].hub_path == "/conformance");
    return connections[0].connection_id;
}

std::string negotiated_token(std::uint16_t port) {
    auto response = http_request_to(port, http::verb::post, "/conformance/negotiate?negotiateVersion=1");
    REQUIRE(response.result_int() == 200);
    auto parsed = p::parse_negotiate_response(response.body());
    REQUIRE(parsed.has_value());
    return *parsed->connection_token;
}

/// A raw TCP client: writes a request as given, reads whatever comes until EOF.
struct raw_client {
    net::io_context io;
    tcp::socket socket{io};
    std::string received;

    explicit raw_client(std::uint16_t port) {
        REQUIRE_FALSE(await(
            io, [&](auto h) { socket.async_connect(tcp::endpoint(net::ip::make_address("127.0.0.1"), port), h); }));
    }
    void write(const std::string& bytes) {
        REQUIRE_FALSE(await(io, [&](auto h) { net::async_write(socket, net::buffer(bytes), h); }));
    }
    /// Reads until `received` contains `text`.
    void read_until(const std::string& text) {
        while (received.find(text) == std::string::npos) {
            REQUIRE_FALSE(read_some());
        }
    }
    /// Reads until the peer ends the connection; its error (eof or reset).
    beast::error_code read_to_end() {
        for (;;) {
            if (auto ec = read_some()) return ec;
        }
    }
    beast::error_code read_some() {
        char chunk[4096];
        std::size_t got = 0;
        const auto ec = await(io, [&](auto h) {
            socket.async_read_some(net::buffer(chunk), [&got, h](beast::error_code e, std::size_t n) mutable {
                got = n;
                h(e);
            });
        });
        received.append(chunk, got);
        return ec;
    }
};

} // namespace

TEST_CASE("WS-018 control drop ends a WebSocket with EOF and no Close frame", "[control][wire][WS-018]") {
    running_server server(quiet_options());
    ws_client client;
    client.connect(server.port);
    const auto id = only_connection_id(server.s, "WebSockets");
    REQUIRE(server.s.control().drop(id));
    for (;;) {
        auto [message, ec] = client.next();
        if (message) {
            CHECK(message->find("\"type\":7") == std::string::npos); // Pings may still come; never a Close
            continue;
        }
        INFO("the stream ended with: " << ec.message());
        CHECK(ec != websocket::error::closed); // a Close frame would be graceful
        CHECK((ec == net::error::eof || ec == net::error::connection_reset));
        break;
    }
    CHECK(server.s.control().connections().empty()); // not stateful: the connection ended (WS-018)
    CHECK_FALSE(server.s.control().drop(id));
}

TEST_CASE("SR-011 SR-012 control drop of a stateful WebSocket leaves it waiting for a reconnect",
          "[control][wire][SR-011][SR-012]") {
    running_server server(quiet_options());
    auto response = http_request_to(server.port, http::verb::post,
                                    "/conformance/negotiate?negotiateVersion=1&useStatefulReconnect=true");
    auto parsed = p::parse_negotiate_response(response.body());
    REQUIRE(parsed.has_value());
    REQUIRE(parsed->use_stateful_reconnect);
    ws_client client;
    REQUIRE_FALSE(client.open(server.port, "/conformance?id=" + *parsed->connection_token));
    client.send_text("{\"protocol\":\"json\",\"version\":2}\x1e");
    CHECK(client.read() == "{}\x1e");
    REQUIRE(server.s.control().drop(*parsed->connection_id));
    for (;;) {
        auto [message, ec] = client.next();
        if (message) continue; // Pings or an Ack
        CHECK(ec != websocket::error::closed);
        break;
    }
    const auto connections = server.s.control().connections();
    REQUIRE(connections.size() == 1);
    CHECK(connections[0].connection_id == *parsed->connection_id);
    CHECK(connections[0].awaiting_reconnect);
}

TEST_CASE(
    "MSG-070 control close with allowReconnect sends the Close message with allowReconnect true then a Close frame",
    "[control][wire][MSG-070][WS-012]") {
    running_server server(quiet_options());
    ws_client client;
    client.connect(server.port);
    const auto id = only_connection_id(server.s, "WebSockets");
    REQUIRE(server.s.control().close(id, true));
    CHECK(client.read_skipping_pings() == "{\"type\":7,\"allowReconnect\":true}\x1e");
    auto [message, ec] = client.next();
    CHECK_FALSE(message.has_value());
    CHECK(ec == websocket::error::closed); // graceful: a Close frame (WS-012)
    CHECK(client.ws.reason().code == websocket::close_code::normal);
}

TEST_CASE("MSG-070 control close without allowReconnect carries the error and no allowReconnect",
          "[control][wire][MSG-070]") {
    running_server server(quiet_options());
    ws_client client;
    client.connect(server.port);
    REQUIRE(server.s.control().close(only_connection_id(server.s, "WebSockets"), false, "going away"));
    CHECK(client.read_skipping_pings() == "{\"type\":7,\"error\":\"going away\"}\x1e");
    CHECK(client.next().second == websocket::error::closed);
}

TEST_CASE("MSG-071 control close in MessagePack is 7 nil true or 7 error false", "[control][wire][MSG-071]") {
    running_server server(quiet_options());
    ws_client first;
    first.connect(server.port, "messagepack");
    REQUIRE(server.s.control().close(only_connection_id(server.s, "WebSockets"), true));
    CHECK(first.read_skipping_pings() == std::string("\x04\x93\x07\xc0\xc3", 5));
    CHECK(first.next().second == websocket::error::closed);

    ws_client second;
    second.connect(server.port, "messagepack");
    REQUIRE(server.s.control().close(only_connection_id(server.s, "WebSockets"), false, "bye"));
    CHECK(second.read_skipping_pings() == std::string("\x07\x93\x07\xa3"
                                                      "bye\xc2",
                                                      8));
}

TEST_CASE("CTL control close and drop of an unknown connection report false", "[control][wire]") {
    running_server server(quiet_options());
    CHECK_FALSE(server.s.control().drop("nope"));
    CHECK_FALSE(server.s.control().close("nope", true));
    CHECK(server.s.control().drop_all() == 0);
}

TEST_CASE("WS-001 refused WebSockets: upgrades get 503 while negotiate still offers WebSockets",
          "[control][wire][WS-001][NEG-014]") {
    running_server server(quiet_options());
    server.s.control().refuse_websockets(true);
    CHECK(server.s.control().websockets_refused());
    auto negotiated = p::parse_negotiate_response(
        http_request_to(server.port, http::verb::post, "/conformance/negotiate?negotiateVersion=1").body());
    REQUIRE(negotiated.has_value());
    REQUIRE_FALSE(negotiated->available_transports.empty());
    CHECK(negotiated->available_transports[0].transport == "WebSockets");

    ws_client refused;
    websocket::response_type response;
    CHECK(refused.open(server.port, "/conformance?id=" + *negotiated->connection_token, &response) ==
          websocket::error::upgrade_declined);
    CHECK(response.result_int() == 503);

    server.s.control().refuse_websockets(false);
    ws_client accepted;
    accepted.connect(server.port);
    CHECK(server.s.control().connections().size() == 1);
}

TEST_CASE("KA-001 with pings off no Ping comes within 2 keep-alive intervals, back on they resume",
          "[control][wire][KA-001]") {
    running_server server(quiet_options()); // keep-alive 100 ms
    ws_client client;
    client.connect(server.port);
    CHECK(client.read() == "{\"type\":6}\x1e"); // Pings flow
    server.s.control().pings(false);
    CHECK_FALSE(server.s.control().pings_on());
    // A round trip after the switch: a Ping decided before it is on the wire ahead of the answer.
    client.send_text("{\"type\":1,\"invocationId\":\"1\",\"target\":\"Echo\",\"arguments\":[1]}\x1e");
    CHECK(client.read_skipping_pings() == "{\"type\":3,\"invocationId\":\"1\",\"result\":1}\x1e");

    std::optional<beast::error_code> got;
    client.buffer.clear();
    client.ws.async_read(client.buffer, [&](beast::error_code ec, std::size_t) { got = ec; });
    CHECK_FALSE(run_until(
        client.io, [&] { return got.has_value(); }, 250ms)); // 2.5 intervals, silent
    server.s.control().pings(true);
    REQUIRE(run_until(client.io, [&] { return got.has_value(); }));
    REQUIRE_FALSE(*got);
    CHECK(beast::buffers_to_string(client.buffer.cdata()) == "{\"type\":6}\x1e");
}

TEST_CASE("CTL delay_outgoing holds every message by the delay and keeps their order", "[control][wire]") {
    auto options = quiet_options();
    options.hub.keep_alive_interval = std::chrono::milliseconds(60'000); // no Pings in the way
    running_server server(options);
    ws_client client;
    client.connect(server.port);
    server.s.control().delay_outgoing(300ms);
    CHECK(server.s.control().outgoing_delay() == 300ms);
    const auto sent = std::chrono::steady_clock::now();
    client.send_text("{\"type\":1,\"invocationId\":\"1\",\"target\":\"Echo\",\"arguments\":[1]}\x1e"
                     "{\"type\":1,\"invocationId\":\"2\",\"target\":\"Echo\",\"arguments\":[2]}\x1e");
    std::string answers = client.read();
    const auto first_arrived = std::chrono::steady_clock::now();
    if (answers.find("\"2\"") == std::string::npos) answers += client.read();
    CHECK(first_arrived - sent >= 300ms);
    CHECK(answers == "{\"type\":3,\"invocationId\":\"1\",\"result\":1}\x1e"
                     "{\"type\":3,\"invocationId\":\"2\",\"result\":2}\x1e");

    server.s.control().delay_outgoing(0ms);
    client.send_text("{\"type\":1,\"invocationId\":\"3\",\"target\":\"Echo\",\"arguments\":[3]}\x1e");
    CHECK(client.read() == "{\"type\":3,\"invocationId\":\"3\",\"result\":3}\x1e");
}

TEST_CASE("ERR-009 a Close held by the delay still goes out, after what was sent before it",
          "[control][wire][ERR-009][MSG-074]") {
    auto options = quiet_options();
    options.hub.keep_alive_interval = std::chrono::milliseconds(60'000);
    running_server server(options);
    ws_client client;
    client.connect(server.port);
    server.s.control().delay_outgoing(200ms);
    // One message: the Echo's answer is held, then Abort() closes; the Close must not overtake it.
    client.send_text("{\"type\":1,\"invocationId\":\"1\",\"target\":\"Echo\",\"arguments\":[1]}\x1e"
                     "{\"type\":1,\"invocationId\":\"2\",\"target\":\"Abort\",\"arguments\":[]}\x1e");
    std::string seen;
    for (;;) {
        auto [message, ec] = client.next();
        if (!message) {
            CHECK(ec == websocket::error::closed);
            break;
        }
        seen += *message;
    }
    CHECK(seen == "{\"type\":3,\"invocationId\":\"1\",\"result\":1}\x1e{\"type\":7}\x1e");
}

TEST_CASE("SSE-013 control drop ends an event stream without its last chunk", "[control][wire][SSE-013]") {
    running_server server(quiet_options());
    const auto token = negotiated_token(server.port);
    raw_client stream(server.port);
    stream.write("GET /conformance?id=" + token + " HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n\r\n");
    stream.read_until("\r\n\r\n3\r\n:\r\n\r\n"); // the head, then the comment that opens the stream (SSE-005)
    REQUIRE(server.s.control().drop(only_connection_id(server.s, "ServerSentEvents")));
    const auto ec = stream.read_to_end();
    CHECK((ec == net::error::eof || ec == net::error::connection_reset));
    CHECK(stream.received.find("\r\n0\r\n\r\n") == std::string::npos); // no last chunk: not a graceful end
    CHECK(server.s.control().connections().empty());
    CHECK(http_request_to(server.port, http::verb::get, "/conformance?id=" + token, "text/event-stream").result_int() ==
          404);
}

TEST_CASE("LP-010 control drop cuts the pending poll without a reply and the connection is gone",
          "[control][wire][LP-010][LP-011]") {
    running_server server(quiet_options());
    const auto token = negotiated_token(server.port);
    CHECK(http_request_to(server.port, http::verb::get, "/conformance?id=" + token).result_int() == 200); // LP-003
    raw_client poll(server.port);
    poll.write("GET /conformance?id=" + token + " HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
    // Awaits the server's view of the poll: it reads the request on its own thread.
    const auto deadline = std::chrono::steady_clock::now() + wire_deadline;
    while (!server.s.control().connections().at(0).poll_pending) {
        REQUIRE(std::chrono::steady_clock::now() < deadline);
        std::this_thread::yield();
    }
    REQUIRE(server.s.control().drop(only_connection_id(server.s, "LongPolling")));
    const auto ec = poll.read_to_end();
    CHECK((ec == net::error::eof || ec == net::error::connection_reset));
    CHECK(poll.received.empty()); // no 204: that would be a graceful end (LP-010)
    CHECK(server.s.control().connections().empty());
    CHECK(http_request_to(server.port, http::verb::get, "/conformance?id=" + token).result_int() == 404);
}

namespace {
/// A long-polling POST of `body` on its own connection; the status.
unsigned long_polling_post(std::uint16_t port, const std::string& token, const std::string& body) {
    raw_client post(port);
    post.write("POST /conformance?id=" + token + " HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: " +
               std::to_string(body.size()) + "\r\nConnection: close\r\n\r\n" + body);
    post.read_to_end();
    return post.received.starts_with("HTTP/1.1 200") ? 200 : 0;
}

/// Waits until the server's view of the connection's poll is `pending` (it reads on its own thread).
void await_poll_pending(server& s, bool pending) {
    const auto deadline = std::chrono::steady_clock::now() + wire_deadline;
    while (s.control().connections().at(0).poll_pending != pending) {
        REQUIRE(std::chrono::steady_clock::now() < deadline);
        std::this_thread::yield();
    }
}
} // namespace

TEST_CASE("LP-005 a poll its client closed is given up: what comes next waits for the next poll, none is lost",
          "[wire][LP-005][LP-011]") {
    running_server server(quiet_options());
    const auto token = negotiated_token(server.port);
    CHECK(http_request_to(server.port, http::verb::get, "/conformance?id=" + token).result_int() == 200); // LP-003
    REQUIRE(long_polling_post(server.port, token, "{\"protocol\":\"json\",\"version\":1}\x1e") == 200);
    CHECK(http_request_to(server.port, http::verb::get, "/conformance?id=" + token).body() == "{}\x1e");

    {
        // A client that gives up on its poll, as the TS client does after its own HTTP timeout (LP-010).
        raw_client poll(server.port);
        poll.write("GET /conformance?id=" + token + " HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
        await_poll_pending(server.s, true);
    }
    await_poll_pending(server.s, false); // the server saw the socket close

    REQUIRE(long_polling_post(server.port, token,
                              "{\"type\":1,\"invocationId\":\"1\",\"target\":\"Echo\",\"arguments\":[\"kept\"]}\x1e") ==
            200);
    const auto next = http_request_to(server.port, http::verb::get, "/conformance?id=" + token);
    CHECK(next.result_int() == 200);
    CHECK(next.body() == "{\"type\":3,\"invocationId\":\"1\",\"result\":\"kept\"}\x1e");
}

TEST_CASE("CTL drop_all drops every transport", "[control][wire]") {
    running_server server(quiet_options());
    ws_client a;
    a.connect(server.port);
    ws_client b;
    b.connect(server.port, "messagepack");
    CHECK(server.s.control().connections("/conformance").size() == 2);
    CHECK(server.s.control().connections("/chat").empty());
    CHECK(server.s.control().drop_all() == 2);
    for (auto* client : {&a, &b}) {
        for (;;) {
            auto [message, ec] = client->next();
            if (message) continue;
            CHECK(ec != websocket::error::closed);
            break;
        }
    }
}
