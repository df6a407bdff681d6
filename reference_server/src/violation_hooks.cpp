// The one place the --violate switches are tested: each hook bends its point of the
// wire for the switches that concern it, and hands everything else back unchanged.
#include "violation_hooks.hpp"

#include "http/endpoint_types.hpp"

#include "hubspec/protocol/detail/helpers.hpp"
#include "hubspec/protocol/framing.hpp"
#include "hubspec/protocol/hub_protocol.hpp"

#include <algorithm>
#include <charconv>
#include <cstdint>
#include <system_error>

namespace hubspec::server::detail {

namespace p = hubspec::protocol;

namespace {

constexpr std::chrono::milliseconds never = std::chrono::hours{24 * 365}; // a timeout that does not fire

} // namespace

std::string_view violation_hooks::negotiate_method(std::string_view method) const noexcept {
    if (method == "GET" && on(violation::negotiate_get_allowed)) return "POST"; // NEG-001
    return method;
}

void violation_hooks::negotiate_reply(const p::negotiate_request& asked, p::negotiate_response& response,
                                      http_reply& reply) const {
    if (none()) return;
    if (response.error) {
        if (on(violation::negotiate_error_not_200)) reply.status = 400; // NEG-008
        return;
    }
    bool fields_changed = false;
    if (on(violation::negotiate_no_version_clamp) && asked.negotiate_version) {
        std::int64_t version = 0;
        const auto& text = *asked.negotiate_version;
        const auto parsed = std::from_chars(text.data(), text.data() + text.size(), version);
        if (parsed.ec == std::errc{} && version > 1) {
            response.negotiate_version = version; // NEG-007
            fields_changed = true;
        }
    }
    if (on(violation::negotiate_token_is_id) && response.connection_token) {
        response.connection_token = response.connection_id; // NEG-010
        fields_changed = true;
    }
    if (fields_changed) reply.body = p::write_negotiate_response(response);
    if (on(violation::negotiate_wrong_content_type)) reply.content_type = "text/plain"; // NEG-009
}

void violation_hooks::transport_reply(transport_response which, http_reply& reply) const {
    switch (which) {
    case transport_response::websocket_unknown_id:
        if (on(violation::websocket_unknown_id_wrong_text)) reply.body.clear(); // WS-003
        break;
    case transport_response::websocket_post:
        if (on(violation::websocket_post_accepted)) reply = {200, "text/plain", ""}; // WS-014, body dropped
        break;
    case transport_response::websocket_delete:
        if (on(violation::websocket_delete_accepted)) reply = {202, "text/plain", ""}; // WS-015
        break;
    case transport_response::poll:
        if (on(violation::long_poll_no_cache_headers)) reply.headers.clear(); // LP-002
        break;
    case transport_response::event_stream:
        if (on(violation::sse_no_pragma)) {
            std::erase_if(reply.headers, [](const auto& h) { return h.first == "Pragma"; }); // SSE-004
        }
        break;
    }
}

bool violation_hooks::binary_frames(bool binary_protocol) const noexcept {
    return binary_protocol || on(violation::websocket_json_in_binary_frames); // WS-007
}

std::chrono::milliseconds violation_hooks::timeout_of(timeout which,
                                                      std::chrono::milliseconds configured) const noexcept {
    switch (which) {
    case timeout::client:
        if (on(violation::no_client_timeout)) return never; // KA-003
        break;
    case timeout::transport_send:
        if (on(violation::no_transport_send_timeout)) return never; // KA-011
        break;
    }
    return configured;
}

void violation_hooks::handshake_request(p::handshake_request& request) const {
    if (on(violation::handshake_accepts_unknown_protocol) && !p::find_protocol(request.protocol)) {
        request.protocol = "json"; // HS-005
    }
    if (on(violation::handshake_accepts_version_3) && request.version > 2) request.version = 1; // HS-004
}

std::string_view violation_hooks::handshake_error_text(std::string_view conforming) const noexcept {
    return on(violation::handshake_wrong_error_text) ? "Handshake failed." : conforming; // HS-011
}

std::size_t violation_hooks::message_size_limit(std::size_t configured) const noexcept {
    return on(violation::oversize_message_accepted) ? p::no_size_limit : configured; // FRAME-010
}

bool violation_hooks::sends(record which) const noexcept {
    switch (which) {
    case record::ping: return !on(violation::no_pings);                                     // KA-001
    case record::ack: return !on(violation::stateful_no_ack);                               // SR-008
    case record::handshake_timeout_answer: return !on(violation::handshake_timeout_silent); // HS-009
    }
    return true;
}

void violation_hooks::outgoing(outgoing_message which, p::completion_message& message) const {
    if (which == outgoing_message::stream_completion && on(violation::stream_completion_with_result) &&
        !message.error) {
        message.result = p::value(); // MSG-044
    }
}

void violation_hooks::outgoing(outgoing_message which, p::invocation_message& message) const {
    if (which == outgoing_message::client_result_invocation && on(violation::client_result_ids_unprefixed) &&
        message.invocation_id && message.invocation_id->starts_with('s')) {
        message.invocation_id->erase(0, 1); // MSG-017
    }
}

void violation_hooks::outgoing(outgoing_message which, p::close_message& message) const {
    if (which == outgoing_message::client_timeout_close && on(violation::client_timeout_without_reconnect)) {
        message.allow_reconnect = false; // KA-004
    }
}

bool violation_hooks::keeps(rule which) const noexcept {
    switch (which) {
    case rule::stream_id_in_use: return !on(violation::stream_id_reuse_accepted);            // MSG-100
    case rule::cancel_invocation: return !on(violation::stream_cancel_ignored);              // MSG-051
    case rule::client_result_error: return !on(violation::client_result_error_ignored);      // CR-006
    case rule::bytes_after_handshake: return !on(violation::handshake_drops_bytes_after_rs); // HS-013
    }
    return true;
}

bool violation_hooks::serves_target(std::string_view declared, std::string_view target) const noexcept {
    return !on(violation::target_case_sensitive) || declared == target; // MSG-019
}

std::string violation_hooks::group_key(const std::string& name) const {
    if (!on(violation::group_names_case_insensitive)) return name;
    return p::detail::to_lower(name); // GRP-003: ASCII letters fold to lower case
}

std::string_view violation_hooks::excluded(std::string_view caller) const noexcept {
    return on(violation::others_include_caller) ? std::string_view{} : caller; // GRP-006
}

std::size_t violation_hooks::user_recipients(std::size_t found) const noexcept {
    return on(violation::user_send_reaches_one_connection) ? std::min<std::size_t>(found, 1) : found; // GRP-004
}

} // namespace hubspec::server::detail
