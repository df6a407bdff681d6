// The hub connection of both roles (hub_connection.hpp): handshake, framing,
// keep-alive and stateful reconnect, each role alone and the two talking.
#include "hubspec/protocol/hub_connection.hpp"

#include "hubspec/protocol/texts.hpp"

#include "test_support.hpp"

#include <catch2/catch.hpp>

#include <string>
#include <vector>

using namespace hubspec::protocol;
using namespace std::chrono_literals;

namespace {

using time_point = hub_connection::time_point;
const time_point t0{};

const std::string json_request = "{\"protocol\":\"json\",\"version\":1}\x1e";
const std::string json_request_v2 = "{\"protocol\":\"json\",\"version\":2}\x1e";

std::string joined(std::vector<std::string> chunks) {
    std::string out;
    for (auto& c : chunks)
        out += c;
    return out;
}

/// Every event up to need_data.
std::vector<connection_event> drain(hub_connection& c, time_point now = t0) {
    std::vector<connection_event> events;
    for (auto e = c.next_event(now); !std::holds_alternative<need_data>(e); e = c.next_event(now))
        events.push_back(std::move(e));
    return events;
}

hub_connection server(bool stateful = false, std::size_t max_message_size = no_size_limit) {
    server_connection_options s;
    s.stateful_reconnect_granted = stateful;
    s.max_handshake_size = 32 * 1024;
    connection_options o;
    o.max_message_size = max_message_size;
    return hub_connection(s, o, t0);
}

/// A server past a successful handshake; its `{}` taken.
hub_connection connected_server(bool stateful = false,
                                std::size_t buffer_size = default_stateful_reconnect_buffer_size) {
    server_connection_options s;
    s.stateful_reconnect_granted = stateful;
    connection_options o;
    o.reconnect.buffer_size = buffer_size;
    hub_connection c(s, o, t0);
    c.receive_data(stateful ? json_request_v2 : json_request, t0);
    auto e = c.next_event(t0);
    REQUIRE(std::holds_alternative<handshake_request_received>(e));
    REQUIRE(!c.accept_handshake(std::get<handshake_request_received>(e).request, t0).error);
    REQUIRE(joined(c.take_data()) == "{}\x1e");
    return c;
}

hub_connection client(bool stateful = false, transport_keep_alive transport = transport_keep_alive::needs_pings) {
    client_connection_options c;
    c.stateful_reconnect = stateful;
    c.timing.transport = transport;
    return hub_connection(c, connection_options{}, t0);
}

} // namespace

TEST_CASE("HS-007 a good request is answered with {} and the connection is connected", "[hub_connection][HS-007]") {
    test::for_each_split(json_request + "{\"type\":6}\x1e", [](const std::vector<std::string_view>& chunks) {
        auto c = server();
        std::vector<connection_event> events;
        bool answered = false;
        for (auto chunk : chunks) {
            c.receive_data(chunk, t0);
            for (auto& e : drain(c))
                events.push_back(std::move(e));
            if (!answered && !events.empty()) {
                answered = true;
                CHECK(c.accept_handshake(std::get<handshake_request_received>(events.back()).request, t0) ==
                      handshake_response{});
                for (auto& e : drain(c))
                    events.push_back(std::move(e));
            }
        }
        REQUIRE(events.size() == 2); // HS-013: the Ping after the RS is a hub message
        CHECK(std::get<handshake_request_received>(events[0]).request == handshake_request{"json", 1});
        CHECK(std::holds_alternative<ping_message>(std::get<message_received>(events[1]).message));
        CHECK(c.state() == connection_state::connected);
        CHECK(c.protocol() == &json_protocol());
        CHECK(joined(c.take_data()) == "{}\x1e");
    });
}

