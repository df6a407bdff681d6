// SR-*, MSG-083/084, HS-019, CR-010: the stateful reconnect message buffer, one
// requirement per case. Two buffers talking: stateful_reconnect_scenario_test.cpp.

#include "hubspec/protocol/stateful_reconnect.hpp"

#include "hubspec/protocol/handshake.hpp"
#include "hubspec/protocol/hub_protocol.hpp"
#include "hubspec/protocol/texts.hpp"

#include "stateful_reconnect_test_support.hpp"

#include <catch2/catch.hpp>

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

using namespace hubspec::protocol;
using namespace std::chrono_literals;
using namespace hubspec::protocol::test;

// ---- SR-004, HS-019, CR-010: what is tracked ------------------------------

TEST_CASE("SR-004 only message types 1 to 5 are sequence-tracked", "[stateful_reconnect][SR-004]") {
    CHECK(is_sequence_tracked(invocation_message{}));
    CHECK(is_sequence_tracked(stream_item_message{}));
    CHECK(is_sequence_tracked(completion_message{}));
    CHECK(is_sequence_tracked(stream_invocation_message{}));
    CHECK(is_sequence_tracked(cancel_invocation_message{}));
    CHECK_FALSE(is_sequence_tracked(ping_message{}));
    CHECK_FALSE(is_sequence_tracked(close_message{}));
    CHECK_FALSE(is_sequence_tracked(ack_message{1}));
    CHECK_FALSE(is_sequence_tracked(sequence_message{1}));
    CHECK_FALSE(is_sequence_tracked(unknown_message{42}));
    CHECK_FALSE(is_sequence_tracked(unknown_message{3})); // a lying unknown is still unknown
    for (std::int64_t code = -1; code <= 12; ++code) {
        INFO(code);
        CHECK(is_sequence_tracked(code) == (code >= 1 && code <= 5));
    }
}

TEST_CASE("SR-004 Ping Ack Sequence and unknown messages are neither numbered nor buffered when sent",
          "[stateful_reconnect][SR-004]") {
    stateful_reconnect_buffer buffer;
    for (const hub_message& m :
         std::vector<hub_message>{ping_message{}, ack_message{0}, sequence_message{1}, unknown_message{11}}) {
        auto r = buffer.on_send(m, json.encode(m));
        CHECK(r.decision == send_decision::send);
        CHECK(r.sequence_id == 0);
    }
    CHECK(buffer.last_sent_id() == 0);
    CHECK(buffer.buffered_count() == 0);
    CHECK(buffer.buffered_bytes() == 0);
}

TEST_CASE("SR-004 Ping Close and unknown messages are not counted when received", "[stateful_reconnect][SR-004]") {
    stateful_reconnect_buffer buffer;
    CHECK(receive(buffer, ping_message{}) == receive_decision::dispatch);
    CHECK(receive(buffer, unknown_message{12}) == receive_decision::dispatch);
    CHECK(buffer.next_expected_id() == 1);
    CHECK(buffer.latest_received_id() == 0);
    CHECK_FALSE(buffer.next_ack_deadline().has_value()); // nothing to acknowledge
    CHECK(receive(buffer, close_message{}) == receive_decision::dispatch);
    CHECK(buffer.next_expected_id() == 1);
}

TEST_CASE("HS-019 the handshake is never counted: the first tracked message is number 1",
          "[stateful_reconnect][HS-019]") {
    // The handshake travels before the buffer sees anything; it is not a hub_message at all.
    const auto request = write_handshake_request({"json", 2});
    CHECK_FALSE(json.parse(std::string_view(request).substr(0, request.size() - 1)).has_value());

    stateful_reconnect_buffer client;
    stateful_reconnect_buffer server;
    // A loss right after the handshake replays nothing and names message 1.
    client.on_transport_lost();
    auto plan = client.resume(json);
    REQUIRE(plan.has_value());
    CHECK(plan->sequence.sequence_id == 1);
    REQUIRE(plan->records.size() == 1);
    CHECK(plan->records[0] == "{\"type\":9,\"sequenceId\":1}\x1e");

    client.on_transport_lost();
    REQUIRE(client.resume(json).has_value());
    auto r = client.on_send(invoke("0", "A"), json.encode(invoke("0", "A")));
    CHECK(r.sequence_id == 1);
    auto received = server.on_receive(invoke("0", "A"), t0);
    REQUIRE(received.has_value());
    CHECK(received->sequence_id == 1);
}

