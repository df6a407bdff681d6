#pragma once
// Helpers of the MessagePack tests: reading vectors whole and at every split,
// and the value reader and writer on their own.

#include "hubspec/protocol/hub_protocol.hpp"
#include "hubspec/protocol/message_reader.hpp"

#include "detail/messagepack_reader.hpp"
#include "detail/messagepack_writer.hpp"
#include "test_support.hpp"

#include <optional>
#include <string>
#include <vector>

namespace hubspec::protocol::test {

inline const hub_protocol& mp() {
    return messagepack_protocol();
}

inline std::string show(const hub_message& m) {
    return std::string(type_name(m)) + " " + to_hex(mp().encode(m));
}

struct read_outcome {
    std::vector<hub_message> messages;
    std::optional<protocol_error> error;
};

/// Feeds `chunks` to a message_reader, taking every whole message after each feed.
inline read_outcome read_chunks(const std::vector<std::string_view>& chunks, std::size_t max_size = no_size_limit) {
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
inline result<hub_message> parse_framed(std::string_view framed) {
    auto record = mp().next_record(framed);
    INFO("framing: " << (record ? std::string("ok") : record.error().to_string()));
    REQUIRE(record.has_value());
    REQUIRE(record->consumed == framed.size());
    return mp().parse(record->body);
}

/// A framed vector reads as `expected`, whole and through a message_reader at every split.
inline void expect_read(std::string_view hex, const hub_message& expected) {
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

inline void expect_written(const hub_message& m, std::string_view hex) {
    CHECK(to_hex(mp().encode(m)) == to_hex(from_hex(hex)));
}

/// The body `hex` (no prefix) is rejected with `code`, naming `requirement`.
inline protocol_error expect_rejected(std::string_view body_hex, error code, std::string_view requirement) {
    auto parsed = mp().parse(from_hex(body_hex));
    INFO("body " << body_hex << " parsed as " << (parsed ? show(*parsed) : parsed.error().to_string()));
    REQUIRE_FALSE(parsed.has_value());
    CHECK(parsed.error().code == code);
    CHECK(parsed.error().requirement == requirement);
    return parsed.error();
}

inline value parse_value(std::string_view bytes) {
    detail::messagepack_reader reader(bytes);
    auto v = reader.read_value();
    INFO("read_value: " << (v ? std::string("ok") : v.error().to_string()));
    REQUIRE(v.has_value());
    CHECK(reader.at_end());
    return std::move(*v);
}

inline std::string written(const value& v) {
    std::string out;
    detail::messagepack_writer(out).write_value(v);
    return out;
}

inline invocation_message invocation(std::optional<std::string> id, std::string target, std::vector<value> args,
                                     std::vector<std::string> streams = {}, header_map headers = {}) {
    return {std::move(headers), std::move(id), std::move(target), std::move(args), std::move(streams)};
}

inline binary bytes_of(std::string_view hex) {
    const std::string raw = from_hex(hex);
    return binary{std::vector<std::uint8_t>(raw.begin(), raw.end())};
}

} // namespace hubspec::protocol::test
