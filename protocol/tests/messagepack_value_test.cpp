// MessagePack values on their own: every format read onto the value model, the
// writer's shortest forms, randomized round trips and msgpack-cxx as an
// independent oracle (MSG-009, FRAME-005).

#include "hubspec/protocol/hub_protocol.hpp"
#include "hubspec/protocol/message_reader.hpp"
#include "hubspec/protocol/texts.hpp"

#include "messagepack_test_support.hpp"

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

using namespace hubspec::protocol;
using namespace hubspec::protocol::test;
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
        {"C7 0C FF 00 00 00 01 00 00 00 00 00 00 00 02", extension{-1, {0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 2}}},
        {"C8 00 01 7F 01", extension{127, {1}}},
        {"C9 00 00 00 01 7F 01", extension{127, {1}}},
    };
    for (const auto& [hex, expected] : table) {
        INFO(hex);
        CHECK(parse_value(from_hex(hex)) == expected);
        // The same item as an invocation's argument goes through the message reader's fast path.
        const std::string invocation_head = from_hex("95 01 80 C0 A1 54 91");
        const std::string item = from_hex(hex);
        auto parsed = mp().parse(invocation_head + item);
        REQUIRE(parsed.has_value());
        CHECK(std::get<invocation_message>(*parsed).arguments == std::vector<value>{expected});
        // Cut short anywhere inside the item, both paths reject it the same way.
        for (std::size_t cut = 0; cut < item.size(); ++cut) {
            INFO("cut at " << cut);
            const std::string prefix = item.substr(0, cut); // the reader keeps a view: name it
            detail::messagepack_reader reader(prefix);
            auto alone = reader.read_value();
            auto in_message = mp().parse(invocation_head + prefix);
            REQUIRE_FALSE(alone.has_value());
            REQUIRE_FALSE(in_message.has_value());
            CHECK(in_message.error().code == alone.error().code);
        }
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
        static const char* const pieces[] = {"a",
                                             "Z",
                                             "0",
                                             " ",
                                             "\x1e",
                                             "\n",
                                             "\"",
                                             "\\",
                                             "\x7f",
                                             "\xC3\xA9",
                                             "\xE4\xB8\xAD",
                                             "\xF0\x9F\x98\x80",
                                             "\xF4\x8F\xBF\xBF"};
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
        static const std::int64_t edges[] = {0,
                                             1,
                                             -1,
                                             31,
                                             32,
                                             -32,
                                             -33,
                                             127,
                                             128,
                                             -128,
                                             -129,
                                             255,
                                             256,
                                             32767,
                                             32768,
                                             -32768,
                                             -32769,
                                             65535,
                                             65536,
                                             2147483647LL,
                                             2147483648LL,
                                             2147483649LL,
                                             -2147483647LL,
                                             -2147483648LL,
                                             -2147483649LL,
                                             4294967295LL,
                                             4294967296LL,
                                             int64_max,
                                             int64_min,
                                             int64_max - 1,
                                             int64_min + 1};
        switch (below(4)) {
        case 0: return edges[below(std::size(edges))];
        case 1: return static_cast<std::int64_t>(rng_()) - static_cast<std::int64_t>(rng_());
        case 2: {
            const std::uint64_t u = (std::uint64_t{rng_()} << 32) | rng_();
            return chance(0.5) ? value{u} : value{static_cast<std::int64_t>(u)};
        }
        default: {
            static const std::uint64_t big[] = {std::numeric_limits<std::uint64_t>::max(), std::uint64_t{1} << 63,
                                                (std::uint64_t{1} << 63) + 1};
            return big[below(std::size(big))];
        }
        }
    }

    double floating() {
        static const double edges[] = {0.0,
                                       -0.0,
                                       1.5,
                                       -2.25,
                                       1e308,
                                       -1e-308,
                                       5e-324,
                                       std::numeric_limits<double>::infinity(),
                                       -std::numeric_limits<double>::infinity(),
                                       0.1,
                                       3.0};
        if (chance(0.5)) return edges[below(std::size(edges))];
        for (;;) {
            const double d = std::bit_cast<double>((std::uint64_t{rng_()} << 32) | rng_());
            if (!std::isnan(d)) return d; // NaN != NaN would fail the equality check, not the codec
        }
    }

    std::vector<std::uint8_t> bytes() {
        std::size_t n = below(12);
        if (chance(0.05)) n = 250 + below(20);
        if (chance(0.002)) n = 65536 + below(10);
        std::vector<std::uint8_t> out(n);
        for (auto& b : out)
            b = static_cast<std::uint8_t>(rng_());
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
            for (auto& b : data)
                b = static_cast<std::uint8_t>(rng_());
            return extension{static_cast<std::int8_t>(static_cast<std::uint8_t>(rng_())), std::move(data)};
        }
        case 7: return integer();
        case 8: {
            array items;
            const std::size_t n = chance(0.05) ? 16 + below(5) : below(5);
            for (std::size_t i = 0; i < n; ++i)
                items.push_back(any(depth + 1));
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
        for (std::size_t i = 0; i < n; ++i)
            h.emplace_back(id(), id());
        return h;
    }

    std::vector<value> arguments() {
        std::vector<value> args;
        const std::size_t n = chance(0.03) ? 16 + below(4) : below(4);
        for (std::size_t i = 0; i < n; ++i)
            args.push_back(any());
        return args;
    }

    std::vector<std::string> stream_ids() {
        std::vector<std::string> ids;
        const std::size_t n = chance(0.7) ? 0 : 1 + below(3);
        for (std::size_t i = 0; i < n; ++i)
            ids.push_back(id());
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

} // namespace

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

TEST_CASE("MSG-009 random prefixes and corruptions of valid bodies never crash the parser",
          "[messagepack][MSG-009][random]") {
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
        std::vector<int> forms{0, 1}; // shortest via pack_int64, fixed int64
        if (i >= 0) {
            forms.push_back(2); // fixed uint64
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
            for (int k = 3; k >= 0; --k)
                raw += static_cast<char>(std::bit_cast<std::uint32_t>(f) >> (8 * k));
        } else {
            raw = '\xCB';
            for (int k = 7; k >= 0; --k)
                raw += static_cast<char>(std::bit_cast<std::uint64_t>(d) >> (8 * k));
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
        for (const value& item : a)
            pack_with_oracle(pk, buffer, item, gen);
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
        for (std::uint32_t i = 0; i < o.via.array.size; ++i)
            items.push_back(from_oracle(o.via.array.ptr[i]));
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
    default: FAIL("msgpack-cxx produced an unexpected object type");
    }
    return nullptr;
}

value unpack_with_oracle(std::string_view bytes) {
    std::size_t offset = 0;
    msgpack::object_handle handle = msgpack::unpack(bytes.data(), bytes.size(), offset);
    CHECK(offset == bytes.size());
    return from_oracle(handle.get());
}

} // namespace

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
    CHECK(*parsed ==
          hub_message{invocation("7", "Send", {std::numeric_limits<std::uint64_t>::max(), -1}, {"s"}, {{"a", "b"}})});
}