TEST_CASE("CR-010 a client-result Completion is an ordinary tracked message", "[stateful_reconnect][CR-010]") {
    stateful_reconnect_buffer client;
    // The server asks for a result: an Invocation with an id, tracked incoming.
    auto in = client.on_receive(invocation_message{{}, "7", "GetResult", {}, {}}, t0);
    REQUIRE(in.has_value());
    CHECK(in->sequence_id == 1);
    // The answer is numbered, buffered and replayed like any other message.
    const auto answer = hub_message{completion_message::with_result("7", value(42))};
    const auto bytes = send(client, answer);
    CHECK(client.last_sent_id() == 1);
    client.on_transport_lost();
    auto plan = client.resume(json);
    REQUIRE(plan.has_value());
    REQUIRE(plan->records.size() == 2);
    CHECK(plan->records[1] == bytes);
}

// ---- SR-005..SR-009: numbering, duplicates, replay buffer, Acks -----------

TEST_CASE("SR-005 outgoing tracked messages are numbered 1 2 3 in send order and a reconnect does not reset them",
          "[stateful_reconnect][SR-005]") {
    stateful_reconnect_buffer buffer;
    std::vector<std::int64_t> ids;
    auto track = [&](const hub_message& m) {
        auto r = buffer.on_send(m, json.encode(m));
        if (r.sequence_id != 0) ids.push_back(r.sequence_id);
    };
    track(invoke("0", "A"));
    track(ping_message{});
    track(stream_item_message{{}, "1", value(1)});
    track(ack_message{0});
    track(completion_message::void_result("2"));
    CHECK(ids == std::vector<std::int64_t>{1, 2, 3});

    buffer.on_transport_lost();
    track(stream_invocation_message{{}, "3", "S", {}, {}}); // held while down, still numbered
    REQUIRE(buffer.resume(json).has_value());
    track(cancel_invocation_message{{}, "3"});
    CHECK(ids == std::vector<std::int64_t>{1, 2, 3, 4, 5});
    CHECK(buffer.last_sent_id() == 5);
}

TEST_CASE("SR-006 incoming tracked messages at or below the highest processed number are dropped",
          "[stateful_reconnect][SR-006]") {
    stateful_reconnect_buffer buffer;
    for (int i = 1; i <= 3; ++i)
        CHECK(receive(buffer, numbered(i)) == receive_decision::dispatch);
    CHECK(buffer.latest_received_id() == 3);
    CHECK(buffer.next_expected_id() == 4);

    // The peer lost our Ack and replays from 2.
    buffer.on_transport_lost();
    REQUIRE(buffer.resume(json).has_value());
    CHECK(receive(buffer, sequence_message{2}) == receive_decision::handled);
    CHECK(buffer.next_expected_id() == 2);
    auto dup2 = buffer.on_receive(numbered(2), t0);
    REQUIRE(dup2.has_value());
    CHECK(dup2->decision == receive_decision::drop_duplicate);
    CHECK(dup2->sequence_id == 2);
    CHECK(receive(buffer, numbered(3)) == receive_decision::drop_duplicate);
    CHECK(receive(buffer, ping_message{}) == receive_decision::dispatch); // untracked: never a duplicate
    auto fresh = buffer.on_receive(numbered(4), t0);
    REQUIRE(fresh.has_value());
    CHECK(fresh->decision == receive_decision::dispatch);
    CHECK(fresh->sequence_id == 4);
    CHECK(buffer.latest_received_id() == 4);
}

