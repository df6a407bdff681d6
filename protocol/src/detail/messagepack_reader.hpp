#pragma once
// A MessagePack reader for one whole record body from an untrusted peer. Every
// length is checked against the bytes present before anything is allocated, and
// nesting is bounded, so a few hostile bytes (`89 DF FF FF FF FF`) fail at once
// instead of asking for gigabytes or a deep stack. Nothing here throws.
//
// Values map onto `value` (value.hpp): every integer that fits int64 is an int64,
// larger ones uint64; float32 widens to double; bin is binary; ext is extension
// (timestamps, type -1, stay raw bytes); maps keep wire order and any key type.
// A str must be well-formed UTF-8 (the MessagePack spec says str holds UTF-8; a
// peer sending other bytes is reported, not repaired): error::invalid_messagepack.

#include "hubspec/protocol/error.hpp"
#include "hubspec/protocol/value.hpp"

#include "detail/utf8.hpp"

#include <bit>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string_view>

namespace hubspec::protocol::detail {

/// Containers one read_value() may nest: deeper input is error::nesting_too_deep.
inline constexpr std::size_t messagepack_max_depth = 64;

/// The head of one MessagePack item. Scalars are complete; str, bin and ext carry
/// their bytes; arrays and maps carry their counts, and their items follow.
struct messagepack_head {
    value_kind kind = value_kind::null;
    std::size_t offset = 0;             // byte offset of the item's first byte
    bool boolean = false;               // value_kind::boolean
    std::int64_t integer = 0;           // value_kind::integer
    std::uint64_t unsigned_integer = 0; // value_kind::unsigned_integer (above INT64_MAX)
    double floating = 0.0;              // value_kind::floating
    std::size_t count = 0;              // items of an array, entries of a map
    std::int8_t extension_type = 0;     // value_kind::extension
    std::string_view bytes;             // payload of str, bin and ext
};

class messagepack_reader {
public:
    explicit messagepack_reader(std::string_view input, std::size_t max_depth = messagepack_max_depth) noexcept
        : input_(input), max_depth_(max_depth) {}

    /// The head of the next item. error::truncated (FRAME-005) when a length or count
    /// runs past the input (an array of n items needs n more bytes, a map 2n);
    /// error::invalid_messagepack for the unused byte 0xC1 or a str that is not UTF-8.
    result<messagepack_head> read_head();

    /// read_head() for the items hub messages are mostly made of (nil, booleans,
    /// every integer and float, fixarray, fixmap, fixstr, str8), without a result:
    /// true with `head` filled in; false, with nothing consumed, for every other
    /// item and for anything read_head() would reject. Call read_head() then: it
    /// reads the item or names the error.
    bool try_read_head(messagepack_head& head) noexcept;

    /// The next whole item as a value, nested items included.
    result<value> read_value();

    /// Completes the value whose head was just read (reads its nested items).
    result<value> read_value(const messagepack_head& head);

    /// Steps over the next whole item without building it; same checks as read_value.
    result<void> skip();

    std::size_t offset() const noexcept { return pos_; }
    std::size_t remaining() const noexcept { return input_.size() - pos_; }
    bool at_end() const noexcept { return pos_ == input_.size(); }

private:
    result<value> read_nested(const messagepack_head& head, std::size_t depth);
    result<void> skip_nested(const messagepack_head& head, std::size_t depth);

    std::string_view input_;
    std::size_t pos_ = 0;
    std::size_t max_depth_;
};

/// True if every byte is below 0x80 (then the bytes are also valid UTF-8).
inline bool is_ascii(std::string_view s) noexcept {
    std::size_t i = 0;
    std::uint64_t any = 0;
    for (; i + 8 <= s.size(); i += 8) {
        std::uint64_t word;
        std::memcpy(&word, s.data() + i, sizeof word);
        any |= word;
    }
    for (; i < s.size(); ++i)
        any |= static_cast<unsigned char>(s[i]);
    return (any & 0x8080'8080'8080'8080ULL) == 0;
}

inline bool messagepack_reader::try_read_head(messagepack_head& head) noexcept {
    if (pos_ >= input_.size()) return false;
    const auto lead = static_cast<unsigned char>(input_[pos_]);
    std::size_t next = pos_ + 1;
    head.bytes = {};
    head.count = 0;
    if (lead <= 0x7F) {
        head.kind = value_kind::integer;
        head.integer = lead;
    } else if (lead >= 0xE0) {
        head.kind = value_kind::integer;
        head.integer = static_cast<std::int8_t>(lead);
    } else if (lead <= 0x9F) {
        // fixmap or fixarray; read_head() reports a count the bytes left cannot hold.
        const bool is_map = lead <= 0x8F;
        const std::size_t count = lead & 0x0Fu;
        if (count * (is_map ? 2 : 1) > input_.size() - next) return false;
        head.kind = is_map ? value_kind::map : value_kind::array;
        head.count = count;
    } else if (lead <= 0xBF || lead == 0xD9) {
        // fixstr or str8; read_head() reports a short or non-UTF-8 payload.
        std::size_t length = lead & 0x1Fu;
        if (lead == 0xD9) {
            if (next >= input_.size()) return false;
            length = static_cast<unsigned char>(input_[next++]);
        }
        if (length > input_.size() - next) return false;
        const std::string_view bytes = input_.substr(next, length);
        if (!is_ascii(bytes) && !is_valid_utf8(bytes)) return false;
        head.kind = value_kind::string;
        head.bytes = bytes;
        next += length;
    } else if (lead == 0xC0) {
        head.kind = value_kind::null;
    } else if (lead == 0xC2 || lead == 0xC3) {
        head.kind = value_kind::boolean;
        head.boolean = lead == 0xC3;
    } else if (lead >= 0xCA && lead <= 0xD3) {
        // float32, float64, uint8..uint64, int8..int64: a fixed width, big-endian.
        static constexpr unsigned char widths[] = {4, 8, 1, 2, 4, 8, 1, 2, 4, 8};
        const std::size_t width = widths[lead - 0xCA];
        if (width > input_.size() - next) return false;
        std::uint64_t n = 0;
        for (std::size_t k = 0; k < width; ++k)
            n = (n << 8) | static_cast<unsigned char>(input_[next + k]);
        next += width;
        if (lead == 0xCA) {
            head.kind = value_kind::floating;
            head.floating = static_cast<double>(std::bit_cast<float>(static_cast<std::uint32_t>(n)));
        } else if (lead == 0xCB) {
            head.kind = value_kind::floating;
            head.floating = std::bit_cast<double>(n);
        } else if (lead <= 0xCF) {
            // One form per integer: only values above INT64_MAX are unsigned_integer.
            const bool fits = n <= static_cast<std::uint64_t>(INT64_MAX);
            head.kind = fits ? value_kind::integer : value_kind::unsigned_integer;
            head.integer = static_cast<std::int64_t>(n);
            head.unsigned_integer = n;
        } else {
            const unsigned shift = static_cast<unsigned>(64 - 8 * width); // sign-extend from the stored width
            head.kind = value_kind::integer;
            head.integer = static_cast<std::int64_t>(n << shift) >> shift;
        }
    } else {
        return false;
    }
    head.offset = pos_;
    pos_ = next;
    return true;
}

} // namespace hubspec::protocol::detail
