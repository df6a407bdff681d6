// Two stateful reconnect buffers talking: test-vectors.md §8 replayed end to
// end, and a randomized run of many transport drops proving nothing is lost or
// repeated (SR-005, SR-006, SR-013..015).

#include "hubspec/protocol/stateful_reconnect.hpp"

#include "hubspec/protocol/handshake.hpp"
#include "hubspec/protocol/hub_protocol.hpp"

#include "stateful_reconnect_test_support.hpp"

#include <catch2/catch.hpp>

#include <chrono>
#include <cstdint>
#include <deque>
#include <random>
#include <string>
#include <vector>

using namespace hubspec::protocol;
using namespace std::chrono_literals;
using namespace hubspec::protocol::test;

namespace {

/// One peer of the scenario: its buffer and what its application saw.
struct peer {
    stateful_reconnect_buffer buffer;
    std::vector<hub_message> dispatched;
    std::vector<std::string> dropped; // "duplicate" / "gated", in order

    explicit peer(stateful_reconnect_options options) : buffer(options) {}

    /// Sends a message, returning its bytes if they go on the wire now.
    std::string send_now(const hub_message& m) {
        const auto bytes = json.encode(m);
        auto r = buffer.on_send(m, bytes);
        REQUIRE(r.decision == send_decision::send);
        return bytes;
    }

    void deliver(std::string_view framed, time_point now) {
        const auto m = parse_one(json, framed);
        auto r = buffer.on_receive(m, now);
        INFO((r.has_value() ? std::string() : r.error().to_string()));
        REQUIRE(r.has_value());
        switch (r->decision) {
        case receive_decision::dispatch: dispatched.push_back(m); break;
        case receive_decision::handled: break;
        case receive_decision::drop_duplicate: dropped.emplace_back("duplicate"); break;
        case receive_decision::drop_awaiting_sequence: dropped.emplace_back("gated"); break;
        }
    }
};

} // namespace

TEST_CASE("SR-013 SR-015 test-vectors 8 the stateful reconnect scenario replayed end to end",
          "[stateful_reconnect][SR-013][SR-014][SR-015][SR-006][vectors]") {
    const auto gate = GENERATE(resume_gate::until_sequence, resume_gate::none);
    const bool third_arrived = GENERATE(false, true); // did client #3 reach the server before the drop?
    INFO("gate " << static_cast<int>(gate) << ", client #3 arrived before the drop: " << third_arrived);
    const stateful_reconnect_options options{default_stateful_reconnect_buffer_size, 1s, gate};
    peer client(options);
    peer server(options);

    // C→S #1, #2
    const auto c1 = client.send_now(invoke("0", "A"));
    const auto c2 = client.send_now(invoke("1", "B"));
    CHECK(c1 == "{\"type\":1,\"invocationId\":\"0\",\"target\":\"A\",\"arguments\":[]}\x1e");
    CHECK(c2 == "{\"type\":1,\"invocationId\":\"1\",\"target\":\"B\",\"arguments\":[]}\x1e");
    server.deliver(c1, t0);
    server.deliver(c2, t0);
    // S→C server #1
    const auto s1 = server.send_now(completion_message::void_result("0"));
    CHECK(s1 == "{\"type\":3,\"invocationId\":\"0\"}\x1e");
    client.deliver(s1, t0 + 100ms);

    // S→C Ack(2) ~1 s later
    CHECK_FALSE(server.buffer.poll_ack(t0 + 999ms).has_value());
    auto server_ack = server.buffer.poll_ack(t0 + 1s);
    REQUIRE(server_ack.has_value());
    const auto sa = server.send_now(*server_ack);
    CHECK(sa == "{\"type\":8,\"sequenceId\":2}\x1e");
    client.deliver(sa, t0 + 1s);
    CHECK(client.buffer.buffered_count() == 0);

    // C→S Ack(1) ~1 s later
    auto client_ack = client.buffer.poll_ack(t0 + 1100ms);
    REQUIRE(client_ack.has_value());
    const auto ca = client.send_now(*client_ack);
    CHECK(ca == "{\"type\":8,\"sequenceId\":1}\x1e");
    server.deliver(ca, t0 + 1100ms);
    CHECK(server.buffer.buffered_count() == 0);

    // C→S #3, not yet acked
    const auto c3 = client.send_now(invoke("2", "C"));
    CHECK(c3 == "{\"type\":1,\"invocationId\":\"2\",\"target\":\"C\",\"arguments\":[]}\x1e");
    if (third_arrived) server.deliver(c3, t0 + 1200ms);

    // -- TCP drops (no close frame) --
    client.buffer.on_transport_lost();
    server.buffer.on_transport_lost();
    CHECK_FALSE(server.buffer.poll_ack(t0 + 5s).has_value()); // the Ack for #3 cannot go out now

    // Same token, no negotiate, no handshake: each side writes its plan first.
    auto client_plan = client.buffer.resume(json);
    auto server_plan = server.buffer.resume(json);
    REQUIRE(client_plan.has_value());
    REQUIRE(server_plan.has_value());
    REQUIRE(client_plan->records.size() == 2);
    CHECK(client_plan->records[0] == "{\"type\":9,\"sequenceId\":3}\x1e");
    CHECK(to_hex(client_plan->records[0]) ==
          to_hex(from_hex("7B 22 74 79 70 65 22 3A 39 2C 22 73 65 71 75 65 6E 63 65 49 64 22 3A 33 7D 1E")));
    CHECK(client_plan->records[1] == c3);
    REQUIRE(server_plan->records.size() == 1);
    CHECK(server_plan->records[0] == "{\"type\":9,\"sequenceId\":2}\x1e"); // buffer empty: last sent + 1

    for (const auto& r : server_plan->records)
        client.deliver(r, t0 + 6s);
    for (const auto& r : client_plan->records)
        server.deliver(r, t0 + 6s);

    // #3 is dispatched exactly once whichever way the drop fell.
    CHECK(server.dispatched.size() == 3);
    CHECK(std::get<invocation_message>(server.dispatched.back()).target == "C");
    CHECK(server.dropped == (third_arrived ? std::vector<std::string>{"duplicate"} : std::vector<std::string>{}));
    CHECK(client.dispatched.size() == 1);
    CHECK(client.dropped.empty());

    // The server then acknowledges #3 and the client's buffer empties.
    auto late_ack = server.buffer.poll_ack(t0 + 7s);
    REQUIRE(late_ack.has_value());
    CHECK(late_ack->sequence_id == 3);
    client.deliver(server.send_now(*late_ack), t0 + 7s);
    CHECK(client.buffer.buffered_count() == 0);
    CHECK(client.buffer.last_sent_id() == 3);
    CHECK(server.buffer.last_sent_id() == 1);
}