TEST_CASE("SR-007 every tracked message sent is kept byte for byte until acknowledged",
          "[stateful_reconnect][SR-007]") {
    stateful_reconnect_buffer buffer;
    std::vector<std::string> sent;
    sent.push_back(send(buffer, invoke("0", "A")));
    send(buffer, ping_message{});
    sent.push_back(send(buffer, stream_item_message{{{"h", "v"}}, "0", value("x")}));
    sent.push_back(send(buffer, completion_message::with_error("9", "boom")));
    CHECK(buffer.buffered_count() == 3);
    CHECK(buffer.buffered_bytes() == sent[0].size() + sent[1].size() + sent[2].size());

    buffer.on_transport_lost();
    auto plan = buffer.resume(json);
    REQUIRE(plan.has_value());
    REQUIRE(plan->records.size() == 4);
    for (std::size_t i = 0; i < sent.size(); ++i)
        CHECK(plan->records[i + 1] == sent[i]);
}

TEST_CASE("SR-009 Ack(n) drops the buffered messages numbered up to n", "[stateful_reconnect][SR-009]") {
    stateful_reconnect_buffer buffer;
    std::vector<std::string> sent;
    for (int i = 1; i <= 5; ++i)
        sent.push_back(send(buffer, numbered(i)));

    auto dropped = buffer.on_ack(2);
    REQUIRE(dropped.has_value());
    CHECK(*dropped == 2);
    CHECK(buffer.buffered_count() == 3);
    CHECK(buffer.buffered_bytes() == sent[2].size() + sent[3].size() + sent[4].size());
    CHECK(buffer.resume_sequence_id() == 3);

    SECTION("an older or zero Ack drops nothing") {
        CHECK(*buffer.on_ack(1) == 0);
        CHECK(*buffer.on_ack(0) == 0);
        CHECK(*buffer.on_ack(-5) == 0);
        CHECK(buffer.buffered_count() == 3);
    }
    SECTION("an Ack received as a message is applied and not dispatched") {
        CHECK(receive(buffer, ack_message{5}) == receive_decision::handled);
        CHECK(buffer.buffered_count() == 0);
        CHECK(buffer.buffered_bytes() == 0);
        CHECK(buffer.resume_sequence_id() == 6);
    }
    SECTION("an Ack above the last number sent is a protocol error and changes nothing") {
        auto r = buffer.on_ack(6);
        REQUIRE_FALSE(r.has_value());
        CHECK(r.error().code == error::ack_id_too_high);
        CHECK(r.error().requirement == "SR-009");
        CHECK(buffer.buffered_count() == 3);
        auto via_receive = buffer.on_receive(ack_message{99}, t0);
        REQUIRE_FALSE(via_receive.has_value());
        CHECK(via_receive.error().code == error::ack_id_too_high);
    }
}

TEST_CASE("SR-008 an Ack of the highest processed number is due 1 s after new tracked messages",
          "[stateful_reconnect][SR-008]") {
    stateful_reconnect_buffer buffer;
    CHECK_FALSE(buffer.next_ack_deadline().has_value());
    CHECK_FALSE(buffer.poll_ack(t0 + 1h).has_value());

    receive(buffer, numbered(1), t0);
    receive(buffer, numbered(2), t0 + 400ms); // debounced: the deadline does not move
    receive(buffer, ping_message{}, t0 + 500ms);
    REQUIRE(buffer.next_ack_deadline() == t0 + 1s);
    CHECK_FALSE(buffer.poll_ack(t0 + 999ms).has_value());
    auto ack = buffer.poll_ack(t0 + 1s);
    REQUIRE(ack.has_value());
    CHECK(ack->sequence_id == 2);
    CHECK_FALSE(buffer.next_ack_deadline().has_value());
    CHECK_FALSE(buffer.poll_ack(t0 + 5s).has_value());

    SECTION("untracked messages never make an Ack due") {
        receive(buffer, ping_message{}, t0 + 6s);
        CHECK_FALSE(buffer.next_ack_deadline().has_value());
    }
    SECTION("the next tracked message arms a new deadline and a larger Ack") {
        receive(buffer, numbered(3), t0 + 10s);
        CHECK(buffer.next_ack_deadline() == t0 + 11s);
        auto next = buffer.poll_ack(t0 + 12s); // late polling still yields it
        REQUIRE(next.has_value());
        CHECK(next->sequence_id == 3);
    }
    SECTION("the ack delay is an option") {
        stateful_reconnect_buffer quick(stateful_reconnect_options{1000, 250ms, resume_gate::none});
        receive(quick, numbered(1), t0);
        CHECK(quick.next_ack_deadline() == t0 + 250ms);
    }
}

