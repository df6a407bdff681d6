// The MessagePack hub protocol: every vector of test-vectors.md §3 (read, and
// written byte-exact where it is the .NET writer's form), the layouts of
// MSG-009..081 and hostile input. Values alone: messagepack_value_test.cpp.

#include "hubspec/protocol/hub_protocol.hpp"
#include "hubspec/protocol/message_reader.hpp"
#include "hubspec/protocol/texts.hpp"

#include "messagepack_test_support.hpp"

#include <catch2/catch.hpp>

#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <vector>

using namespace hubspec::protocol;
using namespace hubspec::protocol::test;

// ---------------------------------------------------------------- the protocol object

TEST_CASE("HS-002 the MessagePack protocol is named messagepack, version 2, binary", "[messagepack][HS-002]") {
    CHECK(mp().name() == "messagepack");
    CHECK(mp().version() == 2);
    CHECK(mp().format() == transfer_format::binary);
    CHECK(find_protocol("messagepack") == &mp());
}

// ---------------------------------------------------------------- §3 vectors

TEST_CASE("MSG-013 M-01 a blocking Invocation is written and read", "[messagepack][MSG-013]") {
    const auto m = invocation("xyz", "method", {42});
    expect_written(m, "11 96 01 80 A3 78 79 7A A6 6D 65 74 68 6F 64 91 2A 90");
    expect_read("11 96 01 80 A3 78 79 7A A6 6D 65 74 68 6F 64 91 2A 90", m);
}

TEST_CASE("MSG-013 M-02 a non-blocking Invocation carries nil as its id", "[messagepack][MSG-013]") {
    const auto m = invocation(std::nullopt, "method", {42});
    expect_written(m, "0E 96 01 80 C0 A6 6D 65 74 68 6F 64 91 2A 90");
    expect_read("0E 96 01 80 C0 A6 6D 65 74 68 6F 64 91 2A 90", m);
}

TEST_CASE("MSG-007 M-03 Invocation headers are a str map right after the type", "[messagepack][MSG-007]") {
    const auto m = invocation("xyz", "method", {42}, {}, {{"x", "y"}, {"z", "z"}});
    const char* hex = "19 96 01 82 A1 78 A1 79 A1 7A A1 7A A3 78 79 7A A6 6D 65 74 68 6F 64 91 2A 90";
    expect_written(m, hex);
    expect_read(hex, m);
}

TEST_CASE("MSG-013 M-04 an Invocation is written with all six items", "[messagepack][MSG-013]") {
    const auto m = invocation("123", "Send", {42, "Test Message"});
    const char* hex = "1C 96 01 80 A3 31 32 33 A4 53 65 6E 64 92 2A AC 54 65 73 74 20 4D 65 73 73 61 67 65 90";
    expect_written(m, hex);
    expect_read(hex, m);
}

TEST_CASE("MSG-013 M-05 an Invocation carries its stream ids last", "[messagepack][MSG-013]") {
    const auto m = invocation("123", "Send", {42}, {"1"});
    expect_written(m, "11 96 01 80 A3 31 32 33 A4 53 65 6E 64 91 2A 91 A1 31");
    expect_read("11 96 01 80 A3 31 32 33 A4 53 65 6E 64 91 2A 91 A1 31", m);
}

TEST_CASE("MSG-013 M-06 a five-item Invocation from the TS client is read", "[messagepack][MSG-013]") {
    expect_read("1B 95 01 80 A3 31 32 33 A4 53 65 6E 64 92 2A AC 54 65 73 74 20 4D 65 73 73 61 67 65",
                invocation("123", "Send", {42, "Test Message"}));
}

TEST_CASE("MSG-021 M-07 a StreamInvocation is written and read", "[messagepack][MSG-021]") {
    const stream_invocation_message m{{}, "xyz", "method", {42}, {}};
    expect_written(m, "11 96 04 80 A3 78 79 7A A6 6D 65 74 68 6F 64 91 2A 90");
    expect_read("11 96 04 80 A3 78 79 7A A6 6D 65 74 68 6F 64 91 2A 90", m);
}

TEST_CASE("MSG-021 a five-item StreamInvocation is read", "[messagepack][MSG-021]") {
    expect_read("10 95 04 80 A3 78 79 7A A6 6D 65 74 68 6F 64 91 2A",
                stream_invocation_message{{}, "xyz", "method", {42}, {}});
}

TEST_CASE("MSG-032 M-08 a StreamItem is written and read", "[messagepack][MSG-032]") {
    const stream_item_message m{{}, "xyz", 42};
    expect_written(m, "08 94 02 80 A3 78 79 7A 2A");
    expect_read("08 94 02 80 A3 78 79 7A 2A", m);
}

