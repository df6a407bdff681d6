#include "hubspec/protocol/keep_alive.hpp"

#include "hubspec/protocol/texts.hpp"

#include <algorithm>
#include <initializer_list>

namespace hubspec::protocol {

namespace {

using time_point = std::chrono::steady_clock::time_point;

// "More than the interval" (KA-001): the first instant strictly past it.
constexpr std::chrono::steady_clock::duration one_tick{1};

std::optional<time_point> earliest(std::initializer_list<std::optional<time_point>> deadlines) {
    std::optional<time_point> out;
    for (const auto& d : deadlines) {
        if (d && (!out || *d < *out)) out = d;
    }
    return out;
}

bool reached(const std::optional<time_point>& deadline, time_point now) {
    return deadline && now >= *deadline;
}

keep_alive_due due(keep_alive_action action, std::string_view requirement, std::string_view text = {}) {
    return keep_alive_due{action, requirement, text};
}

} // namespace

// ---- server ----------------------------------------------------------------

server_keep_alive::server_keep_alive(time_point connected, server_keep_alive_options options)
    : options_(options), connected_(connected), last_ping_tick_(connected), last_received_(connected) {}

void server_keep_alive::on_received(time_point now, received_kind kind) {
    if (kind == received_kind::partial_data) return;
    if (kind == received_kind::handshake) handshake_received_ = true;
    // Old clients never ping, so the timeout only applies once this one has shown it does (KA-003).
    if (kind == received_kind::ping && handshake_received_) client_timeout_armed_ = true;
    last_received_ = now;
}

void server_keep_alive::on_sent(time_point now) {
    if (options_.ping_schedule == server_ping_schedule::when_idle) last_ping_tick_ = std::max(last_ping_tick_, now);
}

void server_keep_alive::on_transport_resumed(time_point now) {
    suspended_ = false;
    handshake_received_ = true;
    last_received_ = now;
}

std::optional<time_point> server_keep_alive::handshake_deadline() const noexcept {
    if (handshake_received_) return std::nullopt;
    return connected_ + options_.handshake_timeout;
}

std::optional<time_point> server_keep_alive::client_timeout_deadline() const noexcept {
    if (!client_timeout_armed_ || options_.transport == transport_keep_alive::inherent) return std::nullopt;
    return last_received_ + options_.client_timeout_interval;
}

std::optional<time_point> server_keep_alive::ping_deadline() const noexcept {
    // No protocol to write a Ping with before the handshake; .NET registers its tick only after it.
    if (!handshake_received_ || options_.transport == transport_keep_alive::inherent) return std::nullopt;
    return last_ping_tick_ + options_.keep_alive_interval + one_tick;
}

std::optional<time_point> server_keep_alive::next_deadline() const noexcept {
    if (timed_out_ || suspended_) return std::nullopt;
    return earliest({handshake_deadline(), client_timeout_deadline(), ping_deadline()});
}

keep_alive_due server_keep_alive::poll(time_point now) {
    if (timed_out_ || suspended_) return {};
    if (reached(handshake_deadline(), now)) {
        timed_out_ = true;
        return due(keep_alive_action::handshake_timeout, "HS-009", texts::handshake_canceled);
    }
    if (reached(client_timeout_deadline(), now)) {
        timed_out_ = true;
        return due(keep_alive_action::peer_timeout, "KA-003", texts::connection_closed_with_error);
    }
    if (reached(ping_deadline(), now)) {
        last_ping_tick_ = now; // the tick advances whether or not the write happens (KA-002)
        return due(keep_alive_action::send_ping, "KA-001");
    }
    return {};
}

// ---- client ----------------------------------------------------------------

client_keep_alive::client_keep_alive(client_keep_alive_options options) : options_(options) {}

void client_keep_alive::on_handshake_sent(time_point now) {
    started_ = true;
    handshake_sent_ = now;
    last_sent_ = now;
    last_received_ = now;
}

void client_keep_alive::on_sent(time_point now) {
    if (started_) last_sent_ = std::max(last_sent_, now);
}

void client_keep_alive::on_received(time_point now, received_kind kind) {
    if (!started_) return;
    if (kind == received_kind::handshake) handshake_received_ = true;
    last_received_ = std::max(last_received_, now);
}

void client_keep_alive::on_transport_resumed(time_point now) {
    suspended_ = false;
    started_ = true;
    handshake_received_ = true;
    last_sent_ = now;
    last_received_ = now;
}

std::optional<time_point> client_keep_alive::handshake_deadline() const noexcept {
    if (!started_ || handshake_received_ || !options_.handshake_timeout) return std::nullopt;
    return handshake_sent_ + *options_.handshake_timeout;
}

std::optional<time_point> client_keep_alive::server_timeout_deadline() const noexcept {
    if (!started_ || options_.transport == transport_keep_alive::inherent) return std::nullopt;
    return last_received_ + options_.server_timeout;
}

std::optional<time_point> client_keep_alive::ping_deadline() const noexcept {
    if (!started_ || !handshake_received_ || options_.transport == transport_keep_alive::inherent) {
        return std::nullopt;
    }
    return last_sent_ + options_.keep_alive_interval;
}

std::optional<time_point> client_keep_alive::next_deadline() const noexcept {
    if (timed_out_ || suspended_) return std::nullopt;
    return earliest({handshake_deadline(), server_timeout_deadline(), ping_deadline()});
}

keep_alive_due client_keep_alive::poll(time_point now) {
    if (timed_out_ || suspended_) return {};
    if (reached(handshake_deadline(), now)) {
        timed_out_ = true;
        return due(keep_alive_action::handshake_timeout, "HS-017");
    }
    if (reached(server_timeout_deadline(), now)) {
        timed_out_ = true;
        return due(keep_alive_action::peer_timeout, "KA-005", texts::server_timeout_elapsed);
    }
    if (reached(ping_deadline(), now)) {
        last_sent_ = now;
        return due(keep_alive_action::send_ping, "KA-006");
    }
    return {};
}

} // namespace hubspec::protocol