TEST_CASE("SR-008 no Ack goes out while the transport is down: it follows the resume", "[stateful_reconnect][SR-008]") {
    stateful_reconnect_buffer buffer;
    receive(buffer, numbered(1), t0);
    buffer.on_transport_lost();
    CHECK_FALSE(buffer.next_ack_deadline().has_value());
    CHECK_FALSE(buffer.poll_ack(t0 + 2s).has_value());
    REQUIRE(buffer.resume(json).has_value());
    CHECK(buffer.next_ack_deadline() == t0 + 1s);
    auto ack = buffer.poll_ack(t0 + 3s);
    REQUIRE(ack.has_value());
    CHECK(ack->sequence_id == 1);
}

TEST_CASE("SR-008 a replayed duplicate makes the same Ack due again because the peer missed it",
          "[stateful_reconnect][SR-008]") {
    stateful_reconnect_buffer buffer;
    receive(buffer, numbered(1), t0);
    REQUIRE(buffer.poll_ack(t0 + 1s)->sequence_id == 1);
    // Our Ack(1) died with the transport; the peer replays message 1.
    buffer.on_transport_lost();
    REQUIRE(buffer.resume(json).has_value());
    receive(buffer, sequence_message{1}, t0 + 2s);
    CHECK(receive(buffer, numbered(1), t0 + 2s) == receive_decision::drop_duplicate);
    auto again = buffer.poll_ack(t0 + 3s);
    REQUIRE(again.has_value());
    CHECK(again->sequence_id == 1);
    CHECK_FALSE(buffer.poll_ack(t0 + 10s).has_value());
}

TEST_CASE("SR-015 a Sequence after an Ack sent mid-replay is not mistaken for message loss",
          "[stateful_reconnect][SR-015][SR-008]") {
    // The receiver processed 1-5; a loss rewinds it to 1 and it has seen two
    // replayed duplicates (next expected 3) when its Ack(5) reaches the sender,
    // which drops 1-5. After a second loss the sender rightly names 6. Microsoft
    // compares with the rewound count alone (6 > 3) and would terminate.
    stateful_reconnect_buffer sender;
    stateful_reconnect_buffer receiver;
    for (int i = 1; i <= 5; ++i) {
        send(sender, numbered(i));
        receive(receiver, numbered(i), t0);
    }
    sender.on_transport_lost();
    receiver.on_transport_lost();
    auto replay = sender.resume(json);
    REQUIRE(replay.has_value());
    REQUIRE(receiver.resume(json).has_value());
    receive(receiver, parse_one(json, replay->records[0]), t0 + 2s); // Sequence(1)
    CHECK(receive(receiver, parse_one(json, replay->records[1]), t0 + 2s) == receive_decision::drop_duplicate);
    CHECK(receive(receiver, parse_one(json, replay->records[2]), t0 + 2s) == receive_decision::drop_duplicate);
    REQUIRE(receiver.next_expected_id() == 3);
    auto ack = receiver.poll_ack(t0 + 3s);
    REQUIRE(ack.has_value());
    CHECK(ack->sequence_id == 5);
    REQUIRE(sender.on_ack(ack->sequence_id).has_value());

    sender.on_transport_lost();
    receiver.on_transport_lost();
    auto again = sender.resume(json);
    REQUIRE(again.has_value());
    REQUIRE(receiver.resume(json).has_value());
    CHECK(again->sequence.sequence_id == 6);
    CHECK(receive(receiver, again->sequence, t0 + 4s) == receive_decision::handled);
    CHECK(receiver.next_expected_id() == 6);
    auto sixth = receiver.on_receive(numbered(6), t0 + 4s);
    REQUIRE(sixth.has_value());
    CHECK(sixth->decision == receive_decision::dispatch);
    CHECK(sixth->sequence_id == 6);

    // One past latest + 1 is real loss, mid-replay or not.
    receiver.on_transport_lost();
    REQUIRE(receiver.resume(json).has_value());
    REQUIRE(receiver.on_sequence(2).has_value());
    auto lost = receiver.on_sequence(8);
    REQUIRE_FALSE(lost.has_value());
    CHECK(lost.error().code == error::sequence_id_too_high);
}

