#pragma once
// UTF-8, as both hub protocols check and write it (RFC 3629: no overlongs, no
// surrogates, nothing above U+10FFFF).

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace hubspec::protocol::detail {

/// True if `text` is well-formed UTF-8.
bool is_valid_utf8(std::string_view text) noexcept;

/// Decodes the sequence starting at text[at] into `code_point`; returns its
/// length in bytes (1-4), or 0 if it is not well-formed.
std::size_t decode_utf8(std::string_view text, std::size_t at, std::uint32_t& code_point) noexcept;

/// Appends `code_point` (at most U+10FFFF, not a surrogate) as UTF-8.
void append_utf8(std::string& out, std::uint32_t code_point);

} // namespace hubspec::protocol::detail
