#pragma once
// Requirements the reference server breaks on purpose (`hubspec-server --violate NAME`):
// each switch breaks exactly one requirement of the spec digest, so that a test can
// prove the harness fails the scenarios tied to it and no others (issue 6, item 8).
// With no switch set the server behaves exactly as without this header.

#include <hubspec/protocol/violation_table.hpp>

#include <cstddef>
#include <optional>
#include <string_view>

namespace hubspec::server {

enum class violation : unsigned {
    // negotiate
    negotiate_get_allowed,
    negotiate_no_version_clamp,
    negotiate_error_not_200,
    negotiate_wrong_content_type,
    negotiate_token_is_id,
    negotiate_stateful_flag_any_value,
    negotiate_v0_has_token,
    negotiate_ids_predictable,
    negotiate_property_order,
    negotiate_no_token,
    negotiate_transport_names_wrong_case,
    negotiate_no_transfer_formats,
    // transports
    websocket_unknown_id_wrong_text,
    websocket_post_accepted,
    websocket_delete_accepted,
    websocket_json_in_binary_frames,
    sse_no_pragma,
    long_poll_no_cache_headers,
    websocket_second_socket_not_409,
    websocket_transport_change_not_400,
    websocket_disabled_wrong_text,
    websocket_records_split,
    sse_second_stream_not_409,
    sse_missing_id_not_400,
    sse_wrong_content_type,
    sse_records_split,
    long_poll_unknown_id_not_404,
    long_poll_delete_not_202,
    long_poll_timeout_204,
    long_poll_superseded_200,
    long_poll_pings,
    post_unknown_id_not_404,
    // handshake
    handshake_accepts_unknown_protocol,
    handshake_accepts_version_3,
    handshake_timeout_silent,
    handshake_wrong_error_text,
    handshake_drops_bytes_after_rs,
    handshake_no_separator,
    // framing
    oversize_message_accepted,
    max_size_off_by_one,
    // message fields
    stream_completion_with_result,
    client_result_ids_unprefixed,
    target_case_sensitive,
    stream_id_reuse_accepted,
    message_lost,
    message_duplicated,
    messages_reordered,
    ping_answered,
    // errors
    unknown_method_wrong_text,
    argument_count_wrong_text,
    argument_type_wrong_text,
    exception_wrong_text,
    hub_exception_detail_dropped,
    // Close
    close_loses_error,
    abort_allows_reconnect,
    // keep-alive
    no_pings,
    no_client_timeout,
    client_timeout_without_reconnect,
    no_transport_send_timeout,
    // groups and users
    others_include_caller,
    group_names_case_insensitive,
    user_send_reaches_one_connection,
    // client results, streaming
    client_result_error_ignored,
    stream_cancel_ignored,
    streaming_method_by_invocation_wrong_text,
    plain_method_by_stream_wrong_text,
    stream_count_wrong_text,
    stream_failure_wrong_text,
    // stateful reconnect
    stateful_no_ack,
    // scale-out over Redis (--redis): a cluster's tests, `hubspec run URL --node URL2`
    backplane_local_copy,
    backplane_drops_remote_group_changes,
    count_ // not a violation: the number of them
};

using violation_info = protocol::violation_entry<violation>;

inline constexpr protocol::violation_table_of<violation> violation_table{{
    {violation::negotiate_get_allowed, "negotiate-get-allowed", "NEG-001", "GET on /negotiate is answered like POST"},
    {violation::negotiate_no_version_clamp, "negotiate-no-version-clamp", "NEG-007",
     "negotiateVersion echoes a requested version above 1"},
    {violation::negotiate_error_not_200, "negotiate-error-not-200", "NEG-008",
     "a negotiate error (bad or too low version) is HTTP 400 instead of 200"},
    {violation::negotiate_wrong_content_type, "negotiate-wrong-content-type", "NEG-009",
     "a successful negotiate response says Content-Type: text/plain"},
    {violation::negotiate_token_is_id, "negotiate-token-is-id", "NEG-010",
     "negotiate version 1 answers a connectionToken equal to the connectionId"},
    {violation::negotiate_stateful_flag_any_value, "negotiate-stateful-flag-any-value", "NEG-026",
     "useStatefulReconnect: true answers any value of the query parameter (false, maybe), not only true"},
    {violation::negotiate_v0_has_token, "negotiate-v0-has-token", "NEG-011",
     "a version 0 negotiate reply carries a connectionToken"},
    {violation::negotiate_ids_predictable, "negotiate-ids-predictable", "NEG-012",
     "connection ids and tokens are a counter ('id-1', 'token-1', ...), not 16 random bytes"},
    {violation::negotiate_property_order, "negotiate-property-order", "NEG-015",
     "negotiateVersion is written last in the negotiate reply instead of first"},
    {violation::negotiate_no_token, "negotiate-no-token", "NEG-010",
     "a version 1 negotiate reply leaves connectionToken out"},
    {violation::negotiate_transport_names_wrong_case, "negotiate-transport-names-wrong-case", "NEG-013",
     "availableTransports names are lower case (websockets, serversentevents, longpolling)"},
    {violation::negotiate_no_transfer_formats, "negotiate-no-transfer-formats", "NEG-014",
     "every availableTransports entry lists no transferFormats"},
    {violation::websocket_unknown_id_wrong_text, "websocket-unknown-id-wrong-text", "WS-003",
     "a WebSocket request with an unknown id gets 404 without the text 'No Connection with that ID'"},
    {violation::websocket_post_accepted, "websocket-post-accepted", "WS-014",
     "POST to a WebSocket connection gets 200 (body dropped) instead of 405"},
    {violation::websocket_delete_accepted, "websocket-delete-accepted", "WS-015",
     "DELETE on a WebSocket connection gets 202 (nothing ends) instead of 400"},
    {violation::websocket_json_in_binary_frames, "websocket-json-in-binary-frames", "WS-007",
     "JSON goes out in Binary frames (MessagePack in Text frames would break every client: not UTF-8)"},
    {violation::sse_no_pragma, "sse-no-pragma", "SSE-004", "the event stream response lacks Pragma: no-cache"},
    {violation::long_poll_no_cache_headers, "long-poll-no-cache-headers", "LP-002",
     "poll responses lack Cache-Control, Pragma and Expires"},
    {violation::websocket_second_socket_not_409, "websocket-second-socket-not-409", "WS-004",
     "a second WebSocket for an active connection gets 400 instead of 409"},
    {violation::websocket_transport_change_not_400, "websocket-transport-change-not-400", "WS-005",
     "a WebSocket for a connection bound to another transport gets 409 instead of 400"},
    {violation::websocket_disabled_wrong_text, "websocket-disabled-wrong-text", "WS-006",
     "a WebSocket request to an endpoint without WebSockets gets 404 without its text"},
    {violation::websocket_records_split, "websocket-records-split", "WS-011",
     "every WebSocket message the server sends is cut in two in the middle of a record"},
    {violation::sse_second_stream_not_409, "sse-second-stream-not-409", "SSE-003",
     "a second event stream for an active connection gets 400 instead of 409"},
    {violation::sse_missing_id_not_400, "sse-missing-id-not-400", "SSE-002",
     "an event-stream GET without id gets 404 instead of 400"},
    {violation::sse_wrong_content_type, "sse-wrong-content-type", "SSE-004",
     "the event stream is served as Content-Type: text/plain"},
    {violation::sse_records_split, "sse-records-split", "SSE-007",
     "every batch of records is sent as two events, the first ending inside a record"},
    {violation::long_poll_unknown_id_not_404, "long-poll-unknown-id-not-404", "LP-012",
     "a poll with an unknown id gets 400 instead of 404"},
    {violation::long_poll_delete_not_202, "long-poll-delete-not-202", "LP-017",
     "DELETE of a long-polling connection gets 200 instead of 202"},
    {violation::long_poll_timeout_204, "long-poll-timeout-204", "LP-006",
     "a poll that times out without data gets 204 instead of an empty 200"},
    {violation::long_poll_superseded_200, "long-poll-superseded-200", "LP-008",
     "a poll ended by a newer poll gets an empty 200 instead of 204"},
    {violation::long_poll_pings, "long-poll-pings", "LP-019", "the server sends keep-alive Pings over long polling"},
    {violation::post_unknown_id_not_404, "post-unknown-id-not-404", "LP-014",
     "a POST with an unknown id gets 400 instead of 404"},
    {violation::handshake_accepts_unknown_protocol, "handshake-accepts-unknown-protocol", "HS-005",
     "a handshake naming an unknown protocol succeeds (json is used)"},
    {violation::handshake_accepts_version_3, "handshake-accepts-version-3", "HS-004",
     "a handshake asking version 3 or more succeeds"},
    {violation::handshake_timeout_silent, "handshake-timeout-silent", "HS-009",
     "at the handshake timeout the transport ends without the 'Handshake was canceled.' response"},
    {violation::handshake_wrong_error_text, "handshake-wrong-error-text", "HS-011",
     "a malformed handshake request gets the error 'Handshake failed.'"},
    {violation::handshake_drops_bytes_after_rs, "handshake-drops-bytes-after-rs", "HS-013",
     "bytes after the handshake request's record separator in the same read are dropped"},
    {violation::handshake_no_separator, "handshake-no-separator", "HS-007",
     "the successful handshake response is `{}` without its record separator"},
    {violation::oversize_message_accepted, "oversize-message-accepted", "FRAME-010",
     "hub messages over MaximumReceiveMessageSize are accepted instead of closing"},
    {violation::max_size_off_by_one, "max-size-off-by-one", "FRAME-009",
     "a record of exactly MaximumReceiveMessageSize bytes closes the connection"},
    {violation::stream_completion_with_result, "stream-completion-with-result", "MSG-044",
     "the Completion of a stream that ends by itself carries result: null"},
    {violation::client_result_ids_unprefixed, "client-result-ids-unprefixed", "MSG-017",
     "client-result invocation ids are '1', '2', ... instead of 's1', 's2', ..."},
    {violation::target_case_sensitive, "target-case-sensitive", "MSG-019",
     "invocation targets are matched case-sensitively"},
    {violation::stream_id_reuse_accepted, "stream-id-reuse-accepted", "MSG-100",
     "a StreamInvocation reusing the id of an active stream starts a second stream"},
    {violation::message_lost, "message-lost", "MSG-103",
     "the 30th Invocation the server sends on a connection is lost"},
    {violation::message_duplicated, "message-duplicated", "MSG-103",
     "the 30th Invocation the server sends on a connection goes out twice"},
    {violation::messages_reordered, "messages-reordered", "MSG-103",
     "the 30th Invocation the server sends on a connection goes out after the 31st"},
    {violation::ping_answered, "ping-answered", "MSG-061", "every Ping from the client is answered with a Ping"},
    {violation::unknown_method_wrong_text, "unknown-method-wrong-text", "ERR-001",
     "an invocation of an unknown method fails without 'Method does not exist.'"},
    {violation::argument_count_wrong_text, "argument-count-wrong-text", "MSG-091",
     "a wrong argument count fails with another text than 'Failed to invoke ...'"},
    {violation::argument_type_wrong_text, "argument-type-wrong-text", "MSG-092",
     "a wrong argument type fails with another text than 'Failed to invoke ...'"},
    {violation::exception_wrong_text, "exception-wrong-text", "ERR-002",
     "an exception in a hub method fails without 'An unexpected error occurred invoking ...'"},
    {violation::hub_exception_detail_dropped, "hub-exception-detail-dropped", "ERR-004",
     "a HubException's message is not appended to the error"},
    {violation::close_loses_error, "close-loses-error", "MSG-070", "every Close the server sends loses its error text"},
    {violation::abort_allows_reconnect, "abort-allows-reconnect", "ERR-009",
     "the Close after Context.Abort() says allowReconnect: true"},
    {violation::no_pings, "no-pings", "KA-001", "the server never sends keep-alive Pings"},
    {violation::no_client_timeout, "no-client-timeout", "KA-003", "a silent client is never timed out"},
    {violation::client_timeout_without_reconnect, "client-timeout-without-reconnect", "KA-004",
     "the Close sent on a client timeout lacks allowReconnect: true"},
    {violation::no_transport_send_timeout, "no-transport-send-timeout", "KA-011",
     "a send to a client that stopped reading waits without end"},
    {violation::others_include_caller, "others-include-caller", "GRP-006",
     "Clients.Others and OthersInGroup include the caller"},
    {violation::group_names_case_insensitive, "group-names-case-insensitive", "GRP-003",
     "group names compare case-insensitively"},
    {violation::user_send_reaches_one_connection, "user-send-reaches-one-connection", "GRP-004",
     "a user message reaches only one of the user's connections"},
    {violation::client_result_error_ignored, "client-result-error-ignored", "CR-006",
     "a client result's Completion error is taken as a null result"},
    {violation::stream_cancel_ignored, "stream-cancel-ignored", "MSG-051",
     "CancelInvocation of an active stream is ignored: it goes on"},
    {violation::streaming_method_by_invocation_wrong_text, "streaming-method-by-invocation-wrong-text", "MSG-098",
     "an Invocation of a streaming method fails with another text"},
    {violation::plain_method_by_stream_wrong_text, "plain-method-by-stream-wrong-text", "MSG-099",
     "a StreamInvocation of a non-streaming method fails with another text"},
    {violation::stream_count_wrong_text, "stream-count-wrong-text", "MSG-095",
     "an upload-stream count mismatch fails with another text"},
    {violation::stream_failure_wrong_text, "stream-failure-wrong-text", "MSG-101",
     "a stream that throws ends with another text than 'An error occurred on the server while streaming results.'"},
    {violation::stateful_no_ack, "stateful-no-ack", "SR-008", "a stateful connection never sends Ack"},
    {violation::backplane_local_copy, "backplane-local-copy", "RB-023",
     "with --redis, All, group and user sends also go straight to this node's clients, which get them twice"},
    {violation::backplane_drops_remote_group_changes, "backplane-drops-remote-group-changes", "RB-053",
     "with --redis, a group change for another node's connection publishes nothing and reports success"},
}};

// The table is indexed by the enum: one entry per violation, in its order.
static_assert(protocol::indexed_by_enum(violation_table));

/// The table entry of `v`.
constexpr const violation_info& info(violation v) noexcept {
    return violation_table[static_cast<std::size_t>(v)];
}

/// The violation called `name` (kebab-case), if there is one.
constexpr std::optional<violation> find_violation(std::string_view name) noexcept {
    return protocol::find_by_name(violation_table, name);
}

/// The violations switched on; empty in every normal run.
using violation_set = protocol::violation_switches<violation>;

} // namespace hubspec::server