TEST_CASE("HS-005 an unknown protocol is refused with Microsoft's text and the connection closes",
          "[hub_connection][HS-005]") {
    auto c = server();
    c.receive_data("{\"protocol\":\"xml\",\"version\":1}\x1e", t0);
    auto e = c.next_event(t0);
    auto answer = c.accept_handshake(std::get<handshake_request_received>(e).request, t0);
    CHECK(answer.error == texts::unsupported_protocol("xml"));
    CHECK(joined(c.take_data()) == write_handshake_response(answer));
    CHECK(c.state() == connection_state::closed);
    CHECK(c.send(ping_message{}, t0) == send_status::dropped); // HS-008: no Close after a failed handshake
}

TEST_CASE("HS-006 a binary protocol on a text-only transport is refused", "[hub_connection][HS-006]") {
    server_connection_options s;
    s.transport_formats = {transfer_format::text};
    hub_connection c(s, {}, t0);
    c.receive_data("{\"protocol\":\"messagepack\",\"version\":1}\x1e", t0);
    auto answer = c.accept_handshake(std::get<handshake_request_received>(c.next_event(t0)).request, t0);
    CHECK(answer.error == texts::unsupported_transfer_format("messagepack", "Binary"));
}

TEST_CASE("HS-011 an unreadable request is a failure event the owner answers", "[hub_connection][HS-011]") {
    auto c = server();
    c.receive_data("{\"protocol\":1}\x1e", t0);
    auto e = c.next_event(t0);
    REQUIRE(std::holds_alternative<handshake_failed_event>(e));
    CHECK(std::get<handshake_failed_event>(e).error.code == error::malformed_handshake);
    CHECK(std::holds_alternative<need_data>(c.next_event(t0))); // reported once
    c.reject_handshake(texts::handshake_unexpected_error);
    CHECK(joined(c.take_data()) == write_handshake_response({std::string(texts::handshake_unexpected_error)}));
    CHECK(c.state() == connection_state::closed);
}

TEST_CASE("HS-010 a request over the size limit without an RS fails as too large", "[hub_connection][HS-010]") {
    auto c = server();
    c.receive_data(std::string(40 * 1024, ' '), t0);
    auto e = c.next_event(t0);
    CHECK(std::get<handshake_failed_event>(e).error.code == error::record_too_large);
}

TEST_CASE("HS-009 no request within HandshakeTimeout is a handshake timeout", "[hub_connection][HS-009]") {
    auto c = server();
    CHECK(c.next_deadline() == t0 + default_handshake_timeout);
    CHECK(c.poll_keep_alive(t0 + default_handshake_timeout - 1ms).action == keep_alive_action::none);
    auto due = c.poll_keep_alive(t0 + default_handshake_timeout);
    CHECK(due.action == keep_alive_action::handshake_timeout);
    CHECK(due.requirement == "HS-009");
}

TEST_CASE("HS-013 bytes dropped after the RS are not read", "[hub_connection][HS-013]") {
    auto c = server();
    c.receive_data(json_request + "{\"type\":6}\x1e", t0);
    c.accept_handshake(std::get<handshake_request_received>(c.next_event(t0)).request, t0);
    c.discard_unread();
    CHECK(drain(c).empty());
}

TEST_CASE("HS-001 HS-003 the client writes its request at once, version 2 only when stateful",
          "[hub_connection][HS-001][HS-003]") {
    CHECK(joined(client().take_data()) == json_request);
    CHECK(joined(client(true).take_data()) == json_request_v2);
    client_connection_options mp;
    mp.protocol = &messagepack_protocol();
    CHECK(joined(hub_connection(mp, {}, t0).take_data()) == "{\"protocol\":\"messagepack\",\"version\":1}\x1e");
}

