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

#include <cstddef>
#include <cstdint>
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

} // namespace hubspec::protocol::detail
