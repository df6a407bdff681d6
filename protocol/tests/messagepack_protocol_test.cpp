// The MessagePack hub protocol: every vector of test-vectors.md §3 (read, and
// written byte-exact where it is the .NET writer's form), the layouts of MSG-009..081,
// hostile input, randomized round trips, and msgpack-cxx as an independent oracle.

#include "hubspec/protocol/hub_protocol.hpp"
#include "hubspec/protocol/message_reader.hpp"
#include "hubspec/protocol/texts.hpp"

#include "detail/messagepack_reader.hpp"
#include "detail/messagepack_writer.hpp"
#include "test_support.hpp"

#include <catch2/catch.hpp>
#include <msgpack.hpp>

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <iterator>
#include <limits>
#include <optional>
#include <random>
#include <string>
#include <vector>

namespace {

using namespace hubspec::protocol;
using hubspec::protocol::test::for_each_split;
using hubspec::protocol::test::from_hex;
using hubspec::protocol::test::to_hex;

const hub_protocol& mp() { return messagepack_protocol(); }

std::string show(const hub_message& m) { return std::string(type_name(m)) + " " + to_hex(mp().encode(m)); }

struct read_outcome {
    std::vector<hub_message> messages;
    std::optional<protocol_error> error;
};

/// Feeds `chunks` to a message_reader, taking every whole message after each feed.
read_outcome read_chunks(const std::vector<std::string_view>& chunks, std::size_t max_size = no_size_limit) {
    message_reader reader(mp(), max_size);
    read_outcome out;
    for (std::string_view chunk : chunks) {
        reader.feed(chunk);
        for (;;) {
            auto m = reader.next();
            if (m) {
                out.messages.push_back(std::move(*m));
                continue;
            }
            if (m.error().is_need_more()) break;
            out.error = m.error();
            return out;
        }
    }
    return out;
}

/// Parses one framed record that must span all of `framed`.
result<hub_message> parse_framed(std::string_view framed) {
    auto record = mp().next_record(framed);
    INFO("framing: " << (record ? std::string("ok") : record.error().to_string()));
    REQUIRE(record.has_value());
    REQUIRE(record->consumed == framed.size());
    return mp().parse(record->body);
}

/// A framed vector reads as `expected`, whole and through a message_reader at every split.
void expect_read(std::string_view hex, const hub_message& expected) {
    const std::string framed = from_hex(hex);
    auto parsed = parse_framed(framed);
    INFO("vector " << hex << " expected " << show(expected));
    INFO("parse: " << (parsed ? show(*parsed) : parsed.error().to_string()));
    REQUIRE(parsed.has_value());
    CHECK(*parsed == expected);
    for_each_split(framed, [&](const std::vector<std::string_view>& chunks) {
        auto outcome = read_chunks(chunks);
        INFO("chunks: " << chunks.size());
        REQUIRE_FALSE(outcome.error.has_value());
        REQUIRE(outcome.messages.size() == 1);
        CHECK(outcome.messages[0] == expected);
    });
}

void expect_written(const hub_message& m, std::string_view hex) {
    CHECK(to_hex(mp().encode(m)) == to_hex(from_hex(hex)));
}

/// The body `hex` (no prefix) is rejected with `code`, naming `requirement`.
protocol_error expect_rejected(std::string_view body_hex, error code, std::string_view requirement) {
    auto parsed = mp().parse(from_hex(body_hex));
    INFO("body " << body_hex << " parsed as " << (parsed ? show(*parsed) : parsed.error().to_string()));
    REQUIRE_FALSE(parsed.has_value());
    CHECK(parsed.error().code == code);
    CHECK(parsed.error().requirement == requirement);
    return parsed.error();
}

value parse_value(std::string_view bytes) {
    detail::messagepack_reader reader(bytes);
    auto v = reader.read_value();
    INFO("read_value: " << (v ? std::string("ok") : v.error().to_string()));
    REQUIRE(v.has_value());
    CHECK(reader.at_end());
    return std::move(*v);
}

std::string written(const value& v) {
    std::string out;
    detail::messagepack_writer(out).write_value(v);
    return out;
}

invocation_message invocation(std::optional<std::string> id, std::string target, std::vector<value> args,
                              std::vector<std::string> streams = {}, header_map headers = {}) {
    return {std::move(headers), std::move(id), std::move(target), std::move(args), std::move(streams)};
}

binary bytes_of(std::string_view hex) {
    const std::string raw = from_hex(hex);
    return binary{std::vector<std::uint8_t>(raw.begin(), raw.end())};
}

}  // namespace

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
    for (const char* body : {"92 08 24", "92 08 CC 24", "92 08 CD 00 24", "92 08 CE 00 00 00 24",
                             "92 08 CF 00 00 00 00 00 00 00 24", "92 08 D0 24", "92 08 D1 00 24",
                             "92 08 D2 00 00 00 24", "92 08 D3 00 00 00 00 00 00 00 24"}) {
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

}  // namespace

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
        {127, "7F"},          {128, "80 01"},         {300, "AC 02"},       {16383, "FF 7F"},
        {16384, "80 80 01"},  {32768, "80 80 02"},    {2097151, "FF FF 7F"}, {2097152, "80 80 80 01"},
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