// ---- randomized: many drops, no loss, no duplication -----------------------

namespace {

/// One direction of a transport: records in flight, in order.
using wire = std::deque<std::string>;

struct endpoint {
    stateful_reconnect_buffer buffer;
    std::int64_t next_count = 1;           // the next Sequence(count) the application wants to send
    std::vector<std::int64_t> counts_seen; // every Sequence(count) dispatched, in order
    std::size_t waits = 0;                 // how often the limit made the sender wait

    explicit endpoint(stateful_reconnect_options options) : buffer(options) {}
};

/// Offers the next numbered invocation; true if it was taken (sent or held).
bool try_send_next(endpoint& from, wire& out, const hub_protocol& protocol) {
    const auto m = numbered(from.next_count);
    const auto bytes = protocol.encode(m);
    const auto r = from.buffer.on_send(m, bytes);
    switch (r.decision) {
    case send_decision::send: out.push_back(bytes); break;
    case send_decision::held_for_resume: break;
    case send_decision::wait_for_ack: ++from.waits; return false;
    case send_decision::discard: FAIL("a numbered invocation was discarded"); break;
    }
    ++from.next_count;
    return true;
}

void send_untracked(endpoint& from, wire& out, const hub_message& m, const hub_protocol& protocol) {
    const auto bytes = protocol.encode(m);
    if (from.buffer.on_send(m, bytes).decision == send_decision::send) out.push_back(bytes);
}

void deliver_one(endpoint& to, wire& in, time_point now, const hub_protocol& protocol) {
    const auto m = parse_one(protocol, in.front());
    in.pop_front();
    const auto r = to.buffer.on_receive(m, now);
    INFO((r.has_value() ? std::string() : r.error().to_string()));
    REQUIRE(r.has_value());
    if (r->decision != receive_decision::dispatch) return;
    if (const auto* inv = std::get_if<invocation_message>(&m)) {
        REQUIRE(inv->arguments.size() == 1);
        to.counts_seen.push_back(inv->arguments[0].as_int64().value_or(-1));
    }
}

void poll_acks(endpoint& e, wire& out, time_point now, const hub_protocol& protocol) {
    if (auto ack = e.buffer.poll_ack(now)) send_untracked(e, out, *ack, protocol);
}

bool in_order_once(const std::vector<std::int64_t>& seen, std::int64_t total) {
    if (seen.size() != static_cast<std::size_t>(total)) return false;
    for (std::size_t i = 0; i < seen.size(); ++i) {
        if (seen[i] != static_cast<std::int64_t>(i) + 1) return false;
    }
    return true;
}

} // namespace

