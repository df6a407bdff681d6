#pragma once
// Requirements the reference client breaks on purpose (`hubspec-client --agent --violate NAME`):
// each switch breaks exactly one client requirement of the spec digest, so that a test can
// prove that `hubspec run --client` fails the scenarios tied to it and no others (issue 14).
// With no switch set the client behaves exactly as without this header.

#include <hubspec/protocol/violation_table.hpp>

#include <cstddef>
#include <optional>
#include <string_view>

namespace hubspec::client {

enum class violation : unsigned {
    negotiate_without_version,
    connection_id_as_token,
    fallback_reuses_token,
    transports_in_reverse,
    stateful_not_requested,
    handshake_without_separator,
    no_pings,
    server_timeout_ignored,
    reconnect_after_final_close,
    reconnect_close_ignored,
    reconnect_without_negotiate,
    reconnect_first_delay_late,
    client_result_wrong_id,
    missing_handler_silent,
    stop_without_close,
    long_polling_stop_without_delete,
    sse_stop_sends_delete,
    stateful_never_acks,
    stateful_renegotiates,
    negotiate_error_hidden,
    redirect_drops_token,
    handshake_error_hidden,
    cancel_without_message,
    count_
};

using violation_info = protocol::violation_entry<violation>;

inline constexpr protocol::violation_table_of<violation> violation_table{{
    {violation::negotiate_without_version, "negotiate-without-version", "NEG-003",
     "negotiate is requested without negotiateVersion=1"},
    {violation::connection_id_as_token, "connection-id-as-token", "NEG-021",
     "transport requests carry the connectionId as id even when negotiate gave a connectionToken"},
    {violation::fallback_reuses_token, "fallback-reuses-token", "NEG-031",
     "after a transport fails to start, the next one is tried with the same token, without a fresh negotiate"},
    {violation::transports_in_reverse, "transports-in-reverse", "NEG-030",
     "transports are tried in the reverse of the server's order (Long Polling first)"},
    {violation::stateful_not_requested, "stateful-not-requested", "NEG-025",
     "a client asked for stateful reconnect never sends useStatefulReconnect=true"},
    {violation::handshake_without_separator, "handshake-without-separator", "HS-001",
     "the handshake request is sent without its record separator"},
    {violation::no_pings, "no-pings", "KA-006", "the client never sends keep-alive Pings"},
    {violation::server_timeout_ignored, "server-timeout-ignored", "KA-005",
     "a server that stays silent past the server timeout is never given up on"},
    {violation::reconnect_after_final_close, "reconnect-after-final-close", "MSG-075",
     "a Close without allowReconnect is followed by an automatic reconnect"},
    {violation::reconnect_close_ignored, "reconnect-close-ignored", "MSG-076",
     "a Close with allowReconnect: true ends the connection for good"},
    {violation::reconnect_without_negotiate, "reconnect-without-negotiate", "RC-006",
     "a reconnect attempt reopens the old transport URL instead of negotiating again"},
    {violation::reconnect_first_delay_late, "reconnect-first-delay-late", "RC-002",
     "the first reconnect attempt waits 2 s more than the retry policy says (0 ms by default)"},
    {violation::client_result_wrong_id, "client-result-wrong-id", "CR-002",
     "a client result's Completion carries another invocationId than the server's Invocation"},
    {violation::missing_handler_silent, "missing-handler-silent", "CR-003",
     "an Invocation with an id for a method without handler gets no Completion"},
    {violation::stop_without_close, "stop-without-close", "MSG-072",
     "stop() ends the transport without sending a Close message first"},
    {violation::long_polling_stop_without_delete, "long-polling-stop-without-delete", "LP-018",
     "stopping a long-polling connection sends no DELETE"},
    {violation::sse_stop_sends_delete, "sse-stop-sends-delete", "SSE-012",
     "stopping a Server-Sent Events connection sends a DELETE"},
    {violation::stateful_never_acks, "stateful-never-acks", "SR-008", "a stateful connection never sends Ack"},
    {violation::stateful_renegotiates, "stateful-renegotiates", "SR-011",
     "a dropped stateful WebSocket is not resumed with its token: the client negotiates a new connection"},
    {violation::negotiate_error_hidden, "negotiate-error-hidden", "NEG-017",
     "a negotiate reply's error fails the start with a generic text instead of the server's message"},
    {violation::redirect_drops_token, "redirect-drops-token", "NEG-018",
     "a redirect's accessToken is ignored: the redirected negotiate goes without it"},
    {violation::handshake_error_hidden, "handshake-error-hidden", "HS-016",
     "a handshake error fails the start with a generic text instead of the server's message"},
    {violation::cancel_without_message, "cancel-without-message", "MSG-050",
     "cancelling a server-to-client stream forgets it without sending a CancelInvocation"},
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

} // namespace hubspec::client