// ---- SR-010: the byte limit ----------------------------------------------

TEST_CASE("SR-010 the buffer limit defaults to 100000 bytes", "[stateful_reconnect][SR-010]") {
    CHECK(stateful_reconnect_options{}.buffer_size == 100'000);
    CHECK(stateful_reconnect_buffer{}.options().buffer_size == 100'000);
    CHECK(stateful_reconnect_options{}.ack_delay == 1s);
    CHECK(stateful_reconnect_options{}.gate == resume_gate::none);
}

TEST_CASE("SR-010 once buffered bytes exceed the limit tracked sends wait until an Ack frees space",
          "[stateful_reconnect][SR-010]") {
    const auto one = json.encode(numbered(1)); // every numbered(n < 10) is the same size
    stateful_reconnect_buffer buffer(stateful_reconnect_options{3 * one.size(), 1s, resume_gate::none});

    send(buffer, numbered(1));
    send(buffer, numbered(2));
    send(buffer, numbered(3));
    CHECK(buffer.buffered_bytes() == 3 * one.size());
    CHECK_FALSE(buffer.must_wait_for_ack()); // at the limit is not over it
    send(buffer, numbered(4));               // the message that crosses the limit still goes
    CHECK(buffer.must_wait_for_ack());

    auto waiting = buffer.on_send(numbered(5), json.encode(numbered(5)));
    CHECK(waiting.decision == send_decision::wait_for_ack);
    CHECK(waiting.sequence_id == 0);
    CHECK(buffer.last_sent_id() == 4); // nothing was recorded: the caller offers it again
    CHECK(buffer.buffered_count() == 4);

    // Untracked messages neither wait nor add bytes.
    send(buffer, ping_message{});
    send(buffer, ack_message{0});

    REQUIRE(buffer.on_ack(1).has_value());
    CHECK_FALSE(buffer.must_wait_for_ack());
    auto resent = buffer.on_send(numbered(5), json.encode(numbered(5)));
    CHECK(resent.decision == send_decision::send);
    CHECK(resent.sequence_id == 5);
}

TEST_CASE("SR-010 a message larger than the whole limit still goes when the buffer is under it",
          "[stateful_reconnect][SR-010]") {
    stateful_reconnect_buffer buffer(stateful_reconnect_options{10, 1s, resume_gate::none});
    const hub_message big = invocation_message{{}, std::nullopt, "Big", {value(std::string(100, 'x'))}, {}};
    send(buffer, big);
    CHECK(buffer.must_wait_for_ack());
    send(buffer, big, send_decision::wait_for_ack);
    REQUIRE(buffer.on_ack(1).has_value());
    send(buffer, big);
}

// ---- SR-013..SR-016: the resume --------------------------------------------

TEST_CASE("SR-013 after a drop the Sequence names the oldest un-acked message", "[stateful_reconnect][SR-013]") {
    stateful_reconnect_buffer buffer;
    std::vector<std::string> sent;
    for (int i = 1; i <= 4; ++i)
        sent.push_back(send(buffer, numbered(i)));
    REQUIRE(buffer.on_ack(1).has_value());
    buffer.on_transport_lost();

    auto plan = buffer.resume(json);
    REQUIRE(plan.has_value());
    CHECK(plan->sequence.sequence_id == 2);
    REQUIRE(plan->records.size() == 4);
    CHECK(plan->records[0] == "{\"type\":9,\"sequenceId\":2}\x1e");
    CHECK(plan->records[1] == sent[1]);
    CHECK(plan->records[2] == sent[2]);
    CHECK(plan->records[3] == sent[3]);
    CHECK(buffer.state() == link_state::connected);
    // Replayed messages stay buffered until acknowledged.
    CHECK(buffer.buffered_count() == 3);
}

TEST_CASE("SR-013 with everything acknowledged the Sequence is the last sent number plus one",
          "[stateful_reconnect][SR-013]") {
    stateful_reconnect_buffer buffer;
    for (int i = 1; i <= 3; ++i)
        send(buffer, numbered(i));
    REQUIRE(buffer.on_ack(3).has_value());
    buffer.on_transport_lost();
    auto plan = buffer.resume(json);
    REQUIRE(plan.has_value());
    CHECK(plan->sequence.sequence_id == 4);
    REQUIRE(plan->records.size() == 1);
    CHECK(plan->records[0] == json.encode(sequence_message{4}));
}

TEST_CASE("SR-013 tracked messages sent while the transport is down are held and replayed in order",
          "[stateful_reconnect][SR-013]") {
    stateful_reconnect_buffer buffer;
    const auto first = send(buffer, numbered(1));
    buffer.on_transport_lost();
    const auto second = send(buffer, numbered(2), send_decision::held_for_resume);
    send(buffer, ping_message{}, send_decision::discard); // no transport, and no replay for untracked
    auto plan = buffer.resume(json);
    REQUIRE(plan.has_value());
    REQUIRE(plan->records.size() == 3);
    CHECK(plan->records[0] == json.encode(sequence_message{1}));
    CHECK(plan->records[1] == first);
    CHECK(plan->records[2] == second);
}

TEST_CASE("SR-013 MSG-081 the Sequence is framed with the connection's protocol",
          "[stateful_reconnect][SR-013][MSG-081]") {
    const hub_protocol& msgpack = messagepack_protocol();
    stateful_reconnect_buffer buffer;
    send(buffer, numbered(1), send_decision::send, msgpack);
    REQUIRE(buffer.on_ack(1).has_value());
    buffer.on_transport_lost();
    auto plan = buffer.resume(msgpack);
    REQUIRE(plan.has_value());
    REQUIRE(plan->records.size() == 1);
    CHECK(to_hex(plan->records[0]) == "03 92 09 02"); // [9, 2]
}

TEST_CASE("SR-014 the Sequence is the first record on the new transport and a gated receiver drops all before it",
          "[stateful_reconnect][SR-014]") {
    stateful_reconnect_buffer sender;
    send(sender, numbered(1));
    sender.on_transport_lost();
    auto plan = sender.resume(json);
    REQUIRE(plan.has_value());
    REQUIRE_FALSE(plan->records.empty());
    CHECK(std::holds_alternative<sequence_message>(parse_one(json, plan->records.front())));

    SECTION("TS-style gate: everything but the Sequence is dropped and not counted") {
        stateful_reconnect_buffer receiver(stateful_reconnect_options{100'000, 1s, resume_gate::until_sequence});
        receive(receiver, numbered(1));
        receiver.on_transport_lost();
        REQUIRE(receiver.resume(json).has_value());
        CHECK(receiver.awaiting_sequence());
        CHECK(receive(receiver, ping_message{}) == receive_decision::drop_awaiting_sequence);
        CHECK(receive(receiver, numbered(2)) == receive_decision::drop_awaiting_sequence);
        CHECK(receive(receiver, ack_message{0}) == receive_decision::drop_awaiting_sequence);
        CHECK(receiver.next_expected_id() == 2);
        CHECK(receive(receiver, sequence_message{2}) == receive_decision::handled);
        CHECK_FALSE(receiver.awaiting_sequence());
        CHECK(receive(receiver, numbered(2)) == receive_decision::dispatch);
    }
    SECTION(".NET-style, no gate: messages before the Sequence are processed as if nothing happened") {
        stateful_reconnect_buffer receiver;
        receive(receiver, numbered(1));
        receiver.on_transport_lost();
        REQUIRE(receiver.resume(json).has_value());
        CHECK(receiver.awaiting_sequence());
        CHECK(receive(receiver, ping_message{}) == receive_decision::dispatch);
        CHECK(receive(receiver, numbered(2)) == receive_decision::dispatch);
        CHECK(receiver.next_expected_id() == 3);
        CHECK(receive(receiver, sequence_message{2}) == receive_decision::handled);
        CHECK_FALSE(receiver.awaiting_sequence());
        CHECK(receive(receiver, numbered(2)) == receive_decision::drop_duplicate);
    }
}

TEST_CASE("SR-015 a Sequence above the next expected number terminates with Microsoft's text",
          "[stateful_reconnect][SR-015]") {
    stateful_reconnect_buffer buffer;
    receive(buffer, numbered(1));
    receive(buffer, numbered(2));
    REQUIRE(buffer.next_expected_id() == 3);

    auto too_high = buffer.on_receive(sequence_message{4}, t0);
    REQUIRE_FALSE(too_high.has_value());
    CHECK(too_high.error().code == error::sequence_id_too_high);
    CHECK(too_high.error().requirement == "SR-015");
    CHECK(too_high.error().message == texts::sequence_id_too_high);
    CHECK(too_high.error().message == "Sequence ID greater than amount of messages we've received.");
    CHECK(buffer.next_expected_id() == 3); // unchanged

    CHECK(buffer.on_sequence(3).has_value()); // equal: nothing lost
    CHECK(buffer.next_expected_id() == 3);
    CHECK(buffer.on_sequence(1).has_value()); // lower: a replay of 1 and 2 follows
    CHECK(buffer.next_expected_id() == 1);
    CHECK(buffer.latest_received_id() == 2);
}

TEST_CASE("SR-016 a graceful close ends the connection and no resume follows", "[stateful_reconnect][SR-016]") {
    stateful_reconnect_buffer buffer;
    send(buffer, numbered(1));

    SECTION("Close sent") {
        send(buffer, close_message{});
    }
    SECTION("Close received") {
        CHECK(receive(buffer, close_message{std::nullopt, true}) == receive_decision::dispatch);
    }
    SECTION("WebSocket Close frame or stop()") {
        buffer.end();
    }

    CHECK(buffer.state() == link_state::ended);
    buffer.on_transport_lost();
    CHECK(buffer.state() == link_state::ended);
    auto plan = buffer.resume(json);
    REQUIRE_FALSE(plan.has_value());
    CHECK(plan.error().code == error::reconnect_after_close);
    CHECK(plan.error().requirement == "SR-016");
    send(buffer, numbered(2), send_decision::discard);
    CHECK(buffer.last_sent_id() == 1);
}

// ---- MSG-080..084: the Ack and Sequence records the buffer writes ----------

TEST_CASE("MSG-080 MSG-083 the Ack the buffer asks for is a headerless type 8 record",
          "[stateful_reconnect][MSG-080][MSG-083]") {
    stateful_reconnect_buffer buffer;
    receive(buffer, numbered(1), t0);
    receive(buffer, numbered(2), t0);
    auto ack = buffer.poll_ack(t0 + 1s);
    REQUIRE(ack.has_value());
    CHECK(json.encode(*ack) == "{\"type\":8,\"sequenceId\":2}\x1e");
    CHECK(headers_of(hub_message{*ack}) == nullptr);
    CHECK(to_hex(messagepack_protocol().encode(*ack)) == "03 92 08 02");
    // Sending it is untracked (SR-004): it never enters the replay buffer.
    send(buffer, *ack);
    CHECK(buffer.buffered_count() == 0);
}

TEST_CASE("MSG-084 the buffer produces Ack and Sequence only for tracked traffic and a resume",
          "[stateful_reconnect][MSG-084]") {
    // A connection that never negotiated stateful reconnect has no buffer; one
    // that did only emits Acks for tracked messages it received and Sequences on resume.
    stateful_reconnect_buffer buffer;
    send(buffer, numbered(1));
    send(buffer, ping_message{});
    receive(buffer, ping_message{}, t0);
    receive(buffer, unknown_message{10}, t0);
    CHECK_FALSE(buffer.next_ack_deadline().has_value());
    CHECK_FALSE(buffer.poll_ack(t0 + 1h).has_value());
}

// ---- test-vectors.md §8 ----------------------------------------------------
