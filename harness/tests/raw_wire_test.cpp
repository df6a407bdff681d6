// The raw-wire transports (raw_connect) against the reference server in-process.

#include "engine/raw_actor.hpp"

#include <hubspec/protocol/hub_protocol.hpp>
#include <hubspec/protocol/negotiate.hpp>
#include <hubspec/server/conformance_hub.hpp>
#include <hubspec/server/server.hpp>

#include <catch2/catch.hpp>

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <string>
#include <thread>

using namespace hubspec;
using hubspec::harness::transcript;
using namespace hubspec::harness::detail;

namespace {

class running_server {
public:
    running_server() {
        server::add_contract_endpoints(server_);
        port_ = server_.listen("127.0.0.1", 0);
        thread_ = std::thread([this] { server_.run(); });
    }
    ~running_server() {
        server_.stop();
        thread_.join();
    }
    running_server(const running_server&) = delete;
    running_server& operator=(const running_server&) = delete;

    std::string url(const std::string& path) const { return "http://127.0.0.1:" + std::to_string(port_) + path; }

private:
    server::server server_;
    std::uint16_t port_ = 0;
    std::thread thread_;
};

/// A port that accepts TCP connections (into the backlog) and never answers: a hung server.
class silent_port {
public:
    silent_port() {
        fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
        sockaddr_in address{};
        address.sin_family = AF_INET;
        address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        socklen_t size = sizeof address;
        if (fd_ < 0 || ::bind(fd_, reinterpret_cast<sockaddr*>(&address), size) != 0 || ::listen(fd_, 16) != 0 ||
            ::getsockname(fd_, reinterpret_cast<sockaddr*>(&address), &size) != 0)
            throw std::runtime_error("cannot listen");
        port_ = ntohs(address.sin_port);
    }
    ~silent_port() { ::close(fd_); }
    silent_port(const silent_port&) = delete;
    silent_port& operator=(const silent_port&) = delete;
    std::string url(const std::string& path) const { return "http://127.0.0.1:" + std::to_string(port_) + path; }

private:
    int fd_ = -1;
    std::uint16_t port_ = 0;
};

std::string describe(const raw_event& event) {
    if (const auto* h = std::get_if<raw_handshake>(&event)) return "handshake " + h->json;
    if (const auto* m = std::get_if<protocol::hub_message>(&event)) return "message " + std::string(type_name(*m));
    if (const auto* c = std::get_if<raw_closed>(&event)) return "closed: " + c->how;
    if (const auto* b = std::get_if<raw_bad_bytes>(&event)) return "bad bytes: " + b->problem;
    return "timeout";
}

/// The next event that is not a Ping.
raw_event next_but_pings(raw_actor& actor) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    for (;;) {
        auto event = actor.next(deadline);
        const auto* m = std::get_if<protocol::hub_message>(&event);
        if (!m || !std::holds_alternative<protocol::ping_message>(*m)) return event;
    }
}

/// A raw JSON connection to the conformance hub over `transport`, its handshake response read.
std::unique_ptr<raw_actor> connected_actor(const running_server& server, protocol::transport_type transport,
                                           transcript& log) {
    raw_connect_options options;
    options.url = server.url("/conformance");
    options.transport = transport;
    options.timeout = std::chrono::milliseconds(5'000);
    auto actor = raw_connect("a", options, protocol::json_protocol(), log);
    REQUIRE(std::holds_alternative<raw_handshake>(next_but_pings(*actor)));
    return actor;
}

std::string show_transcript(const transcript& log) {
    std::string out;
    for (const auto& e : log.entries())
        out += std::string(to_string(e.direction)) + " " + e.actor + " " + e.kind + ": " + e.text + "\n";
    return out;
}

} // namespace

