#pragma once
// The bytes of a Server-Sent Events response, as plain functions (SSE-004..007):
// the response head, and each event as one HTTP/1.1 chunk so that it reaches
// the client whole and at once. The events themselves come from protocol/sse.hpp.

#include <string>
#include <string_view>

namespace hubspec::server::detail {

/// `HTTP/1.1 200 OK` with the headers of SSE-004, chunked, no Content-Length.
/// `pragma` false leaves out `Pragma: no-cache` (only --violate sse-no-pragma does).
std::string event_stream_response_head(bool pragma = true);
/// `payload` as one chunk of a chunked body (RFC 9112 §7.1); empty payload gives nothing.
std::string http_chunk(std::string_view payload);
/// The chunk that ends a chunked body.
inline constexpr std::string_view last_http_chunk = "0\r\n\r\n";

} // namespace hubspec::server::detail