TEST_CASE("MSG-043 M-09 an error Completion has result kind 1", "[messagepack][MSG-043]") {
    const auto m = completion_message::with_error("xyz", "Error");
    expect_written(m, "0E 95 03 80 A3 78 79 7A 01 A5 45 72 72 6F 72");
    expect_read("0E 95 03 80 A3 78 79 7A 01 A5 45 72 72 6F 72", m);
}

TEST_CASE("MSG-043 M-10 a void Completion has result kind 2 and four items", "[messagepack][MSG-043]") {
    const auto m = completion_message::void_result("xyz");
    expect_written(m, "08 94 03 80 A3 78 79 7A 02");
    expect_read("08 94 03 80 A3 78 79 7A 02", m);
}

TEST_CASE("MSG-043 M-11 a Completion with a result has result kind 3", "[messagepack][MSG-043]") {
    const auto m = completion_message::with_result("xyz", 42);
    expect_written(m, "09 95 03 80 A3 78 79 7A 03 2A");
    expect_read("09 95 03 80 A3 78 79 7A 03 2A", m);
}

TEST_CASE("MSG-042 M-12 a nil result is a non-void Completion", "[messagepack][MSG-042][MSG-043]") {
    const auto m = completion_message::with_result("xyz", value{});
    expect_written(m, "09 95 03 80 A3 78 79 7A 03 C0");
    expect_read("09 95 03 80 A3 78 79 7A 03 C0", m);
}

TEST_CASE("MSG-050 M-13 a CancelInvocation is written and read", "[messagepack][MSG-050]") {
    const cancel_invocation_message m{{}, "xyz"};
    expect_written(m, "07 93 05 80 A3 78 79 7A");
    expect_read("07 93 05 80 A3 78 79 7A", m);
}

TEST_CASE("MSG-060 M-14 a Ping is exactly 91 06", "[messagepack][MSG-060]") {
    expect_written(ping_message{}, "02 91 06");
    expect_read("02 91 06", ping_message{});
}

TEST_CASE("MSG-071 M-15 a two-item Close with an error is read", "[messagepack][MSG-071]") {
    expect_read("06 92 07 A3 78 79 7A", close_message{"xyz", false});
}

TEST_CASE("MSG-071 M-16 a Close with an error and allowReconnect is written and read", "[messagepack][MSG-071]") {
    const close_message m{"xyz", true};
    expect_written(m, "07 93 07 A3 78 79 7A C3");
    expect_read("07 93 07 A3 78 79 7A C3", m);
}

TEST_CASE("MSG-071 M-17 a plain Close is written in the .NET server form 93 07 C0 C2", "[messagepack][MSG-071]") {
    expect_written(close_message{}, "04 93 07 C0 C2");
    expect_read("04 93 07 C0 C2", close_message{});
}

TEST_CASE("MSG-071 M-18 a Close with an error is written with allowReconnect false", "[messagepack][MSG-071]") {
    const close_message m{"xyz", false};
    expect_written(m, "07 93 07 A3 78 79 7A C2");
    expect_read("07 93 07 A3 78 79 7A C2", m);
}

TEST_CASE("MSG-071 M-19 the TS client Close form 92 07 C0 is read", "[messagepack][MSG-071]") {
    expect_read("03 92 07 C0", close_message{});
}

TEST_CASE("MSG-080 M-20 an Ack with a uint8 sequence id is read", "[messagepack][MSG-080]") {
    expect_read("04 92 08 CC 24", ack_message{36});
}

TEST_CASE("MSG-080 M-21 an Ack is written with the shortest integer", "[messagepack][MSG-080]") {
    expect_written(ack_message{36}, "03 92 08 24");
    expect_read("03 92 08 24", ack_message{36});
}

TEST_CASE("MSG-081 M-22 a Sequence with a uint8 sequence id is read", "[messagepack][MSG-081]") {
    expect_read("04 92 09 CC 13", sequence_message{19});
}

TEST_CASE("MSG-081 M-23 a Sequence is written with the shortest integer", "[messagepack][MSG-081]") {
    expect_written(sequence_message{19}, "03 92 09 13");
    expect_read("03 92 09 13", sequence_message{19});
}

TEST_CASE("MSG-080 M-24 an Ack of 1394 uses uint16", "[messagepack][MSG-080]") {
    expect_written(ack_message{1394}, "05 92 08 CD 05 72");
    expect_read("05 92 08 CD 05 72", ack_message{1394});
}

TEST_CASE("MSG-081 M-25 a Sequence of 1 is a positive fixint", "[messagepack][MSG-081]") {
    expect_written(sequence_message{1}, "03 92 09 01");
    expect_read("03 92 09 01", sequence_message{1});
}

