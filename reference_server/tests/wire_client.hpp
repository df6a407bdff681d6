#pragma once
// Raw-wire helpers for tests against a real hubspec::server on 127.0.0.1: the
// server runs on its own thread; the test drives Beast clients on its own
// io_context, awaiting each operation with a deadline (a test fails, never hangs).
#include "hubspec/server/conformance_hub.hpp"
#include "hubspec/server/server.hpp"

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>

#include <catch2/catch.hpp>

#include <chrono>
#include <optional>
#include <string>
#include <thread>

namespace hubspec::server::testing {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
using tcp = net::ip::tcp;

constexpr std::chrono::seconds wire_deadline{10};

/// A hubspec::server with the contract endpoints, listening on a free port, run on a thread.
struct running_server {
    explicit running_server(server_options options = {}) : s(options) {
        add_contract_endpoints(s);
        port = s.listen("127.0.0.1", 0);
        thread = std::thread([this] { s.run(); });
    }
    ~running_server() {
        s.stop();
        thread.join();
    }
    running_server(const running_server&) = delete;
    running_server& operator=(const running_server&) = delete;

    server s;
    std::uint16_t port = 0;
    std::thread thread;
};

/// Runs `io` until `done` holds or `limit` passes; false on the deadline.
template <class Done>
bool run_until(net::io_context& io, Done done, std::chrono::steady_clock::duration limit = wire_deadline) {
    const auto deadline = std::chrono::steady_clock::now() + limit;
    io.restart();
    while (!done()) {
        const auto now = std::chrono::steady_clock::now();
        if (now >= deadline) return false;
        if (io.run_one_for(deadline - now) == 0 && !done()) {
            if (std::chrono::steady_clock::now() >= deadline) return false;
            io.restart();
        }
    }
    return true;
}

/// Starts `op(handler)` and awaits its error code; fails the test on the deadline.
template <class Op>
beast::error_code await(net::io_context& io, Op op, std::chrono::steady_clock::duration limit = wire_deadline) {
    std::optional<beast::error_code> result;
    op([&result](beast::error_code ec, auto&&...) { result = ec; });
    REQUIRE(run_until(
        io, [&] { return result.has_value(); }, limit));
    return *result;
}

/// One plain HTTP/1.1 request on a new connection.
inline http::response<http::string_body> http_request_to(std::uint16_t port, http::verb verb, const std::string& target,
                                                         const std::string& accept = {}) {
    net::io_context io;
    beast::tcp_stream stream(io);
    REQUIRE_FALSE(
        await(io, [&](auto h) { stream.async_connect(tcp::endpoint(net::ip::make_address("127.0.0.1"), port), h); }));
    http::request<http::string_body> request{verb, target, 11};
    request.set(http::field::host, "127.0.0.1");
    if (!accept.empty()) request.set(http::field::accept, accept);
    request.prepare_payload();
    REQUIRE_FALSE(await(io, [&](auto h) { http::async_write(stream, request, h); }));
    beast::flat_buffer buffer;
    http::response<http::string_body> response;
    REQUIRE_FALSE(await(io, [&](auto h) { http::async_read(stream, buffer, response, h); }));
    return response;
}

/// A WebSocket client speaking raw hub records.
struct ws_client {
    net::io_context io;
    websocket::stream<beast::tcp_stream> ws{io};
    beast::flat_buffer buffer;

    /// Connects and upgrades; the upgrade's error (websocket::error::upgrade_declined with `response`).
    beast::error_code open(std::uint16_t port, const std::string& target,
                           websocket::response_type* response = nullptr) {
        auto& lowest = beast::get_lowest_layer(ws);
        REQUIRE_FALSE(await(
            io, [&](auto h) { lowest.async_connect(tcp::endpoint(net::ip::make_address("127.0.0.1"), port), h); }));
        websocket::response_type ignored;
        return await(io, [&](auto h) { ws.async_handshake(response ? *response : ignored, "127.0.0.1", target, h); });
    }

    /// Upgrades and completes the hub handshake in `protocol` ("json" or "messagepack").
    void connect(std::uint16_t port, const std::string& protocol = "json", const std::string& target = "/conformance") {
        REQUIRE_FALSE(open(port, target));
        send_text("{\"protocol\":\"" + protocol + "\",\"version\":1}\x1e");
        CHECK(read() == "{}\x1e");
        ws.binary(protocol == "messagepack");
    }

    void send_text(const std::string& text) {
        const bool binary = ws.binary();
        ws.text(true);
        REQUIRE_FALSE(await(io, [&](auto h) { ws.async_write(net::buffer(text), h); }));
        ws.binary(binary);
    }

    void send_binary(const std::string& bytes) {
        ws.binary(true);
        REQUIRE_FALSE(await(io, [&](auto h) { ws.async_write(net::buffer(bytes), h); }));
    }

    /// The next WebSocket message, or the error that ended the stream (nullopt message).
    std::pair<std::optional<std::string>, beast::error_code>
    next(std::chrono::steady_clock::duration limit = wire_deadline) {
        buffer.clear();
        const auto ec = await(
            io, [&](auto h) { ws.async_read(buffer, h); }, limit);
        if (ec) return {std::nullopt, ec};
        return {beast::buffers_to_string(buffer.cdata()), ec};
    }

    std::string read() {
        auto [message, ec] = next();
        INFO("read failed: " << ec.message());
        REQUIRE(message.has_value());
        return *message;
    }

    /// The next message without its leading Pings (JSON {"type":6} or MessagePack 02 91 06): a Ping
    /// may share a WebSocket message with what was queued behind it (WS-011).
    std::string read_skipping_pings() {
        static const std::string json_ping = "{\"type\":6}\x1e";
        static const std::string messagepack_ping("\x02\x91\x06", 3);
        for (;;) {
            auto message = read();
            for (;;) {
                if (message.starts_with(json_ping)) {
                    message.erase(0, json_ping.size());
                } else if (message.starts_with(messagepack_ping)) {
                    message.erase(0, messagepack_ping.size());
                } else {
                    break;
                }
            }
            if (!message.empty()) return message;
        }
    }
};

} // namespace hubspec::server::testing
