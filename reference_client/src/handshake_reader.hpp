#pragma once
// The client's half of the handshake (HS-016): find the first record, which is
// JSON even on MessagePack connections, and decide. Sans-IO.

#include <cstddef>
#include <string>
#include <string_view>
#include <variant>

namespace hubspec::client::detail {

struct handshake_need_more {};
struct handshake_failed {
    std::string error; // Microsoft's text where there is one
};
struct handshake_succeeded {
    std::size_t consumed; // bytes of the response record; the rest are hub messages (HS-016)
};

using handshake_outcome = std::variant<handshake_need_more, handshake_failed, handshake_succeeded>;

/// Reads the handshake response at the start of `received`. A reply that grows
/// beyond `max_size` bytes without its RS fails instead of buffering forever.
handshake_outcome read_handshake_response(std::string_view received, std::size_t max_size = 64 * 1024);

} // namespace hubspec::client::detail
