// The one place the --violate switches are tested: each hook bends its point of the
// wire for the switches that concern it, and hands everything else back unchanged.
#include "violation_hooks.hpp"

#include "http/endpoint_types.hpp"

#include "hubspec/protocol/detail/helpers.hpp"
#include "hubspec/protocol/framing.hpp"
#include "hubspec/protocol/hub_protocol.hpp"

#include <algorithm>
#include <atomic>
#include <charconv>
#include <cstdint>
#include <system_error>

namespace hubspec::server::detail {

namespace p = hubspec::protocol;

namespace {

constexpr std::chrono::milliseconds never = std::chrono::hours{24 * 365}; // a timeout that does not fire
constexpr std::string_view wrong_text = "hubspec-server: not the text the spec gives";

/// `body`, a JSON object, with its property `"name":value` moved to the end (NEG-015).
std::string with_property_last(std::string body, std::string_view name) {
    const std::string key = "\"" + std::string(name) + "\":";
    const auto at = body.find(key);
    if (at == std::string::npos || body.size() < 2 || body.back() != '}') return body;
    const auto end = body.find(',', at); // the value is a number: it ends at the next comma
    if (end == std::string::npos) return body;
    const std::string property = body.substr(at, end - at);
    body.erase(at, end - at + 1);
    body.insert(body.size() - 1, "," + property);
    return body;
}

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
    // What only the reply says: the connection is registered as negotiated.
    auto written = response;
    if (on(violation::negotiate_no_token) && written.connection_token) {
        written.connection_token.reset(); // NEG-010
        fields_changed = true;
    }
    for (auto& entry : written.available_transports) {
        if (on(violation::negotiate_transport_names_wrong_case)) {
            entry.transport = p::detail::to_lower(entry.transport); // NEG-013
            fields_changed = true;
        }
        if (on(violation::negotiate_no_transfer_formats)) {
            entry.transfer_formats.clear(); // NEG-014
            fields_changed = true;
        }
    }
    if (on(violation::negotiate_stateful_flag_any_value) && asked.use_stateful_reconnect &&
        !written.use_stateful_reconnect) {
        written.use_stateful_reconnect = true; // NEG-026
        fields_changed = true;
    }
    if (fields_changed) reply.body = p::write_negotiate_response(written);
    if (on(violation::negotiate_v0_has_token) && !written.connection_token && written.connection_id) {
        // NEG-011: the writer leaves a version 0 token out; it goes in by hand, the id as its value
        const auto at = reply.body.find("\"availableTransports\"");
        if (at != std::string::npos) reply.body.insert(at, "\"connectionToken\":\"" + *written.connection_id + "\",");
    }
    if (on(violation::negotiate_property_order))
        reply.body = with_property_last(reply.body, "negotiateVersion");                // NEG-015
    if (on(violation::negotiate_wrong_content_type)) reply.content_type = "text/plain"; // NEG-009
}

p::connection_ids violation_hooks::connection_ids(p::connection_ids fresh) const {
    if (!on(violation::negotiate_ids_predictable)) return fresh;
    static std::atomic<std::uint64_t> counter{0}; // NEG-012
    const auto n = std::to_string(++counter);
    return {"id-" + n, "token-" + n};
}

void violation_hooks::transport_reply(transport_response which, http_reply& reply) const {
    switch (which) {
    case transport_response::websocket_conflict:
        if (on(violation::websocket_second_socket_not_409)) reply.status = 400; // WS-004
        break;
    case transport_response::websocket_transport_change:
        if (on(violation::websocket_transport_change_not_400)) reply.status = 409; // WS-005
        break;
    case transport_response::websocket_unsupported:
        if (on(violation::websocket_disabled_wrong_text)) reply.body.clear(); // WS-006
        break;
    case transport_response::poll_unknown_id:
        if (on(violation::long_poll_unknown_id_not_404)) reply.status = 400; // LP-012
        break;
    case transport_response::poll_timed_out:
        if (on(violation::long_poll_timeout_204)) reply.status = 204; // LP-006
        break;
    case transport_response::poll_superseded:
        if (on(violation::long_poll_superseded_200)) reply.status = 200; // LP-008
        break;
    case transport_response::long_poll_delete:
        if (on(violation::long_poll_delete_not_202)) reply.status = 200; // LP-017
        break;
    case transport_response::post_unknown_id:
        if (on(violation::post_unknown_id_not_404)) reply.status = 400; // LP-014
        break;
    case transport_response::event_stream_conflict:
        if (on(violation::sse_second_stream_not_409)) reply.status = 400; // SSE-003
        break;
    case transport_response::event_stream_missing_id:
        if (on(violation::sse_missing_id_not_400)) reply.status = 404; // SSE-002
        break;
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
        if (on(violation::sse_wrong_content_type)) reply.content_type = "text/plain"; // SSE-004
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

std::size_t violation_hooks::first_message_size(transport_message which, std::size_t size) const noexcept {
    const bool cut = which == transport_message::websocket_message ? on(violation::websocket_records_split) // WS-011
                                                                   : on(violation::sse_records_split);      // SSE-007
    return cut && size > 1 ? size / 2 : size;
}

p::transport_keep_alive violation_hooks::keep_alive(p::transport_keep_alive conforming) const noexcept {
    return on(violation::long_poll_pings) ? p::transport_keep_alive::needs_pings : conforming; // LP-019
}

void violation_hooks::handshake_request(p::handshake_request& request) const {
    if (on(violation::handshake_accepts_unknown_protocol) && !p::find_protocol(request.protocol)) {
        request.protocol = "json"; // HS-005
    }
    if (on(violation::handshake_accepts_version_3) && request.version > 2) request.version = 1; // HS-004
}

std::string violation_hooks::handshake_answer(std::string conforming) const {
    if (on(violation::handshake_no_separator) && conforming.ends_with(p::record_separator))
        conforming.pop_back(); // HS-007
    return conforming;
}

std::string_view violation_hooks::handshake_error_text(std::string_view conforming) const noexcept {
    return on(violation::handshake_wrong_error_text) ? "Handshake failed." : conforming; // HS-011
}

std::size_t violation_hooks::message_size_limit(std::size_t configured) const noexcept {
    if (on(violation::oversize_message_accepted)) return p::no_size_limit;           // FRAME-010
    if (on(violation::max_size_off_by_one) && configured > 1) return configured - 1; // FRAME-009
    return configured;
}

std::string violation_hooks::completion_error(std::string_view requirement, std::string conforming) const {
    if (none()) return conforming;
    struct text_switch {
        std::string_view requirement;
        violation v;
    };
    static constexpr text_switch wrong_texts[] = {
        {"ERR-001", violation::unknown_method_wrong_text},
        {"ERR-002", violation::exception_wrong_text},
        {"MSG-091", violation::argument_count_wrong_text},
        {"MSG-092", violation::argument_type_wrong_text},
        {"MSG-095", violation::stream_count_wrong_text},
        {"MSG-098", violation::streaming_method_by_invocation_wrong_text},
        {"MSG-099", violation::plain_method_by_stream_wrong_text},
        {"MSG-101", violation::stream_failure_wrong_text},
    };
    for (const auto& [id, v] : wrong_texts)
        if (id == requirement && on(v)) return std::string(wrong_text);
    if (on(violation::hub_exception_detail_dropped)) {
        if (const auto at = conforming.find(" HubException: "); at != std::string::npos)
            conforming.resize(at); // ERR-004
    }
    return conforming;
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
    if (which == outgoing_message::abort_close && on(violation::abort_allows_reconnect)) {
        message.allow_reconnect = true; // ERR-009
    }
    if (which == outgoing_message::close && on(violation::close_loses_error)) message.error.reset(); // MSG-070
}

bool violation_hooks::keeps(rule which) const noexcept {
    switch (which) {
    case rule::stream_id_in_use: return !on(violation::stream_id_reuse_accepted);            // MSG-100
    case rule::cancel_invocation: return !on(violation::stream_cancel_ignored);              // MSG-051
    case rule::client_result_error: return !on(violation::client_result_error_ignored);      // CR-006
    case rule::bytes_after_handshake: return !on(violation::handshake_drops_bytes_after_rs); // HS-013
    case rule::ping_needs_no_reply: return !on(violation::ping_answered);                    // MSG-061
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

std::vector<outgoing_order::item> outgoing_order::pass(item next) {
    std::vector<item> out;
    const auto* message = std::get_if<p::hub_message>(&next);
    if (hooks_.none() || (message && !std::holds_alternative<p::invocation_message>(*message))) {
        out.push_back(std::move(next));
        return out;
    }
    const auto nth = ++invocations_;
    if (nth == faulty_invocation && hooks_.on(violation::message_lost)) return out; // MSG-103
    if (nth == faulty_invocation && hooks_.on(violation::messages_reordered)) {
        held_ = std::move(next); // MSG-103: goes out after the next one
        return out;
    }
    const bool twice = nth == faulty_invocation && hooks_.on(violation::message_duplicated); // MSG-103
    if (twice) out.push_back(next);
    out.push_back(std::move(next));
    if (held_) {
        out.push_back(std::move(*held_));
        held_.reset();
    }
    return out;
}

} // namespace hubspec::server::detail