TEST_CASE("HS-016 the client reads the response in any split, then hub messages", "[hub_connection][HS-016]") {
    test::for_each_split("{}\x1e{\"type\":6}\x1e", [](const std::vector<std::string_view>& chunks) {
        auto c = client();
        c.take_data();
        std::vector<connection_event> events;
        for (auto chunk : chunks) {
            c.receive_data(chunk, t0);
            for (auto& e : drain(c))
                events.push_back(std::move(e));
        }
        REQUIRE(events.size() == 2);
        CHECK(std::holds_alternative<handshake_completed>(events[0]));
        CHECK(std::holds_alternative<ping_message>(std::get<message_received>(events[1]).message));
    });
}

TEST_CASE("HS-016 an error response fails the client with Microsoft's text", "[hub_connection][HS-016]") {
    auto c = client();
    c.receive_data("{\"error\":\"bad\"}\x1e", t0);
    auto e = c.next_event(t0);
    CHECK(std::get<handshake_failed_event>(e).error.message == texts::server_handshake_error("bad"));
    CHECK(c.state() == connection_state::closed);
}

TEST_CASE("HS-018 the client sends a Ping right after the response, not on long polling", "[hub_connection][HS-018]") {
    auto c = client();
    c.take_data();
    c.receive_data("{}\x1e", t0);
    drain(c);
    CHECK(joined(c.take_data()) == "{\"type\":6}\x1e");
    auto lp = client(false, transport_keep_alive::inherent);
    lp.take_data();
    lp.receive_data("{}\x1e", t0);
    drain(lp);
    CHECK(lp.take_data().empty());
}

TEST_CASE("HS-017 the client's handshake times out", "[hub_connection][HS-017]") {
    auto c = client();
    CHECK(c.poll_keep_alive(t0 + default_handshake_timeout).action == keep_alive_action::handshake_timeout);
}

TEST_CASE("KA-001 the server's Ping is due after the keep-alive interval", "[hub_connection][KA-001]") {
    auto c = connected_server();
    CHECK(c.poll_keep_alive(t0 + default_keep_alive_interval).action == keep_alive_action::none);
    CHECK(c.poll_keep_alive(t0 + default_keep_alive_interval + 1ms).action == keep_alive_action::send_ping);
}

TEST_CASE("KA-003 the client timeout is armed by the first Ping", "[hub_connection][KA-003]") {
    // Silent from the start: no timeout, however long (ASP.NET Core arms it on the first message).
    auto silent = connected_server();
    CHECK(silent.poll_keep_alive(t0 + default_client_timeout_interval + 1s).action != keep_alive_action::peer_timeout);

    auto c = connected_server();
    c.receive_data("{\"type\":6}\x1e", t0 + 1s);
    drain(c, t0 + 1s);
    // Counted from the Ping, not from the handshake.
    CHECK(c.poll_keep_alive(t0 + default_client_timeout_interval).action != keep_alive_action::peer_timeout);
    const auto late = t0 + 1s + default_client_timeout_interval;
    auto due = c.poll_keep_alive(late);
    CHECK(due.action == keep_alive_action::peer_timeout);
}

TEST_CASE("KA-005 the client's server timeout counts anything received", "[hub_connection][KA-005]") {
    auto c = client();
    c.receive_data("{}\x1e", t0);
    drain(c);
    c.receive_data("{\"ty", t0 + 20s); // partial data still counts
    CHECK(c.poll_keep_alive(t0 + default_server_timeout).action != keep_alive_action::peer_timeout);
    CHECK(c.poll_keep_alive(t0 + 20s + default_server_timeout).action == keep_alive_action::peer_timeout);
}

TEST_CASE("FRAME-010 a record over the maximum message size is a peer error", "[hub_connection][FRAME-010]") {
    auto c = server(false, 64);
    c.receive_data(json_request, t0);
    c.accept_handshake(std::get<handshake_request_received>(c.next_event(t0)).request, t0);
    c.receive_data("{\"type\":1,\"target\":\"" + std::string(100, 'x') + "\",\"arguments\":[]}\x1e", t0);
    auto e = c.next_event(t0);
    REQUIRE(std::holds_alternative<peer_error>(e));
    CHECK(std::get<peer_error>(e).what == peer_error::kind::unreadable_message);
    CHECK(std::get<peer_error>(e).error.code == error::record_too_large);
    CHECK(std::holds_alternative<need_data>(c.next_event(t0))); // nothing more is read
}