TEST_CASE("MSG-080 sequence ids are read from every integer width", "[messagepack][MSG-080][MSG-081]") {
    for (const char* body :
         {"92 08 24", "92 08 CC 24", "92 08 CD 00 24", "92 08 CE 00 00 00 24", "92 08 CF 00 00 00 00 00 00 00 24",
          "92 08 D0 24", "92 08 D1 00 24", "92 08 D2 00 00 00 24", "92 08 D3 00 00 00 00 00 00 00 24"}) {
        INFO(body);
        auto parsed = mp().parse(from_hex(body));
        REQUIRE(parsed.has_value());
        CHECK(*parsed == hub_message{ack_message{36}});
    }
    auto big = mp().parse(from_hex("92 09 CF 7F FF FF FF FF FF FF FF"));
    REQUIRE(big.has_value());
    CHECK(*big == hub_message{sequence_message{std::numeric_limits<std::int64_t>::max()}});
    expect_written(ack_message{std::numeric_limits<std::int64_t>::max()}, "0B 92 08 CF 7F FF FF FF FF FF FF FF");
}

// ---------------------------------------------------------------- framing vectors

TEST_CASE("FRAME-005 F-M1 two binary records are framed by their VarInt lengths", "[messagepack][FRAME-005]") {
    const std::string input = from_hex("0B 68 65 6C 6C 6F 0A 77 6F 72 6C 64 02 01 02");
    for_each_split(input, [&](const std::vector<std::string_view>& chunks) {
        std::string buffer;
        std::vector<std::string> bodies;
        for (std::string_view chunk : chunks) {
            buffer += chunk;
            for (;;) {
                auto record = mp().next_record(buffer);
                if (!record) {
                    REQUIRE(record.error().is_need_more());
                    break;
                }
                bodies.emplace_back(record->body);
                buffer.erase(0, record->consumed);
            }
        }
        REQUIRE(bodies.size() == 2);
        // The vector labels it "Hello\nWorld", but its bytes spell it in lower case.
        CHECK(bodies[0] == "hello\nworld");
        CHECK(bodies[1] == from_hex("01 02"));
        CHECK(buffer.empty());
    });
}

namespace {

/// A StreamItem whose msgpack body is exactly `size` bytes (size >= 11): [2,{},"xyz",str].
stream_item_message stream_item_with_body_size(std::size_t size) {
    // 7 bytes of envelope, then the string header (1, 2, 3 or 5 bytes) and its text.
    std::size_t text = size - 7;
    for (std::size_t header : {std::size_t{1}, std::size_t{2}, std::size_t{3}, std::size_t{5}}) {
        const std::size_t n = text - header;
        const std::size_t needed = n <= 31 ? 1 : n <= 0xFF ? 2 : n <= 0xFFFF ? 3 : 5;
        if (needed == header) return stream_item_message{{}, "xyz", std::string(n, 'a')};
    }
    FAIL("no string length gives a body of " << size);
    return {};
}

} // namespace

TEST_CASE("FRAME-006 F-M2 VarInt prefixes 35 and 80 29 frame 53 and 5248 byte bodies", "[messagepack][FRAME-006]") {
    for (auto [size, prefix] : {std::pair<std::size_t, const char*>{53, "35"}, {5248, "80 29"}}) {
        const auto m = stream_item_with_body_size(size);
        const std::string framed = mp().encode(m);
        CHECK(framed.size() == size + from_hex(prefix).size());
        CHECK(to_hex(framed.substr(0, from_hex(prefix).size())) == prefix);
        auto parsed = parse_framed(framed);
        REQUIRE(parsed.has_value());
        CHECK(*parsed == hub_message{m});
    }
}

TEST_CASE("FRAME-008 F-M3 the writer emits the shortest VarInt prefix", "[messagepack][FRAME-008]") {
    const std::pair<std::size_t, const char*> table[] = {
        {127, "7F"},         {128, "80 01"},      {300, "AC 02"},        {16383, "FF 7F"},
        {16384, "80 80 01"}, {32768, "80 80 02"}, {2097151, "FF FF 7F"}, {2097152, "80 80 80 01"},
    };
    for (auto [size, prefix] : table) {
        INFO("body size " << size);
        const std::string framed = mp().encode(stream_item_with_body_size(size));
        const std::size_t prefix_size = from_hex(prefix).size();
        CHECK(framed.size() == size + prefix_size);
        CHECK(to_hex(framed.substr(0, prefix_size)) == prefix);
    }
}

