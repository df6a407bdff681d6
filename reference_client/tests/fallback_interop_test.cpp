// Transport selection and fallback (NEG-030, NEG-031) against real servers: a
// hub without WebSockets, and a WebSocket upgrade that fails behind a relay.
#include "interop_support.hpp"
#include "peer_process.hpp"
#include "tcp_relay.hpp"
#include "trace_recorder.hpp"

#include <algorithm>

using namespace hubspec::client;
using namespace hubspec::client::test;

namespace {
hub_connection_builder every_transport(const std::string& url, const std::string& protocol) {
    hub_connection_builder b;
    b.with_url(url)
        .with_transport(transport_type::websockets)
        .with_transport(transport_type::server_sent_events)
        .with_transport(transport_type::long_polling)
        .with_hub_protocol(protocol_named(protocol));
    return b;
}

std::size_t count_negotiates(trace_recorder& trace) {
    auto r = trace.requests();
    return static_cast<std::size_t>(std::count_if(r.begin(), r.end(), [](const std::string& text) {
        return text.rfind("POST ", 0) == 0 && text.find("/negotiate") != std::string::npos;
    }));
}
} // namespace

TEST_CASE("NEG-030 without WebSockets JSON lands on SSE and MessagePack on long polling",
          "[interop][NEG-030][SSE-009]") {
    auto server = GENERATE(server_kind::aspnetcore, server_kind::hubspec);
    auto protocol = GENERATE(as<std::string>{}, "json", "messagepack");
    INFO(name_of(server) << " " << protocol);
    auto& peer = shared_server(server);
    auto connection = every_transport(peer.url("/conformance-nows"), protocol).build();
    await(connection.start());
    CHECK(await(connection.invoke_as<std::string>("GetActiveTransportName")) ==
          (protocol == "json" ? "ServerSentEvents" : "LongPolling"));
    CHECK(await(connection.invoke_as<int>("Add", {40, 2})) == 42);
    await(connection.stop());
}

TEST_CASE("NEG-031 a failed WebSocket upgrade falls back to the next transport after a fresh negotiate",
          "[interop][NEG-031][NEG-030]") {
    auto server = GENERATE(server_kind::aspnetcore, server_kind::hubspec);
    auto protocol = GENERATE(as<std::string>{}, "json", "messagepack");
    INFO(name_of(server) << " " << protocol);
    auto& peer = shared_server(server);
    tcp_relay relay(peer.port());
    relay.refuse_websocket_upgrades(true);
    trace_recorder trace;
    auto connection = every_transport(relay.url("/conformance"), protocol).with_trace(trace.handler()).build();
    await(connection.start());
    CHECK(await(connection.invoke_as<std::string>("GetActiveTransportName")) ==
          (protocol == "json" ? "ServerSentEvents" : "LongPolling"));
    CHECK(count_negotiates(trace) == 2); // NEG-031: the token of the failed attempt is not reused
    auto closes = trace.find(trace_kind::transport_close);
    REQUIRE_FALSE(closes.empty());
    CHECK(closes.front().text.find("400") != std::string::npos); // the declined upgrade, named
    await(connection.stop());
}

TEST_CASE("NEG-031 when every transport fails the error names each one and why", "[interop][NEG-031]") {
    auto& peer = shared_server(server_kind::aspnetcore);
    tcp_relay relay(peer.port());
    relay.refuse_websocket_upgrades(true);
    auto connection = hub_connection_builder()
                          .with_url(relay.url("/conformance"))
                          .with_transport(transport_type::websockets)
                          .with_hub_protocol(hub_protocol_kind::messagepack)
                          .build();
    try {
        connection.start().get();
        FAIL("the start should have failed");
    } catch (const connection_exception& e) {
        std::string text = e.what();
        CHECK(text.rfind("Unable to connect to the server with any of the available transports. ", 0) == 0);
        CHECK(text.find("WebSockets failed: WebSocket upgrade declined with HTTP status 400") != std::string::npos);
        CHECK(text.find("ServerSentEvents failed: 'ServerSentEvents' is disabled by the client.") != std::string::npos);
        CHECK(text.find("LongPolling failed: 'LongPolling' is disabled by the client.") != std::string::npos);
    }
    CHECK(connection.state() == connection_state::disconnected);
}