TEST_CASE("SR-005 SR-006 SR-013 random drops lose and duplicate nothing in either direction",
          "[stateful_reconnect][SR-005][SR-006][SR-007][SR-009][SR-010][SR-013][SR-015][random]") {
    const auto seed = GENERATE(range(1u, 21u));
    const auto gate = GENERATE(resume_gate::none, resume_gate::until_sequence);
    const hub_protocol* const protocol_choice =
        GENERATE(as<const hub_protocol*>{}, &json_protocol(), &messagepack_protocol());
    const hub_protocol& protocol = *protocol_choice;
    INFO("seed " << seed << ", gate " << static_cast<int>(gate) << ", protocol " << protocol.name());

    std::mt19937 rng(seed);
    auto chance = [&](int percent) { return std::uniform_int_distribution<int>(0, 99)(rng) < percent; };
    // A limit of a few messages, so that wait_for_ack happens often.
    const stateful_reconnect_options options{6 * protocol.encode(numbered(100)).size(), 1s, gate};
    endpoint client(options);
    endpoint server(options);
    wire to_server;
    wire to_client;
    bool link_up = true;
    time_point now = t0;
    std::size_t drops = 0;

    auto resume_both = [&] {
        auto cp = client.buffer.resume(protocol);
        auto sp = server.buffer.resume(protocol);
        REQUIRE(cp.has_value());
        REQUIRE(sp.has_value());
        for (auto& r : cp->records)
            to_server.push_back(std::move(r));
        for (auto& r : sp->records)
            to_client.push_back(std::move(r));
        link_up = true;
    };

    const std::int64_t target = 300;
    for (int step = 0; step < 4000; ++step) {
        now += std::chrono::milliseconds(std::uniform_int_distribution<int>(0, 300)(rng));
        if (!link_up) {
            // Sends while down are held; Acks cannot go out.
            if (chance(30) && client.next_count <= target) try_send_next(client, to_server, protocol);
            if (chance(30) && server.next_count <= target) try_send_next(server, to_client, protocol);
            if (chance(40)) resume_both();
            continue;
        }
        if (chance(35) && client.next_count <= target) try_send_next(client, to_server, protocol);
        if (chance(35) && server.next_count <= target) try_send_next(server, to_client, protocol);
        if (chance(5)) send_untracked(client, to_server, ping_message{}, protocol);
        if (chance(5)) send_untracked(server, to_client, ping_message{}, protocol);
        for (int n = std::uniform_int_distribution<int>(0, 3)(rng); n > 0 && !to_server.empty(); --n) {
            deliver_one(server, to_server, now, protocol);
        }
        for (int n = std::uniform_int_distribution<int>(0, 3)(rng); n > 0 && !to_client.empty(); --n) {
            deliver_one(client, to_client, now, protocol);
        }
        poll_acks(client, to_server, now, protocol);
        poll_acks(server, to_client, now, protocol);
        if (chance(4)) {
            // Ungraceful loss: whatever is still in flight is gone.
            ++drops;
            to_server.clear();
            to_client.clear();
            client.buffer.on_transport_lost();
            server.buffer.on_transport_lost();
            link_up = false;
        }
    }

    // Bring the link up for good and drain: deliver, acknowledge, send what is left.
    if (!link_up) resume_both();
    for (int round = 0; round < 100'000; ++round) {
        const bool done = client.next_count > target && server.next_count > target && to_server.empty() &&
                          to_client.empty() && client.buffer.buffered_count() == 0 &&
                          server.buffer.buffered_count() == 0;
        if (done) break;
        now += 200ms;
        if (client.next_count <= target) try_send_next(client, to_server, protocol);
        if (server.next_count <= target) try_send_next(server, to_client, protocol);
        while (!to_server.empty())
            deliver_one(server, to_server, now, protocol);
        while (!to_client.empty())
            deliver_one(client, to_client, now, protocol);
        poll_acks(client, to_server, now, protocol);
        poll_acks(server, to_client, now, protocol);
    }

    CHECK(drops > 10);
    CHECK(client.waits + server.waits > 0); // the limit was exercised
    CHECK(in_order_once(server.counts_seen, target));
    CHECK(in_order_once(client.counts_seen, target));
    CHECK(client.buffer.last_sent_id() == target);
    CHECK(server.buffer.last_sent_id() == target);
    CHECK(client.buffer.buffered_count() == 0);
    CHECK(server.buffer.buffered_count() == 0);
    CHECK(client.buffer.buffered_bytes() == 0);
    CHECK(server.buffer.buffered_bytes() == 0);
}
