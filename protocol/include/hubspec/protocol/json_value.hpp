#pragma once
// JSON text <-> value, as the JSON hub protocol carries hub arguments.

#include "hubspec/protocol/error.hpp"
#include "hubspec/protocol/value.hpp"

#include <string>
#include <string_view>

namespace hubspec::protocol {

/// Parses one JSON value (RFC 8259, UTF-8). Integers that fit int64 (or uint64)
/// stay integers; others and numbers with a fraction or exponent are doubles.
result<value> parse_json_value(std::string_view text);

/// Appends compact JSON the way ASP.NET Core's writer does: non-ASCII and `'`
/// unescaped, control characters and U+001E escaped (FRAME-002), characters
/// outside the BMP as surrogate-pair escapes. Binary becomes a base64 string
/// (MSG-093); an extension becomes a base64 string of its data. Doubles are
/// written shortest-round-trip and always with a `.` or exponent, so a double
/// reads back as a double; NaN and the infinities, which JSON lacks, become the
/// strings "NaN", "Infinity" and "-Infinity" (.NET's named literals). Map keys
/// that are not strings are written as their JSON text in a string.
void write_json_value(const value& v, std::string& out);

/// Appends `s` as a JSON string literal, quotes included.
void write_json_string(std::string_view s, std::string& out);

std::string to_json(const value& v);

} // namespace hubspec::protocol