TEST_CASE("FRAME-007 F-M4 over-long and over-large prefixes stop the reader", "[messagepack][FRAME-007]") {
    for (const char* hex : {"80 80 80 80 80 01", "FF FF FF FF 08"}) {
        INFO(hex);
        for_each_split(from_hex(hex), [&](const std::vector<std::string_view>& chunks) {
            auto outcome = read_chunks(chunks);
            REQUIRE(outcome.error.has_value());
            CHECK(outcome.error->code == error::varint_too_long);
            CHECK(outcome.messages.empty());
        });
    }
}

TEST_CASE("FRAME-005 F-M5 two messages in one transport message are both read", "[messagepack][FRAME-005]") {
    const std::string input = from_hex("02 91 06 08 94 03 80 A3 78 79 7A 02");
    for_each_split(input, [&](const std::vector<std::string_view>& chunks) {
        auto outcome = read_chunks(chunks);
        REQUIRE_FALSE(outcome.error.has_value());
        REQUIRE(outcome.messages.size() == 2);
        CHECK(outcome.messages[0] == hub_message{ping_message{}});
        CHECK(outcome.messages[1] == hub_message{completion_message::void_result("xyz")});
    });
}

TEST_CASE("FRAME-003 F-M6 a record split across reads yields one StreamItem after the second",
          "[messagepack][FRAME-003]") {
    message_reader reader(mp());
    reader.feed(from_hex("08 94 02 80"));
    auto first = reader.next();
    REQUIRE_FALSE(first.has_value());
    CHECK(first.error().is_need_more());
    reader.feed(from_hex("A3 78 79 7A 2A"));
    auto second = reader.next();
    REQUIRE(second.has_value());
    CHECK(*second == hub_message{stream_item_message{{}, "xyz", 42}});
    CHECK(reader.next().error().is_need_more());
    CHECK(reader.finish().has_value());
    for_each_split(from_hex("08 94 02 80 A3 78 79 7A 2A"), [&](const std::vector<std::string_view>& chunks) {
        auto outcome = read_chunks(chunks);
        REQUIRE(outcome.messages.size() == 1);
        CHECK(outcome.messages[0] == hub_message{stream_item_message{{}, "xyz", 42}});
    });
}

TEST_CASE("FRAME-005 F-M7 the first Ping of a MessagePack connection is 02 91 06", "[messagepack][FRAME-005]") {
    expect_read("02 91 06", ping_message{});
}

TEST_CASE("FRAME-009 a record of prefix plus body over 32768 bytes is rejected", "[messagepack][FRAME-009]") {
    // 80 80 02 = 32768: prefix + body is 32771 > 32768.
    std::string input = from_hex("80 80 02") + std::string(32768, '\0');
    auto outcome = read_chunks({input}, default_maximum_message_size);
    REQUIRE(outcome.error.has_value());
    CHECK(outcome.error->code == error::record_too_large);
    // Known from the prefix alone, before the body arrives.
    auto early = read_chunks({std::string_view(input).substr(0, 3)}, default_maximum_message_size);
    REQUIRE(early.error.has_value());
    CHECK(early.error->code == error::record_too_large);
}

TEST_CASE("FRAME-009 a record of exactly 32768 bytes with its prefix is accepted", "[messagepack][FRAME-009]") {
    const auto m = stream_item_with_body_size(32765);
    const std::string framed = mp().encode(m);
    REQUIRE(framed.size() == 32768);
    CHECK(to_hex(framed.substr(0, 3)) == "FD FF 01");
    auto outcome = read_chunks({framed}, default_maximum_message_size);
    REQUIRE_FALSE(outcome.error.has_value());
    REQUIRE(outcome.messages.size() == 1);
    CHECK(outcome.messages[0] == hub_message{m});
}

// ---------------------------------------------------------------- accepted variations

TEST_CASE("MSG-009 arrays longer than the layout are read and extra items ignored", "[messagepack][MSG-009]") {
    auto check = [](const char* body, const hub_message& expected) {
        INFO(body);
        auto parsed = mp().parse(from_hex(body));
        INFO((parsed ? show(*parsed) : parsed.error().to_string()));
        REQUIRE(parsed.has_value());
        CHECK(*parsed == expected);
    };
    check("92 06 C0", ping_message{});
    check("97 01 80 A3 78 79 7A A6 6D 65 74 68 6F 64 91 2A 90 C3", invocation("xyz", "method", {42}));
    check("95 03 80 A3 78 79 7A 02 2A", completion_message::void_result("xyz"));
    check("97 03 80 A3 78 79 7A 03 2A 81 A1 61 91 C0 C4 01 FF", completion_message::with_result("xyz", 42));
    check("94 07 C0 C3 DC 00 01 C0", close_message{std::nullopt, true});
    check("93 08 24 A1 78", ack_message{36});
    check("94 05 80 A3 78 79 7A 90", cancel_invocation_message{{}, "xyz"});
}

