// FRAME-*: record framing for both protocols, fed in every split.

#include "hubspec/protocol/framing.hpp"
#include "hubspec/protocol/hub_protocol.hpp"
#include "hubspec/protocol/message_reader.hpp"
#include "hubspec/protocol/texts.hpp"

#include "test_support.hpp"

#include <catch2/catch.hpp>

using namespace hubspec::protocol;
using hubspec::protocol::test::for_each_split;
using hubspec::protocol::test::from_hex;

namespace {

/// Feeds the chunks into a fresh reader and collects every message until need_more.
std::vector<hub_message> read_all(const hub_protocol& protocol, const std::vector<std::string_view>& chunks,
                                  std::size_t max_size = no_size_limit) {
    message_reader reader(protocol, max_size);
    std::vector<hub_message> out;
    for (auto chunk : chunks) {
        reader.feed(chunk);
        while (true) {
            auto m = reader.next();
            if (!m) {
                REQUIRE(m.error().is_need_more());
                break;
            }
            out.push_back(std::move(*m));
        }
    }
    REQUIRE(reader.finish().has_value());
    return out;
}

} // namespace

TEST_CASE("FRAME-006 F-M2 F-M3 VarInt lengths are read and written in the shortest form",
          "[framing][FRAME-006][FRAME-008]") {
    const std::vector<std::pair<std::uint32_t, std::string>> table{
        {0, "00"},
        {53, "35"},
        {127, "7F"},
        {128, "80 01"},
        {300, "AC 02"},
        {5248, "80 29"},
        {16383, "FF 7F"},
        {16384, "80 80 01"},
        {32768, "80 80 02"},
        {2097151, "FF FF 7F"},
        {2097152, "80 80 80 01"},
        {268435455, "FF FF FF 7F"},
        {268435456, "80 80 80 80 01"},
        {2147483647, "FF FF FF FF 07"},
    };
    for (const auto& [n, hex] : table) {
        INFO(n);
        std::string written;
        append_varint(written, n);
        CHECK(written == from_hex(hex));
        CHECK(varint_size(n) == written.size());
        auto read = read_varint(written);
        REQUIRE(read.has_value());
        CHECK(read->value == n);
        CHECK(read->length == written.size());
    }
}

TEST_CASE("FRAME-007 F-M4 a VarInt prefix longer than five bytes is rejected", "[framing][FRAME-007]") {
    auto r = read_varint(from_hex("80 80 80 80 80 01"));
    REQUIRE_FALSE(r.has_value());
    CHECK(r.error().code == error::varint_too_long);
    CHECK(r.error().requirement == "FRAME-007");
    CHECK(r.error().message == texts::messages_over_2gb);
}

TEST_CASE("FRAME-007 F-M4 a VarInt above 2^31-1 is rejected", "[framing][FRAME-007]") {
    auto r = read_varint(from_hex("FF FF FF FF 08"));
    REQUIRE_FALSE(r.has_value());
    CHECK(r.error().code == error::varint_too_long);
}

TEST_CASE("FRAME-003 a partial VarInt or body asks for more bytes", "[framing][FRAME-003]") {
    CHECK(next_binary_record(from_hex("80")).error().code == error::need_more);
    CHECK(next_binary_record(from_hex("03 92 08")).error().code == error::need_more);
    CHECK(next_json_record("{\"type\":6}").error().code == error::need_more);
}

TEST_CASE("FRAME-012 an empty record is a protocol error in both framings", "[framing][FRAME-012]") {
    CHECK(next_json_record("\x1e").error().code == error::empty_record);
    CHECK(next_binary_record(from_hex("00")).error().code == error::empty_record);
    CHECK(next_binary_record(from_hex("00")).error().requirement == "FRAME-012");
}

TEST_CASE("FRAME-009 a JSON record of exactly the limit is accepted and one byte more refused",
          "[framing][FRAME-009]") {
    const std::string at_limit = std::string(32767, 'x') + '\x1e';
    auto ok = next_json_record(at_limit, default_maximum_message_size);
    REQUIRE(ok.has_value());
    CHECK(ok->consumed == 32768);

    const std::string over = std::string(32768, 'x') + '\x1e';
    auto refused = next_json_record(over, default_maximum_message_size);
    REQUIRE_FALSE(refused.has_value());
    CHECK(refused.error().code == error::record_too_large);
    CHECK(refused.error().requirement == "FRAME-009");
    CHECK(refused.error().message == texts::maximum_message_size_exceeded(32768));
}

