#pragma once
// Bytes as hex text, the way captures and test-vectors.md write them: upper-case
// pairs separated by spaces ("7B 7D 1E").

#include <optional>
#include <string>
#include <string_view>

namespace hubspec::protocol {

std::string to_hex(std::string_view bytes);

/// Pairs of hex digits in either case; whitespace anywhere is ignored. nullopt
/// on any other character or an odd number of digits.
std::optional<std::string> parse_hex(std::string_view text);

/// The value of one hex digit in either case, or -1.
int hex_digit_value(char c) noexcept;

} // namespace hubspec::protocol
