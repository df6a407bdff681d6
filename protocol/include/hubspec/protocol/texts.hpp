#pragma once
// Microsoft's literal texts that travel on the wire. They are behaviour, not
// messages for humans: clients and harnesses compare them byte for byte.

#include <cstdint>
#include <string>
#include <string_view>

namespace hubspec::protocol::texts {

// Handshake (HS-*)
std::string unsupported_protocol(std::string_view protocol);                                 // HS-005
std::string unsupported_protocol_version(std::string_view protocol, std::int64_t version);   // HS-004
std::string unsupported_transfer_format(std::string_view protocol, std::string_view format); // HS-006
inline constexpr std::string_view handshake_canceled = "Handshake was canceled.";            // HS-009, HS-010
inline constexpr std::string_view handshake_unexpected_error =
    "An unexpected error occurred during connection handshake."; // HS-011
inline constexpr std::string_view expected_handshake_response =
    "Expected a handshake response from the server.";       // HS-016
std::string server_handshake_error(std::string_view error); // HS-016

// Negotiate (NEG-*)
inline constexpr std::string_view non_integer_version =
    "The client requested a non-integer protocol version.";                                             // NEG-005
std::string unsupported_negotiate_version(std::int64_t version);                                        // NEG-006
inline constexpr std::string_view redirection_limit_exceeded = "Negotiate redirection limit exceeded."; // NEG-019
inline constexpr std::string_view unrequested_stateful_reconnect =
    "Client didn't negotiate Stateful Reconnect but the server did."; // NEG-027
inline constexpr std::string_view skip_negotiation_needs_websockets =
    "Negotiation can only be skipped when using the WebSocket transport directly."; // NEG-028
inline constexpr std::string_view legacy_server =
    "Detected a connection attempt to an ASP.NET SignalR Server. This client only supports connecting to an ASP.NET "
    "Core SignalR Server. See https://aka.ms/signalr-core-differences for details."; // NEG-024

// Transport-level HTTP bodies (WS-*, SSE-*, LP-*)
inline constexpr std::string_view no_connection_with_id = "No Connection with that ID";                 // WS-003
inline constexpr std::string_view connection_id_required = "Connection ID required";                    // SSE-002
inline constexpr std::string_view cannot_change_transports = "Cannot change transports mid-connection"; // WS-005
inline constexpr std::string_view websockets_not_supported =
    "WebSockets transport not supported by this end point type"; // WS-006
inline constexpr std::string_view post_not_allowed_for_websockets =
    "POST requests are not allowed for WebSocket connections."; // WS-014
inline constexpr std::string_view delete_not_allowed =
    "Cannot terminate this connection using the DELETE endpoint."; // WS-015

// Framing and hub messages (FRAME-*, MSG-*, ERR-*)
inline constexpr std::string_view messages_over_2gb = "Messages over 2GB in size are not supported."; // FRAME-007
inline constexpr std::string_view connection_closed_with_error =
    "Connection closed with an error.";                       // FRAME-010, ERR-007
std::string maximum_message_size_exceeded(std::size_t limit); // FRAME-010 detail
inline constexpr std::string_view terminated_while_reading =
    "Connection terminated while reading a message.";         // FRAME-011
std::string missing_required_property(std::string_view name); // MSG-011 and others
inline constexpr std::string_view result_and_error_exclusive =
    "The 'error' and 'result' properties are mutually exclusive.";                                        // MSG-041
inline constexpr std::string_view invalid_result_kind = "Invalid invocation result kind.";                // MSG-043
inline constexpr std::string_view client_did_not_provide_result = "Client didn't provide a result.";      // CR-003
inline constexpr std::string_view client_provided_multiple_results = "Client provided multiple results."; // CR-004
inline constexpr std::string_view invocation_canceled_connection_closed =
    "Invocation canceled due to the underlying connection being closed."; // RC-010

// Redis backplane (RB-*)
inline constexpr std::string_view backplane_protocol_missing =
    "This message was received from another server that did not have the requested protocol available."; // RB-048
inline constexpr std::string_view server_timeout_elapsed =
    "Server timeout elapsed without receiving a message from the server.";        // KA-005
std::string server_close_error(std::string_view error);                           // MSG-075
std::string failed_to_invoke(std::string_view method);                            // MSG-091, MSG-092
std::string method_does_not_exist(std::string_view method);                       // ERR-001
std::string unexpected_error_invoking(std::string_view method);                   // ERR-002
std::string unauthorized_invoke(std::string_view method);                         // ERR-005
std::string streaming_method_with_invocation(std::string_view method);            // MSG-098
std::string non_streaming_method_with_stream_invocation(std::string_view method); // MSG-099
std::string invocation_id_in_use(std::string_view id);                            // MSG-100
inline constexpr std::string_view error_while_streaming =
    "An error occurred on the server while streaming results.";                                     // MSG-101
std::string stream_count_mismatch(std::string_view method, std::size_t sent, std::size_t expected); // MSG-095
std::string argument_count_mismatch(std::size_t provided, std::size_t expected);                    // MSG-091 detail
inline constexpr std::string_view argument_binding_error =
    "Error binding arguments. Make sure that the types of the provided values match the types of the hub method being "
    "invoked."; // MSG-092 detail
inline constexpr std::string_view sequence_id_too_high =
    "Sequence ID greater than amount of messages we've received."; // SR-015

} // namespace hubspec::protocol::texts