TEST_CASE("MSG-014 an empty-string invocation id is read as none and the Invocation is non-blocking",
          "[messagepack][MSG-014]") {
    auto parsed = mp().parse(from_hex("96 01 80 A0 A1 74 90 90"));
    REQUIRE(parsed.has_value());
    CHECK(*parsed == hub_message{invocation(std::nullopt, "t", {})});
    // And an empty id is written as nil, as .NET does.
    expect_written(invocation(std::string{}, "t", {}), "08 96 01 80 C0 A1 74 90 90");
}

TEST_CASE("MSG-004 an unknown type code is read as unknown_message", "[messagepack][MSG-004]") {
    auto check = [](const char* body, std::int64_t code) {
        INFO(body);
        auto parsed = mp().parse(from_hex(body));
        REQUIRE(parsed.has_value());
        CHECK(*parsed == hub_message{unknown_message{code}});
    };
    check("91 0A", 10);
    check("93 63 80 C0", 99);
    check("91 00", 0);
    check("91 FF", -1);
    check("92 CD 03 E8 82 A1 61 01 A1 62 92 C0 C3", 1000);
    expect_written(unknown_message{99}, "02 91 63");
    expect_written(unknown_message{-1}, "02 91 FF");
}

TEST_CASE("MSG-004 an unknown type is skipped by the reader and the next message is read", "[messagepack][MSG-004]") {
    for_each_split(from_hex("04 93 63 80 C0 02 91 06"), [&](const std::vector<std::string_view>& chunks) {
        auto outcome = read_chunks(chunks);
        REQUIRE_FALSE(outcome.error.has_value());
        REQUIRE(outcome.messages.size() == 2);
        CHECK(outcome.messages[0] == hub_message{unknown_message{99}});
        CHECK(outcome.messages[1] == hub_message{ping_message{}});
    });
}

TEST_CASE("MSG-071 an empty Close error is kept when read and written as nil", "[messagepack][MSG-071]") {
    auto parsed = mp().parse(from_hex("93 07 A0 C2"));
    REQUIRE(parsed.has_value());
    CHECK(*parsed == hub_message{close_message{std::string{}, false}});
    expect_written(close_message{std::string{}, false}, "04 93 07 C0 C2");
}

TEST_CASE("MSG-043 an error Completion wins over a result when both are set", "[messagepack][MSG-043]") {
    completion_message both{{}, "xyz", value{1}, std::string("bad")};
    expect_written(both, "0C 95 03 80 A3 78 79 7A 01 A3 62 61 64");
}

TEST_CASE("MSG-008 headers are written on types 1 to 5 and never on Close", "[messagepack][MSG-008][MSG-077]") {
    header_map h{{"k", "v"}};
    expect_written(stream_item_message{h, "1", nullptr}, "0A 94 02 81 A1 6B A1 76 A1 31 C0");
    expect_written(cancel_invocation_message{h, "1"}, "09 93 05 81 A1 6B A1 76 A1 31");
    completion_message c = completion_message::void_result("1");
    c.headers = h;
    expect_written(c, "0A 94 03 81 A1 6B A1 76 A1 31 02");
    stream_invocation_message si{h, "1", "t", {}, {"s"}};
    expect_written(si, "0F 96 04 81 A1 6B A1 76 A1 31 A1 74 90 91 A1 73");
    expect_read("0F 96 04 81 A1 6B A1 76 A1 31 A1 74 90 91 A1 73", si);
}

// ---------------------------------------------------------------- rejected input

TEST_CASE("MSG-043 a result kind other than 1 2 or 3 is Microsoft's Invalid invocation result kind",
          "[messagepack][MSG-043]") {
    for (const char* body : {"95 03 80 A3 78 79 7A 04 2A", "95 03 80 A3 78 79 7A 00 2A", "94 03 80 A3 78 79 7A FF",
                             "94 03 80 A3 78 79 7A CF FF FF FF FF FF FF FF FF"}) {
        const auto e = expect_rejected(body, error::invalid_result_kind, "MSG-043");
        CHECK(e.message == texts::invalid_result_kind);
        CHECK(e.offset == 7);
    }
    expect_rejected("95 03 80 A3 78 79 7A A1 31 2A", error::wrong_property_type, "MSG-043");
}

