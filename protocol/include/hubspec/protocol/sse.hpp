#pragma once
// Server-Sent Events as SignalR uses them: the writer of SSE-005/006 and an
// incremental parser that reassembles event data per SSE-008.

#include "hubspec/protocol/error.hpp"

#include <cstddef>
#include <string>
#include <string_view>

namespace hubspec::protocol {

/// The first body bytes of an SSE response, a comment (SSE-005).
inline constexpr std::string_view sse_stream_preamble = ":\r\n";

/// Appends one event carrying `payload` (SSE-006): split at LF, a trailing CR
/// of each line dropped, each line as `data: ` + line + CRLF, then CRLF.
void write_sse_event(std::string_view payload, std::string& out);
std::string sse_event(std::string_view payload);

struct sse_event_data {
    std::string event; // the `event` field, empty for the default "message"
    std::string data;  // `data` lines joined with LF (SSE-008)
};

/// Incremental parser of an event stream (the WHATWG EventSource rules): lines
/// end in CRLF, LF or CR; comments and unknown fields are skipped; an event is
/// dispatched at a blank line when it has data.
class sse_parser {
public:
    explicit sse_parser(std::size_t max_line_length = 1 << 20) : max_line_length_(max_line_length) {}

    void feed(std::string_view bytes);

    /// The next complete event, or error::need_more; sse_line_too_long is final.
    result<sse_event_data> next();

private:
    result<bool> take_line(std::string_view& line);

    std::size_t max_line_length_;
    std::string buffer_;
    std::size_t start_ = 0;
    bool skip_leading_lf_ = false; // a CR ended the previous line; an LF right after belongs to it
    bool saw_data_ = false;
    std::string event_;
    std::string data_;
    bool failed_ = false;
};

} // namespace hubspec::protocol