TEST_CASE("FRAME-003 F-M6 a record split across reads yields one StreamItem after the second", "[messagepack][FRAME-003]") {
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

TEST_CASE("MSG-014 an empty-string invocation id is read as none and the Invocation is non-blocking", "[messagepack][MSG-014]") {
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

TEST_CASE("MSG-043 a result kind other than 1 2 or 3 is Microsoft's Invalid invocation result kind", "[messagepack][MSG-043]") {
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
    for (const char* body : {"89 DF FF FF FF FF", "DD FF FF FF FF", "DF FF FF FF FF 00",
                             "95 01 80 C0 A1 74 91 DF FF FF FF FF", "95 01 80 C0 A1 74 DD FF FF FF FF",
                             "95 01 80 C0 A1 74 91 DB FF FF FF FF", "96 01 DF 7F FF FF FF",
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
        for (std::size_t i = 0; i < depth; ++i) body += from_hex(level);
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
    for (int i = 0; i < 1000; ++i) skipped += from_hex("91");
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

TEST_CASE("MSG-020 ids required by StreamInvocation StreamItem Completion and CancelInvocation must be non-empty strings", "[messagepack][MSG-020]") {
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

// ---------------------------------------------------------------- the value reader and writer

TEST_CASE("MSG-009 every MessagePack format is read onto the value model", "[messagepack][MSG-009]") {
    const std::int64_t int64_min = std::numeric_limits<std::int64_t>::min();
    const std::int64_t int64_max = std::numeric_limits<std::int64_t>::max();
    const std::uint64_t uint64_max = std::numeric_limits<std::uint64_t>::max();
    const std::pair<const char*, value> table[] = {
        {"C0", value{}},
        {"C2", false},
        {"C3", true},
        {"00", 0},
        {"7F", 127},
        {"FF", -1},
        {"E0", -32},
        {"CC FF", 255},
        {"CD FF FF", 65535},
        {"CE FF FF FF FF", std::int64_t{4294967295}},
        {"CF 7F FF FF FF FF FF FF FF", int64_max},
        {"CF 80 00 00 00 00 00 00 00", std::uint64_t{9223372036854775808ull}},
        {"CF FF FF FF FF FF FF FF FF", uint64_max},
        {"D0 80", -128},
        {"D0 05", 5},
        {"D1 80 00", -32768},
        {"D2 80 00 00 00", std::int64_t{-2147483648LL}},
        {"D3 80 00 00 00 00 00 00 00", int64_min},
        {"D3 00 00 00 00 00 00 00 2A", 42},
        {"CA 3F C0 00 00", 1.5},
        {"CB 3F F8 00 00 00 00 00 00", 1.5},
        {"CA 7F 80 00 00", std::numeric_limits<double>::infinity()},
        {"A0", ""},
        {"A3 61 62 63", "abc"},
        {"D9 03 61 62 63", "abc"},
        {"DA 00 03 61 62 63", "abc"},
        {"DB 00 00 00 03 61 62 63", "abc"},
        {"A4 F0 9F 98 80", "\xF0\x9F\x98\x80"},
        {"C4 00", binary{}},
        {"C4 02 00 FF", bytes_of("00 FF")},
        {"C5 00 02 00 FF", bytes_of("00 FF")},
        {"C6 00 00 00 02 00 FF", bytes_of("00 FF")},
        {"90", array{}},
        {"92 01 A1 61", array{1, "a"}},
        {"DC 00 02 01 A1 61", array{1, "a"}},
        {"DD 00 00 00 02 01 A1 61", array{1, "a"}},
        {"80", map{}},
        {"82 A1 62 01 A1 61 02", make_map({{"b", 1}, {"a", 2}})},
        {"DE 00 01 01 C0", map{map_entry{1, nullptr}}},
        {"DF 00 00 00 01 C3 91 C0", map{map_entry{true, array{nullptr}}}},
        {"81 92 01 02 C3", map{map_entry{array{1, 2}, true}}},
        {"D4 05 AA", extension{5, {0xAA}}},
        {"D5 05 AA BB", extension{5, {0xAA, 0xBB}}},
        {"D6 FF 00 00 00 01", extension{-1, {0, 0, 0, 1}}},
        {"D7 FF 00 00 00 00 00 00 00 01", extension{-1, {0, 0, 0, 0, 0, 0, 0, 1}}},
        {"D8 80 00 01 02 03 04 05 06 07 08 09 0A 0B 0C 0D 0E 0F",
         extension{-128, {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15}}},
        {"C7 00 01", extension{1, {}}},
        {"C7 0C FF 00 00 00 01 00 00 00 00 00 00 00 02",
         extension{-1, {0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 2}}},
        {"C8 00 01 7F 01", extension{127, {1}}},
        {"C9 00 00 00 01 7F 01", extension{127, {1}}},
    };
    for (const auto& [hex, expected] : table) {
        INFO(hex);
        CHECK(parse_value(from_hex(hex)) == expected);
    }
    auto nan = parse_value(from_hex("CB 7F F8 00 00 00 00 00 00"));
    REQUIRE(nan.get_if<double>() != nullptr);
    CHECK(std::isnan(*nan.get_if<double>()));
}

TEST_CASE("MSG-009 values are written in MessagePack-CSharp's shortest forms", "[messagepack][MSG-009]") {
    const std::int64_t int64_min = std::numeric_limits<std::int64_t>::min();
    const std::int64_t int64_max = std::numeric_limits<std::int64_t>::max();
    const std::pair<value, const char*> table[] = {
        {value{}, "C0"},
        {true, "C3"},
        {false, "C2"},
        {0, "00"},
        {127, "7F"},
        {128, "CC 80"},
        {255, "CC FF"},
        {256, "CD 01 00"},
        {65535, "CD FF FF"},
        {65536, "CE 00 01 00 00"},
        {std::int64_t{2147483647}, "CE 7F FF FF FF"},
        {std::int64_t{2147483648}, "CE 80 00 00 00"},
        {std::int64_t{4294967295}, "CE FF FF FF FF"},
        {std::int64_t{4294967296}, "CF 00 00 00 01 00 00 00 00"},
        {int64_max, "CF 7F FF FF FF FF FF FF FF"},
        {std::numeric_limits<std::uint64_t>::max(), "CF FF FF FF FF FF FF FF FF"},
        {-1, "FF"},
        {-32, "E0"},
        {-33, "D0 DF"},
        {-128, "D0 80"},
        {-129, "D1 FF 7F"},
        {-32768, "D1 80 00"},
        {-32769, "D2 FF FF 7F FF"},
        {std::int64_t{-2147483647}, "D2 80 00 00 01"},
        {std::int64_t{-2147483648LL}, "D2 80 00 00 00"},
        {std::int64_t{-2147483649LL}, "D3 FF FF FF FF 7F FF FF FF"},
        {int64_min, "D3 80 00 00 00 00 00 00 00"},
        {1.5, "CB 3F F8 00 00 00 00 00 00"},
        {"", "A0"},
        {binary{}, "C4 00"},
        {bytes_of("01 02"), "C4 02 01 02"},
        {array{}, "90"},
        {map{}, "80"},
        {extension{-1, {0, 0, 0, 1}}, "D6 FF 00 00 00 01"},
        {extension{5, {1}}, "D4 05 01"},
        {extension{5, {1, 2}}, "D5 05 01 02"},
        {extension{5, {1, 2, 3}}, "C7 03 05 01 02 03"},
        {extension{5, {}}, "C7 00 05"},
    };
    for (const auto& [v, hex] : table) {
        INFO(hex);
        CHECK(to_hex(written(v)) == to_hex(from_hex(hex)));
    }
    // Header widths move at 31/32, 255/256, 65535/65536 for str, 15/16 for containers.
    auto head_of = [](const value& v, std::size_t n) { return to_hex(written(v).substr(0, n)); };
    CHECK(head_of(std::string(31, 'a'), 1) == "BF");
    CHECK(head_of(std::string(32, 'a'), 2) == "D9 20");
    CHECK(head_of(std::string(255, 'a'), 2) == "D9 FF");
    CHECK(head_of(std::string(256, 'a'), 3) == "DA 01 00");
    CHECK(head_of(std::string(65535, 'a'), 3) == "DA FF FF");
    CHECK(head_of(std::string(65536, 'a'), 5) == "DB 00 01 00 00");
    CHECK(head_of(binary{std::vector<std::uint8_t>(256)}, 3) == "C5 01 00");
    CHECK(head_of(binary{std::vector<std::uint8_t>(65536)}, 5) == "C6 00 01 00 00");
    CHECK(head_of(array(15), 1) == "9F");
    CHECK(head_of(array(16), 3) == "DC 00 10");
    CHECK(head_of(array(65536), 5) == "DD 00 01 00 00");
    CHECK(head_of(map(15, map_entry{}), 1) == "8F");
    CHECK(head_of(map(16, map_entry{}), 3) == "DE 00 10");
    CHECK(head_of(extension{1, std::vector<std::uint8_t>(16)}, 1) == "D8");
    CHECK(head_of(extension{1, std::vector<std::uint8_t>(17)}, 2) == "C7 11");
    CHECK(head_of(extension{1, std::vector<std::uint8_t>(256)}, 3) == "C8 01 00");
}

// ---------------------------------------------------------------- randomized round trips

namespace {

class random_messages {
public:
    explicit random_messages(std::uint32_t seed) : rng_(seed) {}

    std::size_t below(std::size_t n) { return std::uniform_int_distribution<std::size_t>(0, n - 1)(rng_); }
    bool chance(double p) { return std::bernoulli_distribution(p)(rng_); }
    std::mt19937& rng() { return rng_; }

    std::string text() {
        static const char* const pieces[] = {"a", "Z", "0", " ", "\x1e", "\n", "\"", "\\", "\x7f", "\xC3\xA9",
                                             "\xE4\xB8\xAD", "\xF0\x9F\x98\x80", "\xF4\x8F\xBF\xBF"};
        std::size_t length = below(10);
        if (chance(0.15)) length = 10 + below(40);
        if (chance(0.03)) length = 200 + below(100);
        if (chance(0.001)) length = 66000;
        std::string s;
        for (std::size_t i = 0; i < length; ++i) {
            if (chance(0.01)) {
                s.push_back('\0');
            } else {
                s += pieces[below(std::size(pieces))];
            }
        }
        return s;
    }

    std::string id() {
        std::string s = text();
        return s.empty() ? "x" : s;
    }

    value integer() {
        const std::int64_t int64_min = std::numeric_limits<std::int64_t>::min();
        const std::int64_t int64_max = std::numeric_limits<std::int64_t>::max();
        static const std::int64_t edges[] = {0, 1, -1, 31, 32, -32, -33, 127, 128, -128, -129, 255, 256,
                                             32767, 32768, -32768, -32769, 65535, 65536,
                                             2147483647LL, 2147483648LL, 2147483649LL, -2147483647LL,
                                             -2147483648LL, -2147483649LL, 4294967295LL, 4294967296LL,
                                             int64_max, int64_min, int64_max - 1, int64_min + 1};
        switch (below(4)) {
        case 0: return edges[below(std::size(edges))];
        case 1: return static_cast<std::int64_t>(rng_()) - static_cast<std::int64_t>(rng_());
        case 2: {
            const std::uint64_t u = (std::uint64_t{rng_()} << 32) | rng_();
            return chance(0.5) ? value{u} : value{static_cast<std::int64_t>(u)};
        }
        default: {
            static const std::uint64_t big[] = {std::numeric_limits<std::uint64_t>::max(),
                                                std::uint64_t{1} << 63, (std::uint64_t{1} << 63) + 1};
            return big[below(std::size(big))];
        }
        }
    }

    double floating() {
        static const double edges[] = {0.0, -0.0, 1.5, -2.25, 1e308, -1e-308, 5e-324,
                                       std::numeric_limits<double>::infinity(),
                                       -std::numeric_limits<double>::infinity(), 0.1, 3.0};
        if (chance(0.5)) return edges[below(std::size(edges))];
        for (;;) {
            const double d = std::bit_cast<double>((std::uint64_t{rng_()} << 32) | rng_());
            if (!std::isnan(d)) return d;  // NaN != NaN would fail the equality check, not the codec
        }
    }

    std::vector<std::uint8_t> bytes() {
        std::size_t n = below(12);
        if (chance(0.05)) n = 250 + below(20);
        if (chance(0.002)) n = 65536 + below(10);
        std::vector<std::uint8_t> out(n);
        for (auto& b : out) b = static_cast<std::uint8_t>(rng_());
        return out;
    }

    value any(int depth = 0) {
        const std::size_t kinds = depth >= 4 ? 8 : 10;
        switch (below(kinds)) {
        case 0: return nullptr;
        case 1: return chance(0.5);
        case 2: return integer();
        case 3: return floating();
        case 4: return text();
        case 5: return binary{bytes()};
        case 6: {
            static const std::size_t sizes[] = {0, 1, 2, 3, 4, 5, 8, 16, 17, 255, 256, 300};
            std::vector<std::uint8_t> data(sizes[below(std::size(sizes))]);
            for (auto& b : data) b = static_cast<std::uint8_t>(rng_());
            return extension{static_cast<std::int8_t>(static_cast<std::uint8_t>(rng_())), std::move(data)};
        }
        case 7: return integer();
        case 8: {
            array items;
            const std::size_t n = chance(0.05) ? 16 + below(5) : below(5);
            for (std::size_t i = 0; i < n; ++i) items.push_back(any(depth + 1));
            return items;
        }
        default: {
            map entries;
            const std::size_t n = chance(0.05) ? 16 + below(3) : below(4);
            for (std::size_t i = 0; i < n; ++i) {
                value key = chance(0.7) ? value{text()} : any(depth + 1);
                entries.push_back(map_entry{std::move(key), any(depth + 1)});
            }
            return entries;
        }
        }
    }

    header_map headers() {
        header_map h;
        const std::size_t n = chance(0.6) ? 0 : 1 + below(3);
        for (std::size_t i = 0; i < n; ++i) h.emplace_back(id(), id());
        return h;
    }

    std::vector<value> arguments() {
        std::vector<value> args;
        const std::size_t n = chance(0.03) ? 16 + below(4) : below(4);
        for (std::size_t i = 0; i < n; ++i) args.push_back(any());
        return args;
    }

    std::vector<std::string> stream_ids() {
        std::vector<std::string> ids;
        const std::size_t n = chance(0.7) ? 0 : 1 + below(3);
        for (std::size_t i = 0; i < n; ++i) ids.push_back(id());
        return ids;
    }

    std::int64_t sequence_id() {
        const value v = integer();
        if (auto i = v.as_int64()) return *i;
        return 7;
    }

    hub_message message() {
        switch (below(10)) {
        case 0: {
            std::optional<std::string> invocation_id;
            if (chance(0.5)) invocation_id = id();
            return invocation_message{headers(), std::move(invocation_id), id(), arguments(), stream_ids()};
        }
        case 1: return stream_item_message{headers(), id(), any()};
        case 2: {
            completion_message c;
            c.headers = headers();
            c.invocation_id = id();
            switch (below(4)) {
            case 0: break;
            case 1: c.result = any(); break;
            case 2: c.result = value{}; break;
            default: c.error = text(); break;
            }
            return c;
        }
        case 3: return stream_invocation_message{headers(), id(), id(), arguments(), stream_ids()};
        case 4: return cancel_invocation_message{headers(), id()};
        case 5: return ping_message{};
        case 6: {
            std::optional<std::string> error_text;
            if (chance(0.5)) error_text = id();
            return close_message{std::move(error_text), chance(0.5)};
        }
        case 7: return ack_message{sequence_id()};
        case 8: return sequence_message{sequence_id()};
        default: {
            static const std::int64_t codes[] = {0, 10, 11, 99, 127, 128, 1000, -1, -5, -200};
            return unknown_message{codes[below(std::size(codes))]};
        }
        }
    }

private:
    std::mt19937 rng_;
};

}  // namespace

TEST_CASE("MSG-009 2000 random messages of every type survive write then parse", "[messagepack][MSG-009][random]") {
    random_messages gen(20240611);
    std::string stream;
    std::vector<hub_message> sent;
    for (int i = 0; i < 2000; ++i) {
        hub_message m = gen.message();
        const std::string framed = mp().encode(m);
        auto parsed = parse_framed(framed);
        INFO("message " << i << ": " << to_hex(framed.substr(0, 64)));
        INFO((parsed ? std::string("parsed") : parsed.error().to_string()));
        REQUIRE(parsed.has_value());
        REQUIRE(*parsed == m);
        stream += framed;
        sent.push_back(std::move(m));
    }

    // The whole stream through one reader in random chunks.
    message_reader reader(mp());
    std::vector<hub_message> received;
    std::size_t at = 0;
    while (at < stream.size()) {
        const std::size_t n = std::min(stream.size() - at, 1 + gen.below(gen.chance(0.1) ? 4096 : 48));
        reader.feed(std::string_view(stream).substr(at, n));
        at += n;
        for (;;) {
            auto m = reader.next();
            if (!m) {
                INFO(m.error().to_string());
                REQUIRE(m.error().is_need_more());
                break;
            }
            received.push_back(std::move(*m));
        }
    }
    CHECK(reader.finish().has_value());
    REQUIRE(received.size() == sent.size());
    for (std::size_t i = 0; i < sent.size(); ++i) {
        INFO("message " << i);
        CHECK(received[i] == sent[i]);
    }
}

TEST_CASE("MSG-009 random prefixes and corruptions of valid bodies never crash the parser", "[messagepack][MSG-009][random]") {
    random_messages gen(7);
    std::size_t rejected = 0;
    for (int i = 0; i < 2000; ++i) {
        const std::string framed = mp().encode(gen.message());
        auto record = mp().next_record(framed);
        REQUIRE(record.has_value());
        std::string body(record->body);
        // Every proper prefix of a body is either an error or (rarely) a shorter valid message.
        const std::size_t cut = gen.below(body.size());
        auto truncated = mp().parse(std::string_view(body).substr(0, cut));
        if (!truncated) ++rejected;
        if (!body.empty()) body[gen.below(body.size())] = static_cast<char>(gen.rng()());
        auto corrupted = mp().parse(body);
        if (!corrupted) CHECK_FALSE(corrupted.error().is_need_more());
    }
    CHECK(rejected == 2000);
}

TEST_CASE("FRAME-005 random bytes never crash the parser or the record reader", "[messagepack][FRAME-005][random]") {
    // Lead bytes biased to containers and long lengths, where hostile input hides.
    static const unsigned char interesting[] = {0x91, 0x92, 0x95, 0x96, 0xDC, 0xDD, 0xDE, 0xDF, 0x81, 0x89,
                                                0xC4, 0xC6, 0xC7, 0xC9, 0xD9, 0xDB, 0xFF, 0x7F, 0x00, 0xC1};
    random_messages gen(31337);
    for (int i = 0; i < 20000; ++i) {
        std::string input(gen.below(24), '\0');
        for (char& c : input) {
            c = static_cast<char>(gen.chance(0.5) ? interesting[gen.below(std::size(interesting))] : gen.rng()());
        }
        auto parsed = mp().parse(input);
        if (!parsed) CHECK_FALSE(parsed.error().message.empty());
        auto record = mp().next_record(input, default_maximum_message_size);
        if (record) CHECK(record->consumed <= input.size());
    }
}

// ---------------------------------------------------------------- msgpack-cxx as an oracle

namespace {

using packer = msgpack::packer<msgpack::sbuffer>;

/// Packs `v` with msgpack-cxx (into `buffer`), picking at random any integer width that
/// holds it and float32 where a double survives the narrowing: forms our writer never emits.
void pack_with_oracle(packer& pk, msgpack::sbuffer& buffer, const value& v, random_messages& gen) {
    switch (v.kind()) {
    case value_kind::null: pk.pack_nil(); break;
    case value_kind::boolean: *v.get_if<bool>() ? pk.pack_true() : pk.pack_false(); break;
    case value_kind::integer: {
        const std::int64_t i = *v.get_if<std::int64_t>();
        std::vector<int> forms{0, 1};  // shortest via pack_int64, fixed int64
        if (i >= 0) {
            forms.push_back(2);  // fixed uint64
            if (i <= 0xFFFF'FFFF) forms.push_back(3);
            if (i <= 0xFFFF) forms.push_back(4);
            if (i <= 0xFF) forms.push_back(5);
        }
        if (i >= INT32_MIN && i <= INT32_MAX) forms.push_back(6);
        if (i >= INT16_MIN && i <= INT16_MAX) forms.push_back(7);
        if (i >= INT8_MIN && i <= INT8_MAX) forms.push_back(8);
        const auto u = static_cast<std::uint64_t>(i);
        switch (forms[gen.below(forms.size())]) {
        case 0: pk.pack_int64(i); break;
        case 1: pk.pack_fix_int64(i); break;
        case 2: pk.pack_fix_uint64(u); break;
        case 3: pk.pack_fix_uint32(static_cast<std::uint32_t>(u)); break;
        case 4: pk.pack_fix_uint16(static_cast<std::uint16_t>(u)); break;
        case 5: pk.pack_fix_uint8(static_cast<std::uint8_t>(u)); break;
        case 6: pk.pack_fix_int32(static_cast<std::int32_t>(i)); break;
        case 7: pk.pack_fix_int16(static_cast<std::int16_t>(i)); break;
        default: pk.pack_fix_int8(static_cast<std::int8_t>(i)); break;
        }
        break;
    }
    case value_kind::unsigned_integer:
        gen.chance(0.5) ? pk.pack_uint64(*v.get_if<std::uint64_t>()) : pk.pack_fix_uint64(*v.get_if<std::uint64_t>());
        break;
    case value_kind::floating: {
        // msgpack-cxx packs integral floats as integers, so the float bytes are written here.
        const double d = *v.get_if<double>();
        const auto f = static_cast<float>(d);
        std::string raw;
        if (static_cast<double>(f) == d && gen.chance(0.5)) {
            raw = '\xCA';
            for (int k = 3; k >= 0; --k) raw += static_cast<char>(std::bit_cast<std::uint32_t>(f) >> (8 * k));
        } else {
            raw = '\xCB';
            for (int k = 7; k >= 0; --k) raw += static_cast<char>(std::bit_cast<std::uint64_t>(d) >> (8 * k));
        }
        buffer.write(raw.data(), raw.size());
        break;
    }
    case value_kind::string: {
        const auto& s = *v.get_if<std::string>();
        pk.pack_str(static_cast<std::uint32_t>(s.size()));
        pk.pack_str_body(s.data(), static_cast<std::uint32_t>(s.size()));
        break;
    }
    case value_kind::binary: {
        const auto& b = v.get_if<binary>()->bytes;
        pk.pack_bin(static_cast<std::uint32_t>(b.size()));
        pk.pack_bin_body(reinterpret_cast<const char*>(b.data()), static_cast<std::uint32_t>(b.size()));
        break;
    }
    case value_kind::array: {
        const auto& a = *v.get_if<array>();
        pk.pack_array(static_cast<std::uint32_t>(a.size()));
        for (const value& item : a) pack_with_oracle(pk, buffer, item, gen);
        break;
    }
    case value_kind::map: {
        const auto& m = *v.get_if<map>();
        pk.pack_map(static_cast<std::uint32_t>(m.size()));
        for (const map_entry& e : m) {
            pack_with_oracle(pk, buffer, e.key, gen);
            pack_with_oracle(pk, buffer, e.item, gen);
        }
        break;
    }
    case value_kind::extension: {
        const auto& e = *v.get_if<extension>();
        pk.pack_ext(e.data.size(), e.type);
        pk.pack_ext_body(reinterpret_cast<const char*>(e.data.data()), static_cast<std::uint32_t>(e.data.size()));
        break;
    }
    }
}

/// msgpack-cxx's reading of some bytes, mapped onto our value model.
value from_oracle(const msgpack::object& o) {
    switch (o.type) {
    case msgpack::type::NIL: return nullptr;
    case msgpack::type::BOOLEAN: return o.via.boolean;
    case msgpack::type::POSITIVE_INTEGER: return o.via.u64;
    case msgpack::type::NEGATIVE_INTEGER: return o.via.i64;
    case msgpack::type::FLOAT32:
    case msgpack::type::FLOAT64: return o.via.f64;
    case msgpack::type::STR: return std::string(o.via.str.ptr, o.via.str.size);
    case msgpack::type::BIN: {
        const auto* p = reinterpret_cast<const std::uint8_t*>(o.via.bin.ptr);
        return binary{std::vector<std::uint8_t>(p, p + o.via.bin.size)};
    }
    case msgpack::type::ARRAY: {
        array items;
        for (std::uint32_t i = 0; i < o.via.array.size; ++i) items.push_back(from_oracle(o.via.array.ptr[i]));
        return items;
    }
    case msgpack::type::MAP: {
        map entries;
        for (std::uint32_t i = 0; i < o.via.map.size; ++i) {
            entries.push_back(map_entry{from_oracle(o.via.map.ptr[i].key), from_oracle(o.via.map.ptr[i].val)});
        }
        return entries;
    }
    case msgpack::type::EXT: {
        const auto* p = reinterpret_cast<const std::uint8_t*>(o.via.ext.data());
        return extension{o.via.ext.type(), std::vector<std::uint8_t>(p, p + o.via.ext.size)};
    }
    default:
        FAIL("msgpack-cxx produced an unexpected object type");
    }
    return nullptr;
}

value unpack_with_oracle(std::string_view bytes) {
    std::size_t offset = 0;
    msgpack::object_handle handle = msgpack::unpack(bytes.data(), bytes.size(), offset);
    CHECK(offset == bytes.size());
    return from_oracle(handle.get());
}

}  // namespace

TEST_CASE("MSG-009 values packed by msgpack-cxx in any width are read back equal", "[messagepack][MSG-009][oracle]") {
    random_messages gen(424242);
    for (int i = 0; i < 3000; ++i) {
        const value v = gen.any();
        msgpack::sbuffer buffer;
        packer pk(buffer);
        pack_with_oracle(pk, buffer, v, gen);
        const std::string_view bytes(buffer.data(), buffer.size());
        INFO("value " << i << ": " << to_hex(bytes.substr(0, 64)));
        CHECK(parse_value(bytes) == v);
    }
}

TEST_CASE("MSG-009 msgpack-cxx reads what our writer writes as the same structure", "[messagepack][MSG-009][oracle]") {
    random_messages gen(99);
    for (int i = 0; i < 3000; ++i) {
        const value v = gen.any();
        const std::string bytes = written(v);
        INFO("value " << i << ": " << to_hex(std::string_view(bytes).substr(0, 64)));
        CHECK(unpack_with_oracle(bytes) == v);
    }
    // Whole hub messages: msgpack-cxx and our reader agree on every body we write.
    for (int i = 0; i < 1000; ++i) {
        const std::string framed = mp().encode(gen.message());
        auto record = mp().next_record(framed);
        REQUIRE(record.has_value());
        INFO("message " << i << ": " << to_hex(record->body.substr(0, 64)));
        CHECK(unpack_with_oracle(record->body) == parse_value(record->body));
    }
}

TEST_CASE("MSG-013 a hub message packed by msgpack-cxx with wide integers is read", "[messagepack][MSG-013][oracle]") {
    // [1, {"a":"b"}, "7", "Send", [uint64 max, -1 as int64], ["s"]] with every int in its widest form.
    msgpack::sbuffer buffer;
    packer pk(buffer);
    pk.pack_array(6);
    pk.pack_fix_uint64(1);
    pk.pack_map(1);
    pk.pack(std::string("a"));
    pk.pack(std::string("b"));
    pk.pack(std::string("7"));
    pk.pack(std::string("Send"));
    pk.pack_array(2);
    pk.pack_uint64(std::numeric_limits<std::uint64_t>::max());
    pk.pack_fix_int64(-1);
    pk.pack_array(1);
    pk.pack(std::string("s"));
    auto parsed = mp().parse(std::string_view(buffer.data(), buffer.size()));
    REQUIRE(parsed.has_value());
    CHECK(*parsed == hub_message{invocation("7", "Send", {std::numeric_limits<std::uint64_t>::max(), -1}, {"s"},
                                            {{"a", "b"}})});
}