TEST_CASE("MSG-009 arrays shorter than the layout are too_few_items naming the type", "[messagepack][MSG-009]") {
    auto e = expect_rejected("93 01 80 C0", error::too_few_items, "MSG-013");
    CHECK(e.message.find("Invocation") != std::string::npos);
    CHECK(e.message.find("3") != std::string::npos);
    CHECK(e.message.find("5") != std::string::npos);
    expect_rejected("94 04 80 A1 31 A1 74", error::too_few_items, "MSG-021");
    expect_rejected("93 02 80 A1 31", error::too_few_items, "MSG-032");
    expect_rejected("93 03 80 A1 31", error::too_few_items, "MSG-043");
    expect_rejected("94 03 80 A1 31 03", error::too_few_items, "MSG-043");
    expect_rejected("94 03 80 A1 31 01", error::too_few_items, "MSG-043");
    expect_rejected("92 05 80", error::too_few_items, "MSG-050");
    expect_rejected("91 07", error::too_few_items, "MSG-071");
    expect_rejected("91 08", error::too_few_items, "MSG-080");
    expect_rejected("91 09", error::too_few_items, "MSG-081");
    expect_rejected("90", error::too_few_items, "MSG-009");
}

TEST_CASE("MSG-009 a message that is not an array is rejected", "[messagepack][MSG-009]") {
    expect_rejected("2A", error::not_an_array, "MSG-009");
    expect_rejected("80", error::not_an_array, "MSG-009");
    expect_rejected("A3 78 79 7A", error::not_an_array, "MSG-009");
    expect_rejected("C0", error::not_an_array, "MSG-009");
}

TEST_CASE("MSG-009 a type code that is not an integer is rejected", "[messagepack][MSG-009]") {
    auto e = expect_rejected("91 A1 31", error::missing_type, "MSG-009");
    CHECK(e.offset == 1);
    expect_rejected("91 C0", error::missing_type, "MSG-009");
    expect_rejected("91 CB 3F F0 00 00 00 00 00 00", error::missing_type, "MSG-009");
    expect_rejected("91 CF FF FF FF FF FF FF FF FF", error::missing_type, "MSG-009");
}

TEST_CASE("FRAME-012 an empty body is rejected", "[messagepack][FRAME-012]") {
    auto parsed = mp().parse("");
    REQUIRE_FALSE(parsed.has_value());
    CHECK(parsed.error().code == error::empty_record);
}

TEST_CASE("FRAME-005 a length that runs past the body is truncated", "[messagepack][FRAME-005]") {
    expect_rejected("96 01 80 C0 DA FF", error::truncated, "FRAME-005");
    expect_rejected("92 06 D9 05 41", error::truncated, "FRAME-005");
    expect_rejected("92 06 DB FF FF FF FF 41", error::truncated, "FRAME-005");
    expect_rejected("92 06 C6 FF FF FF FF", error::truncated, "FRAME-005");
    expect_rejected("92 06 C9 00 00 00 05 01 02", error::truncated, "FRAME-005");
    expect_rejected("92 06 D8 01 02", error::truncated, "FRAME-005");
    expect_rejected("92 06 CB 00", error::truncated, "FRAME-005");
    expect_rejected("92 06 CD 00", error::truncated, "FRAME-005");
    expect_rejected("DC 00", error::truncated, "FRAME-005");
    expect_rejected("96 01 80 A3 78 79", error::truncated, "FRAME-005");
    // An array of two items with one present ends early too.
    expect_rejected("92 06", error::truncated, "FRAME-005");
}

TEST_CASE("FRAME-005 hostile container counts fail before any allocation", "[messagepack][FRAME-005]") {
    for (const char* body :
         {"89 DF FF FF FF FF", "DD FF FF FF FF", "DF FF FF FF FF 00", "95 01 80 C0 A1 74 91 DF FF FF FF FF",
          "95 01 80 C0 A1 74 DD FF FF FF FF", "95 01 80 C0 A1 74 91 DB FF FF FF FF", "96 01 DF 7F FF FF FF",
          "95 01 80 C0 A1 74 91 C6 7F FF FF FF", "92 63 91 91 91 DD 7F FF FF FF"}) {
        const auto e = expect_rejected(body, error::truncated, "FRAME-005");
        CHECK_FALSE(e.message.empty());
    }
    // The same bytes framed and fed to a reader.
    const std::string body = from_hex("89 DF FF FF FF FF");
    std::string framed(1, static_cast<char>(body.size()));
    framed += body;
    auto outcome = read_chunks({framed});
    REQUIRE(outcome.error.has_value());
    CHECK(outcome.error->code == error::truncated);
}

