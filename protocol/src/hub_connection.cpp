#include "hubspec/protocol/hub_connection.hpp"

#include <utility>

namespace hubspec::protocol {

namespace {
// Records that waited for an Ack are tracked by construction; the buffer only looks at the type.
const hub_message& tracked_kind() {
    static const hub_message kind = invocation_message{};
    return kind;
}
} // namespace

hub_connection::hub_connection(const server_connection_options& server, const connection_options& options,
                               time_point now)
    : side_(server_side{server, server_keep_alive(now, server.timing), std::nullopt}), options_(options) {}

hub_connection::hub_connection(const client_connection_options& client, const connection_options& options,
                               time_point now)
    : side_(client_side{client, client_keep_alive(client.timing)}), options_(options), protocol_(client.protocol) {
    // HS-001, HS-003: version 2 asks for stateful reconnect.
    const std::int64_t version = client.stateful_reconnect ? protocol_->version() : 1;
    outgoing_.push_back(write_handshake_request({std::string(protocol_->name()), version}));
    std::get<client_side>(side_).timers.on_handshake_sent(now); // HS-017
}

bool hub_connection::apply(connection_input input) {
    const auto next = next_state(state_, input);
    if (!next) return false;
    state_ = *next;
    return true;
}

// ---- receiving -----------------------------------------------------------------

void hub_connection::receive_data(std::string_view bytes, time_point now) {
    if (state_ == connection_state::closed) return;
    if (auto* client = std::get_if<client_side>(&side_)) {
        client->timers.on_received(now, received_kind::partial_data); // KA-005: anything at all
    }
    if (state_ == connection_state::handshaking) {
        handshake_buffer_.append(bytes);
    } else if (reader_) {
        reader_->feed(bytes);
    }
}

void hub_connection::discard_unread() {
    if (protocol_ && reader_) reader_.emplace(*protocol_, options_.max_message_size);
}

connection_event hub_connection::next_handshake_event(time_point now) {
    if (auto* server = std::get_if<server_side>(&side_)) {
        if (server->handshake_consumed) return need_data{}; // read already: the owner answers
        auto read = read_handshake_request(handshake_buffer_, server->options.max_handshake_size);
        if (!read) {
            if (read.error().is_need_more()) return need_data{};
            server->handshake_consumed = handshake_buffer_.size();
            return handshake_failed_event{read.error()};
        }
        server->handshake_consumed = read->consumed;
        return handshake_request_received{std::move(read->request)};
    }
    const auto& client = std::get<client_side>(side_).options;
    auto outcome = read_handshake_response(handshake_buffer_, client.max_handshake_size); // HS-016
    if (std::holds_alternative<handshake_need_more>(outcome)) return need_data{};
    if (auto* failed = std::get_if<handshake_failed>(&outcome)) {
        apply(connection_input::handshake_failed);
        return handshake_failed_event{make_protocol_error(error::handshake_rejected, failed->error)};
    }
    if (client.stateful_reconnect) reconnect_.emplace(options_.reconnect); // SR-001
    on_handshake_done(std::get<handshake_succeeded>(outcome).consumed, now);
    return handshake_completed{};
}

void hub_connection::on_handshake_done(std::size_t consumed, time_point now) {
    reader_.emplace(*protocol_, options_.max_message_size); // FRAME-010
    apply(connection_input::handshake_succeeded);
    std::string rest = handshake_buffer_.substr(consumed); // HS-013, HS-016: bytes after the RS are hub messages
    handshake_buffer_.clear();
    handshake_buffer_.shrink_to_fit();
    if (!rest.empty()) reader_->feed(rest);
    if (auto* server = std::get_if<server_side>(&side_)) server->timers.on_received(now, received_kind::handshake);
}

connection_event hub_connection::next_event(time_point now) {
    if (state_ == connection_state::handshaking) {
        auto event = next_handshake_event(now);
        if (std::holds_alternative<handshake_completed>(event)) {
            auto& client = std::get<client_side>(side_);
            client.timers.on_received(now, received_kind::handshake);
            // HS-018: a Ping at once, as the TS client sends, so that the server hears from the client
            // before its first keep-alive interval; long polling keeps itself alive (LP-019).
            if (client.options.timing.transport == transport_keep_alive::needs_pings) send(ping_message{}, now);
        }
        return event;
    }
    while (state_ != connection_state::closed && reader_ && !reader_failed_) {
        auto next = reader_->next();
        if (!next) {
            if (next.error().is_need_more()) return need_data{};
            reader_failed_ = true;
            return peer_error{peer_error::kind::unreadable_message, next.error()};
        }
        const bool is_ping = std::holds_alternative<ping_message>(*next);
        const auto kind = is_ping ? received_kind::ping : received_kind::message;
        with_timers([&](auto& timers) { timers.on_received(now, kind); });
        if (reconnect_) {
            auto received = reconnect_->on_receive(*next, now);
            if (!received) {
                reader_failed_ = true;
                return peer_error{peer_error::kind::reconnect_violation, received.error()}; // SR-009, SR-015
            }
            if (received->decision == receive_decision::handled) {
                if (std::holds_alternative<ack_message>(*next)) release_waiting(now); // SR-009, SR-010
                continue;
            }
            if (received->decision != receive_decision::dispatch) continue; // SR-006, SR-014
        }
        if (std::holds_alternative<close_message>(*next)) apply(connection_input::close_received);
        return message_received{std::move(*next)};
    }
    return need_data{};
}

// ---- the server's handshake ----------------------------------------------------------

handshake_response hub_connection::accept_handshake(const handshake_request& request, time_point now) {
    const auto* server = std::get_if<server_side>(&side_);
    if (!server || state_ != connection_state::handshaking) return {"The handshake is over."};
    auto answer = answer_handshake(request, server->options.protocols, server->options.transport_formats);
    if (answer.error) {
        // HS-008: the error response, then the end, without a Close message.
        queue(write_handshake_response(answer), now);
        apply(connection_input::handshake_failed);
        return answer;
    }
    protocol_ = find_protocol(request.protocol);
    // SR-001/002: on only if negotiate granted it and the client speaks version 2; a
    // version 1 handshake on such a connection silently turns it off.
    if (server->options.stateful_reconnect_granted && request.version >= 2) reconnect_.emplace(options_.reconnect);
    queue(write_handshake_response({}), now); // HS-007
    on_handshake_done(server->handshake_consumed.value_or(0), now);
    return answer;
}

void hub_connection::reject_handshake(std::string_view text) {
    if (state_ != connection_state::handshaking) return;
    outgoing_.push_back(write_handshake_response({std::string(text)}));
    apply(connection_input::handshake_failed);
}

// ---- sending -------------------------------------------------------------------------

send_status hub_connection::send(const hub_message& message, time_point now) {
    // Checked before encoding too, so that a send nothing will carry costs nothing.
    if (protocol_ == nullptr || state_ == connection_state::handshaking || state_ == connection_state::closed) {
        return send_status::dropped;
    }
    return route(message, protocol_->encode(message), now);
}

send_status hub_connection::send_framed(const hub_message& kind, std::string record, time_point now) {
    return route(kind, std::move(record), now);
}

send_status hub_connection::route(const hub_message& kind, std::string record, time_point now) {
    if (state_ == connection_state::handshaking || state_ == connection_state::closed) return send_status::dropped;
    const bool is_close = std::holds_alternative<close_message>(kind);
    auto status = send_status::queued;
    if (!reconnect_) {
        queue(std::move(record), now);
    } else if (is_sequence_tracked(kind) && !waiting_for_ack_.empty()) {
        waiting_for_ack_.push_back(std::move(record)); // keep the order behind earlier waiters (SR-010)
        status = send_status::waiting_for_ack;
    } else {
        switch (reconnect_->on_send(kind, record).decision) {
        case send_decision::send: queue(std::move(record), now); break;
        case send_decision::wait_for_ack:
            waiting_for_ack_.push_back(std::move(record));
            status = send_status::waiting_for_ack;
            break;
        case send_decision::held_for_resume: status = send_status::held_for_resume; break;
        case send_decision::discard: status = send_status::dropped; break;
        }
    }
    if (is_close) apply(connection_input::close_sent);
    return status;
}

void hub_connection::queue(std::string bytes, time_point now) {
    outgoing_.push_back(std::move(bytes));
    with_timers([&](auto& timers) { timers.on_sent(now); }); // KA-006
}

void hub_connection::release_waiting(time_point now) {
    while (reconnect_ && !waiting_for_ack_.empty()) {
        const auto decision = reconnect_->on_send(tracked_kind(), waiting_for_ack_.front()).decision;
        if (decision == send_decision::wait_for_ack) return;
        auto record = std::move(waiting_for_ack_.front());
        waiting_for_ack_.pop_front();
        if (decision == send_decision::send) queue(std::move(record), now);
    }
}

std::vector<std::string> hub_connection::take_data() {
    std::vector<std::string> out(std::make_move_iterator(outgoing_.begin()), std::make_move_iterator(outgoing_.end()));
    outgoing_.clear();
    return out;
}

// ---- time ----------------------------------------------------------------------------

std::optional<hub_connection::time_point> hub_connection::next_keep_alive_deadline() const noexcept {
    if (state_ == connection_state::closed) return std::nullopt;
    return std::visit([](const auto& side) { return side.timers.next_deadline(); }, side_);
}

std::optional<hub_connection::time_point> hub_connection::next_ack_deadline() const noexcept {
    if (state_ == connection_state::closed || !reconnect_) return std::nullopt;
    return reconnect_->next_ack_deadline();
}

std::optional<hub_connection::time_point> hub_connection::next_deadline() const noexcept {
    auto deadline = next_keep_alive_deadline();
    if (const auto ack = next_ack_deadline(); ack && (!deadline || *ack < *deadline)) deadline = ack;
    return deadline;
}

std::optional<ack_message> hub_connection::poll_ack(time_point now) {
    if (state_ == connection_state::closed || !reconnect_) return std::nullopt;
    return reconnect_->poll_ack(now);
}

keep_alive_due hub_connection::poll_keep_alive(time_point now) {
    if (state_ == connection_state::closed) return {};
    return with_timers([&](auto& timers) { return timers.poll(now); });
}

// ---- the transport -----------------------------------------------------------------

bool hub_connection::transport_lost() {
    // Connected and stateful: the buffer's link is connected too (a Close sent would have moved us to closing).
    if (state_ != connection_state::connected || !reconnect_) {
        if (reconnect_) reconnect_->end(); // SR-016: no resume follows
        return false;
    }
    reconnect_->on_transport_lost();
    with_timers([](auto& timers) { timers.on_transport_lost(); }); // the gap is not a timeout
    discard_unread(); // a partial record of the dead transport is replayed whole by the peer
    apply(connection_input::transport_lost);
    return true;
}

bool hub_connection::can_resume() const noexcept {
    // Connected or lost, the buffer has not ended: only a Close sent (closing) or end() (closed) ends it.
    const bool live = state_ == connection_state::connected || state_ == connection_state::transport_lost;
    return live && reconnect_.has_value();
}

result<resume_plan> hub_connection::resume(time_point now) {
    if (!can_resume()) return make_protocol_error(error::reconnect_after_close, "The connection cannot resume.");
    if (state_ == connection_state::connected) discard_unread(); // SR-019: what the replaced transport began
    reconnect_->on_transport_lost();                             // no-op when the loss was seen already
    auto plan = reconnect_->resume(*protocol_);
    if (!plan) return plan.error();
    apply(connection_input::transport_resumed);
    if (auto* server = std::get_if<server_side>(&side_)) server->timers.on_sent(now);
    with_timers([&](auto& timers) { timers.on_transport_resumed(now); });
    release_waiting(now);
    return plan;
}

result<void> hub_connection::finish_reading() const {
    if (!reader_) return {};
    return reader_->finish();
}

void hub_connection::end() {
    apply(connection_input::ended);
    if (reconnect_) reconnect_->end();
    waiting_for_ack_.clear();
}

} // namespace hubspec::protocol
