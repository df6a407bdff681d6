#pragma once
// `hubspec decode` and `hubspec encode`: framed hub messages <-> JSON lines
// (the view of message_json.hpp). Streams in, streams out, an exit code back.

#include <cstddef>
#include <iosfwd>
#include <optional>
#include <string>

namespace hubspec::harness {

enum class handshake_role { none, request, response };

struct codec_options {
    std::string protocol = "json";                   // "json" or "messagepack"
    bool hex = false;                                // decode: input is hex text; encode: write hex text
    handshake_role handshake = handshake_role::none; // decode: a handshake record comes first
    std::optional<std::size_t> max_message_size;     // decode: FRAME-009 limit to apply
};

/// Reads a byte stream of framed messages from `in`, prints one JSON object per
/// message to `out`. Returns 0, 1 on malformed input (the error, its
/// requirement ID and byte offset on `err`), or 2 for a usage error.
int run_decode(const codec_options& options, std::istream& in, std::ostream& out, std::ostream& err);

/// Reads JSON lines from `in` and writes the framed bytes to `out`. Returns 0,
/// 1 when a line is not a message (naming the line), 2 for a usage error.
int run_encode(const codec_options& options, std::istream& in, std::ostream& out, std::ostream& err);

} // namespace hubspec::harness