TEST_CASE("FRAME-009 an oversized JSON record is refused before its separator arrives", "[framing][FRAME-009]") {
    auto refused = next_json_record(std::string(32768, 'x'), default_maximum_message_size);
    REQUIRE_FALSE(refused.has_value());
    CHECK(refused.error().code == error::record_too_large);
    // One byte less may still end in a separator: keep waiting.
    CHECK(next_json_record(std::string(32767, 'x'), default_maximum_message_size).error().is_need_more());
}

TEST_CASE("FRAME-009 a MessagePack prefix announcing more than the limit is refused at once", "[framing][FRAME-009]") {
    // 80 80 02 = 32768 body bytes: prefix + body > 32768, refused before any body byte arrives.
    auto refused = next_binary_record(from_hex("80 80 02"), default_maximum_message_size);
    REQUIRE_FALSE(refused.has_value());
    CHECK(refused.error().code == error::record_too_large);

    // 32765 body bytes + 3 prefix bytes = 32768 fits.
    std::string fits = from_hex("FD FF 01") + std::string(32765, 'x');
    auto ok = next_binary_record(fits, default_maximum_message_size);
    REQUIRE(ok.has_value());
    CHECK(ok->body.size() == 32765);
}

TEST_CASE("FRAME-001 F-J1 two JSON records in one read give Ping then Completion", "[framing][FRAME-001]") {
    const std::string input =
        from_hex("7B 22 74 79 70 65 22 3A 36 7D 1E") +
        from_hex("7B 22 74 79 70 65 22 3A 33 2C 22 69 6E 76 6F 63 61 74 69 6F 6E 49 64 22 3A 22 31 32 33 22 7D 1E");
    for_each_split(input, [&](const auto& chunks) {
        const auto messages = read_all(json_protocol(), chunks);
        REQUIRE(messages.size() == 2);
        CHECK(std::holds_alternative<ping_message>(messages[0]));
        CHECK(messages[1] == hub_message(completion_message::void_result("123")));
    });
}

TEST_CASE("FRAME-003 F-J2 a record split across reads yields one Ping after the second read", "[framing][FRAME-003]") {
    message_reader reader(json_protocol());
    reader.feed(from_hex("7B 22 74 79 70 65 22"));
    CHECK(reader.next().error().is_need_more());
    reader.feed(from_hex("3A 36 7D 1E"));
    auto m = reader.next();
    REQUIRE(m.has_value());
    CHECK(std::holds_alternative<ping_message>(*m));
    CHECK(reader.next().error().is_need_more());
}

TEST_CASE("MSG-004 F-J4 an unknown JSON type is read as unknown and the next message still arrives",
          "[framing][MSG-004]") {
    const std::string input = std::string("{\"type\":99,\"foo\":1}\x1e{\"type\":6}\x1e");
    for_each_split(input, [&](const auto& chunks) {
        const auto messages = read_all(json_protocol(), chunks);
        REQUIRE(messages.size() == 2);
        CHECK(messages[0] == hub_message(unknown_message{99}));
        CHECK(std::holds_alternative<ping_message>(messages[1]));
    });
}

TEST_CASE("FRAME-011 a stream that ends inside a record is an error", "[framing][FRAME-011]") {
    message_reader reader(json_protocol());
    reader.feed("{\"type\":6}\x1e{\"type\"");
    REQUIRE(reader.next().has_value());
    CHECK(reader.next().error().is_need_more());
    auto end = reader.finish();
    REQUIRE_FALSE(end.has_value());
    CHECK(end.error().code == error::incomplete_record);
    CHECK(end.error().message == texts::terminated_while_reading);
    CHECK(end.error().offset == 11);
}

TEST_CASE("FRAME-010 a reader refuses an oversized record for good and names its offset",
          "[framing][FRAME-009][FRAME-010]") {
    message_reader reader(json_protocol(), 16);
    reader.feed(std::string("{\"type\":6}\x1e") + std::string(20, ' '));
    REQUIRE(reader.next().has_value());
    auto refused = reader.next();
    REQUIRE_FALSE(refused.has_value());
    CHECK(refused.error().code == error::record_too_large);
    CHECK(refused.error().offset == 11);
    reader.feed("\x1e");
    CHECK(reader.next().error().code == error::record_too_large); // final
}
