#pragma once
// Requirements the reference server breaks on purpose (`hubspec-server --violate NAME`):
// each switch breaks exactly one requirement of the spec digest, so that a test can
// prove the harness fails the scenarios tied to it and no others (issue 6, item 8).
// With no switch set the server behaves exactly as without this header.

#include <array>
#include <bitset>
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
    // transports
    websocket_unknown_id_wrong_text,
    websocket_post_accepted,
    websocket_delete_accepted,
    websocket_json_in_binary_frames,
    sse_no_pragma,
    long_poll_no_cache_headers,
    // handshake
    handshake_accepts_unknown_protocol,
    handshake_accepts_version_3,
    handshake_timeout_silent,
    handshake_wrong_error_text,
    handshake_drops_bytes_after_rs,
    // framing
    oversize_message_accepted,
    // message fields
    stream_completion_with_result,
    client_result_ids_unprefixed,
    target_case_sensitive,
    stream_id_reuse_accepted,
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
    // stateful reconnect
    stateful_no_ack,
    count_ // not a violation: the number of them
};

struct violation_info {
    violation id;
    std::string_view name;        // kebab-case, as `--violate` takes it
    std::string_view requirement; // the requirement ID it breaks (shared/spec/signalr-protocol.md)
    std::string_view description;
};

inline constexpr std::array<violation_info, static_cast<std::size_t>(violation::count_)> violation_table{{
    {violation::negotiate_get_allowed, "negotiate-get-allowed", "NEG-001", "GET on /negotiate is answered like POST"},
    {violation::negotiate_no_version_clamp, "negotiate-no-version-clamp", "NEG-007",
     "negotiateVersion echoes a requested version above 1"},
    {violation::negotiate_error_not_200, "negotiate-error-not-200", "NEG-008",
     "a negotiate error (bad or too low version) is HTTP 400 instead of 200"},
    {violation::negotiate_wrong_content_type, "negotiate-wrong-content-type", "NEG-009",
     "a successful negotiate response says Content-Type: text/plain"},
    {violation::negotiate_token_is_id, "negotiate-token-is-id", "NEG-010",
     "negotiate version 1 answers a connectionToken equal to the connectionId"},
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
    {violation::oversize_message_accepted, "oversize-message-accepted", "FRAME-010",
     "hub messages over MaximumReceiveMessageSize are accepted instead of closing"},
    {violation::stream_completion_with_result, "stream-completion-with-result", "MSG-044",
     "the Completion of a stream that ends by itself carries result: null"},
    {violation::client_result_ids_unprefixed, "client-result-ids-unprefixed", "MSG-017",
     "client-result invocation ids are '1', '2', ... instead of 's1', 's2', ..."},
    {violation::target_case_sensitive, "target-case-sensitive", "MSG-019",
     "invocation targets are matched case-sensitively"},
    {violation::stream_id_reuse_accepted, "stream-id-reuse-accepted", "MSG-100",
     "a StreamInvocation reusing the id of an active stream starts a second stream"},
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
    {violation::stateful_no_ack, "stateful-no-ack", "SR-008", "a stateful connection never sends Ack"},
}};

// The table is indexed by the enum: one entry per violation, in its order.
static_assert([] {
    for (std::size_t i = 0; i < violation_table.size(); ++i) {
        if (static_cast<std::size_t>(violation_table[i].id) != i) return false;
    }
    return true;
}());

/// The table entry of `v`.
constexpr const violation_info& info(violation v) noexcept {
    return violation_table[static_cast<std::size_t>(v)];
}

/// The violation called `name` (kebab-case), if there is one.
constexpr std::optional<violation> find_violation(std::string_view name) noexcept {
    for (const auto& entry : violation_table) {
        if (entry.name == name) return entry.id;
    }
    return std::nullopt;
}

/// The violations switched on; empty in every normal run.
class violation_set {
public:
    void insert(violation v) noexcept { bits_.set(static_cast<std::size_t>(v)); }
    bool contains(violation v) const noexcept { return bits_.test(static_cast<std::size_t>(v)); }
    bool empty() const noexcept { return bits_.none(); }

private:
    std::bitset<static_cast<std::size_t>(violation::count_)> bits_;
};

} // namespace hubspec::server