TEST_CASE("FRAME-011 a transport that ends inside a record reports it", "[hub_connection][FRAME-011]") {
    auto c = connected_server();
    c.receive_data("{\"type\":6", t0);
    CHECK(drain(c).empty());
    auto ended = c.finish_reading();
    REQUIRE(!ended);
    c.end(); // what the owner does when the transport is gone
    CHECK(ended.error().code == error::incomplete_record);
    CHECK(c.state() == connection_state::closed);
}

TEST_CASE("MSG-072 MSG-073 a Close either way moves to closing, messages still flow",
          "[hub_connection][MSG-072][MSG-073]") {
    auto c = connected_server();
    c.receive_data("{\"type\":7}\x1e{\"type\":6}\x1e", t0);
    auto events = drain(c);
    REQUIRE(events.size() == 2);
    CHECK(c.state() == connection_state::closing);
    auto s = connected_server();
    CHECK(s.send(close_message{}, t0) == send_status::queued);
    CHECK(s.state() == connection_state::closing);
    CHECK(s.send(ping_message{}, t0) == send_status::queued);
}

TEST_CASE("SR-001 SR-002 stateful reconnect needs negotiate's grant and version 2",
          "[hub_connection][SR-001][SR-002]") {
    CHECK(connected_server(true).stateful());
    auto v1 = server(true);
    v1.receive_data(json_request, t0);
    v1.accept_handshake(std::get<handshake_request_received>(v1.next_event(t0)).request, t0);
    CHECK(!v1.stateful());
}

TEST_CASE("SR-008 received tracked messages are acknowledged after the delay", "[hub_connection][SR-008]") {
    auto c = connected_server(true);
    c.receive_data("{\"type\":1,\"target\":\"A\",\"arguments\":[]}\x1e", t0);
    CHECK(drain(c).size() == 1);
    CHECK(c.next_deadline() == t0 + default_ack_delay);
    auto ack = c.poll_ack(t0 + default_ack_delay);
    REQUIRE(ack);
    CHECK(ack->sequence_id == 1);
}

TEST_CASE("SR-010 over the buffer limit tracked sends wait, in order, until an Ack", "[hub_connection][SR-010]") {
    auto c = connected_server(true, 10);
    const invocation_message big{{}, std::nullopt, "Target", {}, {}};
    CHECK(c.send(big, t0) == send_status::queued); // the one that crosses the limit still goes
    CHECK(c.send(big, t0) == send_status::waiting_for_ack);
    CHECK(c.send(ping_message{}, t0) == send_status::queued); // untracked never waits
    CHECK(c.send(big, t0) == send_status::waiting_for_ack);
    CHECK(c.take_data().size() == 2);
    c.receive_data("{\"type\":8,\"sequenceId\":1}\x1e", t0);
    CHECK(drain(c).empty());          // the Ack is handled inside
    CHECK(c.take_data().size() == 1); // one waiter crosses the limit again
    c.receive_data("{\"type\":8,\"sequenceId\":2}\x1e", t0);
    drain(c);
    CHECK(c.take_data().size() == 1);
}

