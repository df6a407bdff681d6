#pragma once
// The bytes of a Server-Sent Events response, as plain functions (SSE-004..007):
// the response head, and each event as one HTTP/1.1 chunk so that it reaches
// the client whole and at once. The events themselves come from protocol/sse.hpp.

#include "endpoint_types.hpp"

#include <string>
#include <string_view>

namespace hubspec::server::detail {

/// The headers of SSE-004 between Content-Type and Transfer-Encoding, in order.
header_list event_stream_headers();
/// `HTTP/1.1 200 OK` with `content_type` and `headers`, chunked, no Content-Length.
std::string event_stream_response_head(std::string_view content_type = "text/event-stream",
                                       const header_list& headers = event_stream_headers());
/// `payload` as one chunk of a chunked body (RFC 9112 §7.1); empty payload gives nothing.
std::string http_chunk(std::string_view payload);
/// The chunk that ends a chunked body.
inline constexpr std::string_view last_http_chunk = "0\r\n\r\n";

} // namespace hubspec::server::detail