TEST_CASE("raw_connect invokes Echo over every transport and protocol", "[harness]") {
    running_server server;
    const std::pair<protocol::transport_type, const protocol::hub_protocol*> cells[] = {
        {protocol::transport_type::websockets, &protocol::json_protocol()},
        {protocol::transport_type::websockets, &protocol::messagepack_protocol()},
        {protocol::transport_type::server_sent_events, &protocol::json_protocol()},
        {protocol::transport_type::long_polling, &protocol::json_protocol()},
        {protocol::transport_type::long_polling, &protocol::messagepack_protocol()},
    };
    for (const auto& [transport, hub_protocol] : cells) {
        transcript log;
        INFO(std::string(protocol::transport_name(transport)) + " " + std::string(hub_protocol->name()));
        raw_connect_options options;
        options.url = server.url("/conformance");
        options.transport = transport;
        options.timeout = std::chrono::milliseconds(5'000);
        auto actor = raw_connect("a", options, *hub_protocol, log);
        INFO(show_transcript(log));
        CHECK_FALSE(actor->connection_id.empty());
        CHECK_FALSE(actor->connection_token.empty());
        CHECK(actor->connection_id != actor->connection_token);

        auto reply = next_but_pings(*actor);
        INFO(describe(reply));
        REQUIRE(std::holds_alternative<raw_handshake>(reply));
        CHECK(std::get<raw_handshake>(reply).json == "{}");

        actor->send(hub_protocol->encode(protocol::invocation_message{{}, "1", "Echo", {protocol::value("hi")}, {}}));
        auto answer = next_but_pings(*actor);
        INFO(describe(answer) + "\n" + show_transcript(log));
        REQUIRE(std::holds_alternative<protocol::hub_message>(answer));
        const auto* completion = std::get_if<protocol::completion_message>(&std::get<protocol::hub_message>(answer));
        REQUIRE(completion);
        CHECK(completion->invocation_id == "1");
        CHECK(completion->result == protocol::value("hi"));

        actor->close();
        auto end = next_but_pings(*actor);
        INFO(describe(end) + "\n" + show_transcript(log));
        REQUIRE(std::holds_alternative<raw_closed>(end));
        if (transport == protocol::transport_type::websockets)
            CHECK(std::get<raw_closed>(end).how == "close frame 1000"); // WS-012
        if (transport == protocol::transport_type::long_polling) {
            // 204 ends the pending poll (LP-017); 404 when the DELETE overtook the next poll (LP-012).
            const auto& how = std::get<raw_closed>(end).how;
            CHECK((how.starts_with("HTTP 204") || how.starts_with("HTTP 404")));
        }
    }
}

TEST_CASE("raw_connect reports a refused WebSocket upgrade with its status", "[harness]") {
    running_server server;
    transcript log;
    raw_connect_options options;
    options.url = server.url("/conformance-nows");
    options.transport = protocol::transport_type::websockets;
    options.timeout = std::chrono::milliseconds(5'000);
    try {
        auto actor = raw_connect("a", options, protocol::json_protocol(), log);
        FAIL("the upgrade was accepted");
    } catch (const raw_refused& e) {
        INFO(e.what());
        CHECK(e.status >= 400);
        CHECK(e.status < 500);
    }
}

TEST_CASE("raw_connect without negotiate opens a WebSocket directly", "[harness]") {
    running_server server;
    transcript log;
    raw_connect_options options;
    options.url = server.url("/conformance");
    options.negotiate = false; // NEG-029
    options.timeout = std::chrono::milliseconds(5'000);
    auto actor = raw_connect("a", options, protocol::json_protocol(), log);
    auto reply = next_but_pings(*actor);
    INFO(describe(reply) + "\n" + show_transcript(log));
    REQUIRE(std::holds_alternative<raw_handshake>(reply));
    // Destroyed without close(): the destructor must not hang.
}

TEST_CASE("raw_connect reports a poll or event stream of an unknown connection as refused", "[harness]") {
    running_server server;
    for (const auto transport :
         {protocol::transport_type::long_polling, protocol::transport_type::server_sent_events}) {
        INFO(std::string(protocol::transport_name(transport)));
        transcript log;
        raw_connect_options options;
        options.url = server.url("/conformance?id=unknown");
        options.negotiate = false;
        options.transport = transport;
        options.timeout = std::chrono::milliseconds(5'000);
        try {
            auto actor = raw_connect("a", options, protocol::json_protocol(), log);
            FAIL("the request was accepted");
        } catch (const raw_refused& e) {
            INFO(e.what());
            CHECK(e.status == 404); // LP-012, SSE-002
        }
    }
}

TEST_CASE("raw_connect gives up on a server that never answers", "[harness]") {
    silent_port silent;
    for (const bool negotiate : {true, false}) {
        for (const auto transport : {protocol::transport_type::websockets, protocol::transport_type::server_sent_events,
                                     protocol::transport_type::long_polling}) {
            INFO(std::string(protocol::transport_name(transport)) + (negotiate ? " with negotiate" : ""));
            transcript log;
            raw_connect_options options;
            options.url = silent.url("/conformance?id=x");
            options.transport = transport;
            options.negotiate = negotiate;
            options.timeout = std::chrono::milliseconds(200);
            const auto start = std::chrono::steady_clock::now();
            CHECK_THROWS_AS(raw_connect("a", options, protocol::json_protocol(), log), std::runtime_error);
            CHECK(std::chrono::steady_clock::now() - start < std::chrono::seconds(3));
        }
    }
}

TEST_CASE("raw actors destroyed without close() end promptly", "[harness]") {
    running_server server;
    for (const auto transport : {protocol::transport_type::websockets, protocol::transport_type::server_sent_events,
                                 protocol::transport_type::long_polling}) {
        INFO(std::string(protocol::transport_name(transport)));
        transcript log;
        auto actor = connected_actor(server, transport, log);
        // A poll or the event stream is pending now.
        const auto start = std::chrono::steady_clock::now();
        actor.reset();
        CHECK(std::chrono::steady_clock::now() - start < std::chrono::seconds(1));
    }
}

TEST_CASE("raw_connect with negotiate version 0 uses the connection id as the token", "[harness]") {
    running_server server;
    transcript log;
    raw_connect_options options;
    options.url = server.url("/conformance");
    options.transport = protocol::transport_type::long_polling;
    options.negotiate_version = 0;
    options.extra_query = "client=raw"; // servers ignore unknown query parameters (LP-020)
    options.timeout = std::chrono::milliseconds(5'000);
    auto actor = raw_connect("a", options, protocol::json_protocol(), log);
    CHECK(actor->connection_token == actor->connection_id); // NEG-011, NEG-020
    auto reply = next_but_pings(*actor);
    INFO(describe(reply) + "\n" + show_transcript(log));
    REQUIRE(std::holds_alternative<raw_handshake>(reply));
    actor->close();
}

TEST_CASE("raw pause holds back a message larger than one read, whole, until reading resumes", "[harness]") {
    running_server server;
    transcript log;
    auto actor = connected_actor(server, protocol::transport_type::websockets, log);

    // The read already waiting when the pause comes must not take in a whole 30 KB message.
    REQUIRE(actor->pause_reading(true));
    const std::string big(30'000, 'x');
    actor->send(
        protocol::json_protocol().encode(protocol::invocation_message{{}, "1", "Echo", {protocol::value(big)}, {}}));
    auto held = actor->next(std::chrono::steady_clock::now() + std::chrono::milliseconds(500));
    INFO(describe(held) + "\n" + show_transcript(log));
    CHECK(std::holds_alternative<raw_timeout>(held));

    actor->pause_reading(false);
    auto answer = next_but_pings(*actor);
    INFO(describe(answer) + "\n" + show_transcript(log));
    REQUIRE(std::holds_alternative<protocol::hub_message>(answer));
    const auto* completion = std::get_if<protocol::completion_message>(&std::get<protocol::hub_message>(answer));
    REQUIRE(completion);
    CHECK(completion->result == protocol::value(big));
}

TEST_CASE("raw send_repeated sends every copy and records the first with a count", "[harness]") {
    running_server server;
    for (auto transport : {protocol::transport_type::websockets, protocol::transport_type::long_polling}) {
        INFO(protocol::transport_name(transport));
        transcript log;
        auto actor = connected_actor(server, transport, log);

        // A non-blocking invocation: the caller gets Echo("r") once per copy.
        actor->send_repeated(protocol::json_protocol().encode(
                                 protocol::invocation_message{{}, {}, "EchoToCaller", {protocol::value("r")}, {}}),
                             5);
        for (int i = 0; i < 5; ++i) {
            auto event = next_but_pings(*actor);
            INFO(i << ": " << describe(event) << "\n" << show_transcript(log));
            REQUIRE(std::holds_alternative<protocol::hub_message>(event));
            const auto* call = std::get_if<protocol::invocation_message>(&std::get<protocol::hub_message>(event));
            REQUIRE(call);
            CHECK(call->target == "Echo");
        }
        int sent_copies = 0, counted = 0;
        for (const auto& e : log.entries()) {
            if (e.direction != harness::transcript_direction::sent || e.bytes.find("EchoToCaller") == std::string::npos)
                continue;
            ++sent_copies;
        }
        for (const auto& e : log.entries())
            if (e.text.find("4 more times") != std::string::npos) ++counted;
        CHECK(sent_copies == 1);
        CHECK(counted == 1);
        actor->close();
    }
}
