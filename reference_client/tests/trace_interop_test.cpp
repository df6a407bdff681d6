// The trace hook (what the harness records) and the HTTP shape of SSE and long
// polling seen through it: requests, payloads, states, DELETE or not on stop.
#include "interop_support.hpp"
#include "peer_process.hpp"
#include "trace_recorder.hpp"

#include <algorithm>

using namespace hubspec::client;
using namespace hubspec::client::test;

namespace {
bool has_request(trace_recorder& trace, const std::string& prefix) {
    auto r = trace.requests();
    return std::any_of(r.begin(), r.end(), [&](const std::string& t) { return t.rfind(prefix, 0) == 0; });
}
} // namespace

TEST_CASE("trace records negotiate, transport open and close, payloads and every state",
          "[interop][trace][NEG-002][HS-001]") {
    auto c = GENERATE(from_range(every_cell()));
    INFO(describe(c));
    auto& peer = shared_server(server_kind::aspnetcore);
    trace_recorder trace;
    auto connection = cell_builder(peer.url("/conformance"), c).with_trace(trace.handler()).build();
    await(connection.start());
    CHECK(await(connection.invoke_as<int>("Add", {1, 2})) == 3);
    await(connection.stop());
    INFO(trace.dump());
    auto requests = trace.requests();
    REQUIRE_FALSE(requests.empty());
    CHECK(requests.front().rfind("POST " + peer.url("/conformance/negotiate?negotiateVersion=1"), 0) == 0);
    CHECK_FALSE(trace.find(trace_kind::http_response, "200").empty());
    auto opens = trace.find(trace_kind::transport_open);
    REQUIRE(opens.size() == 1);
    CHECK(opens.front().text.rfind(std::string(hubspec::protocol::transport_name(c.transport)) + " ", 0) == 0);
    std::string out, in;
    for (auto& e : trace.find(trace_kind::transport_data))
        (e.direction == trace_direction::outgoing ? out : in) += e.bytes;
    CHECK(out.find("{\"protocol\":\"" + c.protocol + "\",\"version\":1}") != std::string::npos); // HS-001
    CHECK_FALSE(in.empty());
    std::vector<std::string> states;
    for (auto& e : trace.find(trace_kind::state))
        states.push_back(e.text);
    CHECK(states == std::vector<std::string>{"connecting", "connected", "disconnecting", "disconnected"});
    auto closes = trace.find(trace_kind::transport_close);
    REQUIRE(closes.size() == 1);
    CHECK(closes.front().text == "graceful");
}

TEST_CASE("LP-018 LP-020 stop ends the pending poll then sends DELETE", "[interop][LP-018][LP-020][LP-013]") {
    auto server = GENERATE(server_kind::aspnetcore, server_kind::hubspec);
    auto protocol = GENERATE(as<std::string>{}, "json", "messagepack");
    INFO(name_of(server) << " " << protocol);
    auto& peer = shared_server(server);
    trace_recorder trace;
    auto connection = cell_builder(peer.url("/conformance"), {transport_type::long_polling, protocol})
                          .with_trace(trace.handler())
                          .build();
    await(connection.start());
    CHECK(await(connection.invoke_as<std::string>("GetActiveTransportName")) == "LongPolling");
    await(connection.stop());
    INFO(trace.dump());
    auto requests = trace.requests();
    REQUIRE_FALSE(requests.empty());
    CHECK(requests.back().rfind("DELETE " + peer.url("/conformance?id="), 0) == 0);
    CHECK(has_request(trace, "POST " + peer.url("/conformance?id="))); // LP-013
    CHECK(has_request(trace, "GET " + peer.url("/conformance?id=")));  // the polls
    for (auto& r : requests)
        if (r.rfind("GET ", 0) == 0) CHECK(r.find("&_=") != std::string::npos); // LP-020
    // LP-017: 202 from a server that still held the connection; 404 if the Close already ended it.
    auto last = trace.find(trace_kind::http_response).back();
    CHECK((last.text.rfind("202", 0) == 0 || last.text.rfind("404", 0) == 0));
}

TEST_CASE("SSE-001 SSE-012 the event stream is a GET asking for text/event-stream, ended without DELETE",
          "[interop][SSE-001][SSE-011][SSE-012]") {
    auto server = GENERATE(server_kind::aspnetcore, server_kind::hubspec);
    INFO(name_of(server));
    auto& peer = shared_server(server);
    trace_recorder trace;
    auto connection = cell_builder(peer.url("/conformance"), {transport_type::server_sent_events, "json"})
                          .with_trace(trace.handler())
                          .build();
    await(connection.start());
    CHECK(await(connection.invoke_as<std::string>("GetActiveTransportName")) == "ServerSentEvents");
    if (server == server_kind::aspnetcore) // the hub sees the stream's request (contract: GetHeader)
        CHECK(await(connection.invoke_as<std::string>("GetHeader", {"Accept"})).find("text/event-stream") !=
              std::string::npos);
    await(connection.stop());
    INFO(trace.dump());
    CHECK(has_request(trace, "GET " + peer.url("/conformance?id=")));
    CHECK(has_request(trace, "POST " + peer.url("/conformance?id="))); // SSE-011
    CHECK_FALSE(has_request(trace, "DELETE "));                        // SSE-012
}

TEST_CASE("HS-018 after the handshake the client sends a Ping at once, before anything else", "[interop][HS-018]") {
    auto c = GENERATE(from_range(every_cell()));
    if (c.transport == transport_type::long_polling) return; // no Pings there (LP-019)
    INFO(describe(c));
    auto& peer = shared_server(server_kind::aspnetcore);
    trace_recorder trace;
    // The keep-alive interval is left at 15 s: a Ping now is not a periodic one.
    auto connection = cell_builder(peer.url("/conformance"), c).with_trace(trace.handler()).build();
    await(connection.start());
    std::vector<std::string> sent;
    for (auto& e : trace.find(trace_kind::transport_data))
        if (e.direction == trace_direction::outgoing) sent.push_back(e.bytes);
    INFO(trace.dump());
    REQUIRE(sent.size() >= 2);
    CHECK(sent[0].find("\"protocol\":\"" + c.protocol + "\"") != std::string::npos);
    CHECK(sent[1] == (c.protocol == "json" ? std::string("{\"type\":6}\x1e") : std::string("\x02\x91\x06", 3)));
    await(connection.stop());
}

TEST_CASE("LP-019 KA-008 the client sends no Pings over long polling", "[interop][LP-019][KA-008]") {
    auto& peer = shared_server(server_kind::aspnetcore);
    trace_recorder trace;
    auto connection = cell_builder(peer.url("/conformance"), {transport_type::long_polling, "json"})
                          .with_keep_alive_interval(std::chrono::milliseconds(50))
                          .with_server_timeout(std::chrono::milliseconds(200))
                          .with_trace(trace.handler())
                          .build();
    await(connection.start());
    await(connection.invoke("Delay", {600})); // twelve keep-alive intervals, three server timeouts
    CHECK(connection.state() == connection_state::connected);
    for (auto& e : trace.find(trace_kind::transport_data))
        if (e.direction == trace_direction::outgoing) CHECK(e.bytes.find("{\"type\":6}") == std::string::npos);
}