TEST_CASE("SR-011 SR-013 a lost transport holds tracked sends, a resume replays them after Sequence",
          "[hub_connection][SR-011][SR-013]") {
    auto c = connected_server(true);
    c.send(invocation_message{{}, std::nullopt, "A", {}, {}}, t0);
    c.take_data();
    c.receive_data("{\"type\":6", t0); // a partial record the peer replays whole
    REQUIRE(c.transport_lost());
    CHECK(c.state() == connection_state::transport_lost);
    CHECK(!c.next_keep_alive_deadline()); // timers pause
    CHECK(c.send(invocation_message{{}, std::nullopt, "B", {}, {}}, t0) == send_status::held_for_resume);
    CHECK(c.send(ping_message{}, t0) == send_status::dropped);
    auto replay = c.resume(t0 + 1s);
    REQUIRE(replay);
    CHECK(replay->sequence.sequence_id == 1);
    REQUIRE(replay->records.size() == 3);
    CHECK(replay->records[0] == "{\"type\":9,\"sequenceId\":1}\x1e");
    CHECK(c.state() == connection_state::connected);
    c.receive_data("{\"type\":6}\x1e", t0 + 1s);
    CHECK(drain(c).size() == 1);
}

TEST_CASE("SR-015 a Sequence past what arrived is a reconnect violation", "[hub_connection][SR-015]") {
    auto c = connected_server(true);
    c.receive_data("{\"type\":9,\"sequenceId\":5}\x1e", t0);
    auto e = c.next_event(t0);
    REQUIRE(std::holds_alternative<peer_error>(e));
    CHECK(std::get<peer_error>(e).what == peer_error::kind::reconnect_violation);
    CHECK(std::get<peer_error>(e).error.code == error::sequence_id_too_high);
}

TEST_CASE("SR-016 a graceful end or a closing connection does not wait for a resume", "[hub_connection][SR-016]") {
    auto c = connected_server(true);
    c.send(close_message{}, t0);
    CHECK(!c.transport_lost());
    CHECK(!c.resume(t0));
    auto plain = connected_server(false);
    CHECK(!plain.transport_lost());
}

TEST_CASE("SR-001 HS-016 a client and a server connection talk to each other", "[hub_connection][SR-001][HS-016]") {
    auto s = server(true);
    auto c = client(true);
    auto pump = [](hub_connection& from, hub_connection& to, time_point now) {
        for (auto& chunk : from.take_data())
            to.receive_data(chunk, now);
        return drain(to, now);
    };
    auto at_server = pump(c, s, t0);
    REQUIRE(at_server.size() == 1);
    s.accept_handshake(std::get<handshake_request_received>(at_server[0]).request, t0);
    auto at_client = pump(s, c, t0);
    REQUIRE(at_client.size() == 1);
    CHECK(std::holds_alternative<handshake_completed>(at_client[0]));
    CHECK(s.stateful());
    CHECK(c.stateful());
    c.send(invocation_message{{}, std::string("1"), "Echo", {value{1}}, {}}, t0);
    at_server = pump(c, s, t0); // the HS-018 Ping, then the invocation
    REQUIRE(at_server.size() == 2);
    CHECK(std::get<invocation_message>(std::get<message_received>(at_server[1]).message).target == "Echo");
    s.send(completion_message::with_result("1", value{1}), t0);
    at_client = pump(s, c, t0);
    REQUIRE(at_client.size() == 1);
    CHECK(std::get<completion_message>(std::get<message_received>(at_client[0]).message).invocation_id == "1");

    // Both lose the transport; the client resumes and the server takes it over.
    REQUIRE(c.transport_lost());
    REQUIRE(s.transport_lost());
    c.send(invocation_message{{}, std::nullopt, "Later", {}, {}}, t0 + 1s);
    auto client_replay = c.resume(t0 + 2s);
    auto server_replay = s.resume(t0 + 2s);
    REQUIRE(client_replay);
    REQUIRE(server_replay);
    for (auto& r : client_replay->records)
        s.receive_data(r, t0 + 2s);
    for (auto& r : server_replay->records)
        c.receive_data(r, t0 + 2s);
    at_server = drain(s, t0 + 2s);
    at_client = drain(c, t0 + 2s);
    // The duplicates are dropped (SR-006); only what the server never saw arrives.
    REQUIRE(at_server.size() == 1);
    CHECK(std::get<invocation_message>(std::get<message_received>(at_server[0]).message).target == "Later");
    CHECK(at_client.empty());
}