TEST_CASE("MSG-009 nesting beyond 64 levels is rejected as nesting_too_deep", "[messagepack][MSG-009]") {
    const std::string envelope = from_hex("95 01 80 C0 A1 74 91");
    auto nested = [&](std::size_t depth, const char* level) {
        std::string body = envelope;
        for (std::size_t i = 0; i < depth; ++i)
            body += from_hex(level);
        body += from_hex("C0");
        return body;
    };
    auto deep = mp().parse(nested(64, "91"));
    CHECK(deep.has_value());
    auto too_deep = mp().parse(nested(65, "91"));
    REQUIRE_FALSE(too_deep.has_value());
    CHECK(too_deep.error().code == error::nesting_too_deep);
    auto bomb = mp().parse(nested(100000, "91"));
    REQUIRE_FALSE(bomb.has_value());
    CHECK(bomb.error().code == error::nesting_too_deep);
    // Maps nest through their values: {nil: {nil: ...}}.
    auto map_bomb = mp().parse(nested(1000, "81 C0"));
    REQUIRE_FALSE(map_bomb.has_value());
    CHECK(map_bomb.error().code == error::nesting_too_deep);
    // Items skipped after the layout are checked the same way.
    std::string skipped = from_hex("92 06");
    for (int i = 0; i < 1000; ++i)
        skipped += from_hex("91");
    skipped += from_hex("C0");
    auto skip_bomb = mp().parse(skipped);
    REQUIRE_FALSE(skip_bomb.has_value());
    CHECK(skip_bomb.error().code == error::nesting_too_deep);
}

TEST_CASE("MSG-013 an Invocation target that is not a string is rejected", "[messagepack][MSG-013]") {
    auto e = expect_rejected("95 01 80 C0 2A 90", error::wrong_property_type, "MSG-013");
    CHECK(e.offset == 4);
    CHECK(e.message.find("'target'") != std::string::npos);
    auto nil = expect_rejected("95 01 80 C0 C0 90", error::missing_property, "MSG-013");
    CHECK(nil.message == "Null or empty target for Invocation message.");
    expect_rejected("95 01 80 C0 A0 90", error::missing_property, "MSG-013");
    expect_rejected("95 01 80 2A A1 74 90", error::wrong_property_type, "MSG-013");
    auto args = expect_rejected("95 01 80 C0 A1 74 C0", error::wrong_property_type, "MSG-013");
    CHECK(args.message.find("'arguments'") != std::string::npos);
    expect_rejected("96 01 80 C0 A1 74 90 C0", error::wrong_property_type, "MSG-013");
    expect_rejected("96 01 80 C0 A1 74 90 91 2A", error::wrong_property_type, "MSG-013");
    auto empty_stream = expect_rejected("96 01 80 C0 A1 74 90 91 A0", error::missing_property, "MSG-013");
    CHECK(empty_stream.message == "Null or empty value in streamIds received.");
}

TEST_CASE("MSG-007 header keys and values that are not strings are rejected", "[messagepack][MSG-007]") {
    auto value_error = expect_rejected("95 01 81 A1 78 2A C0 A1 74 90", error::wrong_property_type, "MSG-007");
    CHECK(value_error.message.find("headers[0].Value") != std::string::npos);
    CHECK(value_error.offset == 5);
    auto key_error = expect_rejected("95 01 81 2A A1 78 C0 A1 74 90", error::wrong_property_type, "MSG-007");
    CHECK(key_error.message.find("headers[0].Key") != std::string::npos);
    expect_rejected("95 01 90 C0 A1 74 90", error::wrong_property_type, "MSG-007");
    expect_rejected("95 01 C0 C0 A1 74 90", error::wrong_property_type, "MSG-007");
    auto nil_value = expect_rejected("95 01 81 A1 78 C0 C0 A1 74 90", error::missing_property, "MSG-007");
    CHECK(nil_value.message == "Null or empty value in header.");
    auto empty_key = expect_rejected("95 01 81 A0 A1 78 C0 A1 74 90", error::missing_property, "MSG-007");
    CHECK(empty_key.message == "Null or empty key in header.");
    expect_rejected("94 02 81 A1 78 91 A1 79 A1 31 C0", error::wrong_property_type, "MSG-007");
}

