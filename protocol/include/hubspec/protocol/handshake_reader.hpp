#pragma once
// Reading the first record of a connection, for either role: the handshake is
// always a JSON record, also on MessagePack connections (HS-001). Sans-IO: both
// functions look at what was received so far and decide.

#include "hubspec/protocol/error.hpp"
#include "hubspec/protocol/handshake.hpp"

#include <cstddef>
#include <string>
#include <string_view>
#include <variant>

namespace hubspec::protocol {

/// The default bound on a handshake response a client waits for.
inline constexpr std::size_t default_max_handshake_response_size = 64 * 1024;

struct handshake_need_more {};
struct handshake_failed {
    std::string error; // Microsoft's client text where there is one
};
struct handshake_succeeded {
    std::size_t consumed; // bytes of the response record; the rest are hub messages (HS-016)
};

using handshake_outcome = std::variant<handshake_need_more, handshake_failed, handshake_succeeded>;

/// Client: reads the handshake response at the start of `received` (HS-016). A reply
/// that grows beyond `max_size` bytes without its RS fails instead of buffering forever.
handshake_outcome read_handshake_response(std::string_view received,
                                          std::size_t max_size = default_max_handshake_response_size);

/// A request read whole; the bytes after `consumed` are hub messages (HS-013).
struct handshake_request_read {
    handshake_request request;
    std::size_t consumed;
};

/// Server: reads the handshake request at the start of `received`. error::need_more
/// until its RS arrives; record_too_large past `max_size` without one (HS-010);
/// malformed_handshake or a framing error for anything unreadable (HS-011).
result<handshake_request_read> read_handshake_request(std::string_view received, std::size_t max_size);

} // namespace hubspec::protocol
