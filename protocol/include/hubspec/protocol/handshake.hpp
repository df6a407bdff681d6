#pragma once
// The handshake: always a JSON record, also on MessagePack connections (HS-001).

#include "hubspec/protocol/error.hpp"
#include "hubspec/protocol/hub_protocol.hpp"

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace hubspec::protocol {

struct handshake_request {
    std::string protocol;     // "json" or "messagepack" (HS-002)
    std::int64_t version = 1; // 1, or 2 with stateful reconnect (HS-003)
    bool operator==(const handshake_request&) const = default;
};

struct handshake_response {
    std::optional<std::string> error; // absent on success (HS-007)
    bool operator==(const handshake_response&) const = default;
};

/// `{"protocol":"json","version":1}` + RS, in the .NET/TS client's order.
std::string write_handshake_request(const handshake_request& request);

/// `{}` + RS on success (HS-007); `{"error":"…"}` + RS on failure (HS-008).
std::string write_handshake_response(const handshake_response& response);

/// Parses a request record body (without RS). Unknown properties are ignored
/// (HS-012); anything else than an object with a string `protocol` and an
/// integer `version` is error::malformed_handshake (HS-011).
result<handshake_request> parse_handshake_request(std::string_view body);

/// Parses a response record body (HS-016): a `type` property means the server
/// sent a hub message instead (unexpected_handshake_type); an `error` is
/// returned in the response, not as a failure, so callers decide.
result<handshake_response> parse_handshake_response(std::string_view body);

/// The server's answer to a well-formed request (HS-004..HS-006): success, or
/// Microsoft's text for an unknown protocol, a version above the protocol's,
/// or a transfer format the transport lacks. `transport_formats` lists what
/// the transport can carry.
handshake_response answer_handshake(const handshake_request& request,
                                    std::span<const hub_protocol* const> supported_protocols,
                                    std::span<const transfer_format> transport_formats);

} // namespace hubspec::protocol