TEST_CASE(
    "MSG-020 ids required by StreamInvocation StreamItem Completion and CancelInvocation must be non-empty strings",
    "[messagepack][MSG-020]") {
    auto si = expect_rejected("95 04 80 C0 A1 74 90", error::missing_property, "MSG-021");
    CHECK(si.message == "Null or empty invocation ID for StreamInvocation message.");
    auto item = expect_rejected("94 02 80 A0 2A", error::missing_property, "MSG-032");
    CHECK(item.message == "Null or empty invocation ID for StreamItem message.");
    auto completion = expect_rejected("94 03 80 C0 02", error::missing_property, "MSG-043");
    CHECK(completion.message == "Null or empty invocation ID for Completion message.");
    auto cancel = expect_rejected("93 05 80 C0", error::missing_property, "MSG-050");
    CHECK(cancel.message == "Null or empty invocation ID for CancelInvocation message.");
    expect_rejected("93 05 80 2A", error::wrong_property_type, "MSG-050");
    expect_rejected("94 02 80 C4 01 31 2A", error::wrong_property_type, "MSG-032");
    auto target = expect_rejected("95 04 80 A1 31 C0 90", error::missing_property, "MSG-021");
    CHECK(target.message == "Null or empty target for StreamInvocation message.");
}

TEST_CASE("MSG-071 Close fields of the wrong type are rejected", "[messagepack][MSG-071]") {
    expect_rejected("93 07 C0 01", error::wrong_property_type, "MSG-071");
    expect_rejected("92 07 2A", error::wrong_property_type, "MSG-071");
    expect_rejected("93 07 A1 78 C0", error::wrong_property_type, "MSG-071");
    expect_rejected("95 03 80 A3 78 79 7A 01 C0", error::wrong_property_type, "MSG-043");
}

TEST_CASE("MSG-080 a sequence id that is not an int64 is rejected", "[messagepack][MSG-080][MSG-081]") {
    expect_rejected("92 08 CF FF FF FF FF FF FF FF FF", error::wrong_property_type, "MSG-080");
    expect_rejected("92 08 A1 31", error::wrong_property_type, "MSG-080");
    expect_rejected("92 09 C0", error::wrong_property_type, "MSG-081");
    expect_rejected("92 09 CB 40 00 00 00 00 00 00 00", error::wrong_property_type, "MSG-081");
}

TEST_CASE("FRAME-005 bytes after the message array are rejected", "[messagepack][FRAME-005]") {
    auto e = expect_rejected("91 06 C0", error::invalid_messagepack, "FRAME-005");
    CHECK(e.offset == 2);
    expect_rejected("92 08 24 24", error::invalid_messagepack, "FRAME-005");
}

TEST_CASE("MSG-009 a str that is not UTF-8 and the byte C1 are invalid MessagePack", "[messagepack][MSG-009]") {
    for (const char* bad : {"A2 C3 28", "A2 C0 80", "A3 ED A0 80", "A4 F4 90 80 80", "A1 FF", "A2 E2 82",
                            "A4 F0 8F BF BF", "A3 E0 9F BF"}) {
        INFO(bad);
        expect_rejected(std::string("95 01 80 C0 ") + bad + " 90", error::invalid_messagepack, "MSG-009");
    }
    expect_rejected("92 06 C1", error::invalid_messagepack, "MSG-009");
    expect_rejected("93 63 80 C1", error::invalid_messagepack, "MSG-009");
    // The widest valid forms pass: U+10FFFF, U+FFFF, U+0800, and U+001E.
    auto parsed = mp().parse(from_hex("95 01 80 C0 AC F4 8F BF BF EF BF BF E0 A0 80 1E 61 90"));
    REQUIRE(parsed.has_value());
}

TEST_CASE("MSG-009 UTF-8 is checked at every position of a long ASCII run, in every str width",
          "[messagepack][MSG-009]") {
    // The checks skip ASCII 32 and 8 bytes at a time: put the sequence at each offset around those steps.
    for (const std::string sequence :
         {"\xC3\xA9", "\xF0\x9F\x98\x80", "\xC3\x28", "\xED\xA0\x80", "\xFF", "\xE2\x82"}) {
        const bool valid = sequence == "\xC3\xA9" || sequence == "\xF0\x9F\x98\x80";
        for (std::size_t at = 0; at <= 70; ++at) {
            const std::string text = std::string(at, 'a') + sequence + std::string(70 - at, 'b');
            // str8 (D9 n) and str16 (DA 00 n): the reader's fast path and its general one.
            for (const std::string& head : {std::string("\xD9") + static_cast<char>(text.size()),
                                            std::string("\xDA\x00", 2) + static_cast<char>(text.size())}) {
                const std::string body = from_hex("95 01 80 C0 A1 54 91") + head + text;
                auto parsed = mp().parse(body);
                INFO("offset " << at << " head " << to_hex(head));
                CHECK(parsed.has_value() == valid);
                if (valid && parsed) {
                    CHECK(std::get<invocation_message>(*parsed).arguments == std::vector<value>{value(text)});
                } else if (!valid && !parsed) {
                    CHECK(parsed.error().code == error::invalid_messagepack);
                }
            }
        }
    }
}
