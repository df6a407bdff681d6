#pragma once
// Text as each report format needs it: arbitrary bytes (a transcript may hold
// anything) made valid UTF-8, then escaped for JSON, XML/HTML or Markdown.

#include <chrono>
#include <string>
#include <string_view>

namespace hubspec::harness::reports {

/// `text` as well-formed UTF-8: each invalid byte becomes U+FFFD.
std::string valid_utf8(std::string_view text);

/// A JSON string literal, quotes included (control characters escaped, invalid UTF-8 as U+FFFD).
std::string json_string(std::string_view text);

/// Text for XML 1.0 and HTML content and attribute values: markup characters as
/// entities; characters XML 1.0 forbids dropped; tab and line breaks kept
/// (in attributes as character references, so they survive normalisation).
std::string xml_escape(std::string_view text, bool attribute = false);

/// Text for one Markdown table cell or list item: one line, markup characters inert.
std::string markdown_escape(std::string_view text);

/// At most `max_bytes` of `text`, cut at a character boundary, with "…" when cut.
std::string truncate_text(std::string_view text, std::size_t max_bytes);

/// Seconds with `decimals` places: "1.234".
std::string seconds_text(std::chrono::milliseconds d, int decimals = 3);

} // namespace hubspec::harness::reports
