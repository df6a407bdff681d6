#pragma once
// Record framing, sans-IO. JSON records end with the record separator 0x1E
// (FRAME-001); MessagePack records carry a VarInt length prefix (FRAME-005).

#include "hubspec/protocol/error.hpp"

#include <cstddef>
#include <cstdint>
#include <limits>
#include <string>
#include <string_view>

namespace hubspec::protocol {

inline constexpr char record_separator = '\x1e';

/// ASP.NET Core's MaximumReceiveMessageSize default (FRAME-009).
inline constexpr std::size_t default_maximum_message_size = 32768;
inline constexpr std::size_t no_size_limit = std::numeric_limits<std::size_t>::max();

/// Largest length a VarInt prefix may carry: 2^31-1 (FRAME-006).
inline constexpr std::uint32_t max_varint_value = 0x7FFF'FFFF;

/// One complete record found at the start of an input.
struct record_view {
    std::string_view body; // without the RS or the length prefix
    std::size_t consumed;  // bytes to drop from the input: body plus RS or prefix
};

/// First complete JSON record in `input`. error::need_more until its RS arrives
/// (FRAME-003); record_too_large once body + RS cannot fit in `max_size`
/// (FRAME-009), even before the RS arrives; empty_record for RS alone (FRAME-012).
result<record_view> next_json_record(std::string_view input, std::size_t max_size = no_size_limit);

/// First complete MessagePack record in `input` (FRAME-005..009, FRAME-012);
/// `max_size` bounds prefix + body and is checked as soon as the prefix is read.
result<record_view> next_binary_record(std::string_view input, std::size_t max_size = no_size_limit);

struct varint_view {
    std::uint32_t value;
    std::size_t length; // bytes the prefix occupies, 1 to 5
};

/// Reads a VarInt length prefix (FRAME-006/007).
result<varint_view> read_varint(std::string_view input);

/// Appends the shortest VarInt form of `n` (FRAME-008).
void append_varint(std::string& out, std::uint32_t n);

/// Bytes the shortest VarInt form of `n` takes.
std::size_t varint_size(std::uint32_t n) noexcept;

} // namespace hubspec::protocol
