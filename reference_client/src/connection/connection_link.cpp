// One established link: hub messages in and out, the keep-alive and Ack timers,
// and the stateful resume (SR-*) of the client side: every tracked message goes
// through the sans-IO buffer; an ungraceful WebSocket drop re-opens the same URL
// with the same token, writes Sequence and the un-acked messages, and carries on
// (SR-011, SR-013); if that fails, the link ends and automatic reconnect applies (SR-017).
#include "connection_link.hpp"

#include "transports/websocket_transport.hpp"

#include <hubspec/protocol/texts.hpp>

namespace hubspec::client::detail {

namespace texts = protocol::texts;

connection_link::connection_link(boost::asio::io_context& io, const connection_options& options, tracer trace,
                                 established_link established, handlers on)
    : io_(io), options_(options), trace_(std::move(trace)), on_(std::move(on)),
      transport_(std::move(established.carrier)), type_(established.type), conn_(std::move(established.conn)),
      transport_url_(std::move(established.transport_url)), access_token_(std::move(established.access_token)),
      cookies_(std::move(established.cookies)), keep_alive_timer_(io), ack_timer_(io) {}

void connection_link::start() {
    flush();          // HS-018: the core's Ping at once
    arm_keep_alive(); // KA-006: the Ping deadline exists from the handshake response on (KA-003 is now armed)
}

void connection_link::read_pending() {
    if (ended_) return;
    auto self = shared_from_this(); // on_lost may drop the owner's reference
    read_events();
}

// ---- incoming --------------------------------------------------------------

void connection_link::receive(std::string_view bytes) {
    if (ended_) return;
    auto self = shared_from_this();
    conn_->receive_data(bytes, clock::now()); // KA-005: anything at all
    read_events();
}

void connection_link::read_events() {
    for (;;) {
        auto event = conn_->next_event(clock::now());
        if (std::holds_alternative<protocol::need_data>(event)) break;
        if (auto* error = std::get_if<protocol::peer_error>(&event)) {
            if (error->what == protocol::peer_error::kind::reconnect_violation)
                return lost(error->error.message); // SR-015: a Sequence past what arrived, an Ack too high
            return lost("The server sent a message that could not be read: " + error->error.to_string());
        }
        if (auto* received = std::get_if<protocol::message_received>(&event)) {
            flush(); // what an Ack released (SR-010)
            if (auto* close = std::get_if<protocol::close_message>(&received->message))
                on_close_message(*close);
            else
                on_.on_message(std::move(received->message));
        }
        if (ended_) return; // the link ended while handling it
    }
    flush();
    if (conn_->stateful()) arm_ack_timer();
}

void connection_link::on_close_message(const protocol::close_message& message) {
    if (message.error && !message.error->empty()) close_error_ = texts::server_close_error(*message.error); // MSG-075
    close_allows_reconnect_ = message.allow_reconnect &&
                              !options_.violations.contains(violation::reconnect_close_ignored); // MSG-075, MSG-076
    if (!closing_ && transport_) {
        closing_ = true;
        transport_->stop();
    }
}

void connection_link::closed(const transport_closed& closed) {
    if (ended_) return;
    auto self = shared_from_this();
    transport_.reset();
    if (try_resume(closed)) return; // SR-011: an ungraceful drop of a stateful connection
    // FRAME-011, as .NET's client does: an end inside a record lost data, so it is no graceful close.
    const bool ended_inside_record = !conn_->finish_reading();
    auto error = close_error_ ? close_error_ : closed.error;
    if (!error && ended_inside_record) error = std::string(texts::terminated_while_reading);
    lost(std::move(error));
}

// ---- outgoing --------------------------------------------------------------

bool connection_link::write(const protocol::hub_message& message) {
    if (ended_) return false;
    // Through the link's buffer when stateful: tracked messages keep their order behind
    // those the buffer limit holds (SR-010), and wait for a resume while the transport is down.
    const auto status = conn_->send(message, clock::now()); // KA-006
    flush();
    if (conn_->stateful()) return status != protocol::send_status::dropped;
    return status != protocol::send_status::dropped && transport_ != nullptr;
}

void connection_link::flush() {
    for (auto& chunk : conn_->take_data()) {
        if (transport_) transport_->send(std::move(chunk));
    }
}

void connection_link::close() {
    if (ended_) return;
    if (!options_.violations.contains(violation::stop_without_close))
        write(protocol::close_message{}); // best effort (MSG-072)
    closing_ = true;
    if (transport_)
        transport_->stop();
    else
        lost(std::nullopt);
}

// ---- the end ---------------------------------------------------------------

void connection_link::lost(std::optional<std::string> error) {
    release();
    auto on_lost = std::move(on_.on_lost);
    on_ = {};
    if (on_lost) on_lost(std::move(error), close_allows_reconnect_);
}

void connection_link::abandon() {
    if (ended_) return;
    release();
    on_ = {};
}

void connection_link::release() {
    ended_ = true;
    if (transport_) {
        transport_->abort();
        transport_.reset();
    }
    keep_alive_timer_.cancel();
    ack_timer_.cancel();
}

// ---- timers (KA-005, KA-006, SR-008) -----------------------------------------

void connection_link::arm_keep_alive() {
    auto deadline = conn_->next_keep_alive_deadline();
    if (!deadline) return;
    keep_alive_timer_.expires_at(*deadline);
    keep_alive_timer_.async_wait([self = shared_from_this()](boost::system::error_code ec) {
        if (ec || self->ended_) return;
        self->on_keep_alive_timer();
    });
}

void connection_link::on_keep_alive_timer() {
    if (closing_) return;
    auto due = conn_->poll_keep_alive(clock::now());
    switch (due.action) {
    case protocol::keep_alive_action::none: break;
    case protocol::keep_alive_action::send_ping:
        if (!options_.violations.contains(violation::no_pings)) write(protocol::ping_message{});
        break;
    case protocol::keep_alive_action::handshake_timeout: // the attempt's, before the link exists
    case protocol::keep_alive_action::peer_timeout:      // may reconnect, as in Microsoft's clients
        if (options_.violations.contains(violation::server_timeout_ignored)) break;
        return lost(std::string(texts::server_timeout_elapsed));
    }
    arm_keep_alive();
}

void connection_link::arm_ack_timer() {
    auto deadline = conn_->next_ack_deadline();
    if (!deadline) return;
    ack_timer_.expires_at(*deadline);
    ack_timer_.async_wait([self = shared_from_this()](boost::system::error_code ec) {
        if (ec || self->ended_ || !self->conn_->stateful()) return;
        if (auto ack = self->conn_->poll_ack(clock::now()))
            if (!self->options_.violations.contains(violation::stateful_never_acks)) self->write(*ack); // SR-008
        self->arm_ack_timer();
    });
}

// ---- stateful reconnect (SR-011..SR-017) ---------------------------------------

bool connection_link::try_resume(const transport_closed& closed) {
    if (!conn_->stateful()) return false;
    // A Close frame, a Close message or stop() ends it for good (SR-016).
    if (!closed.error || closing_ || type_ != protocol::transport_type::websockets ||
        options_.violations.contains(violation::stateful_renegotiates)) {
        conn_->end();
        return false;
    }
    // Timers pause (the gap is not a server timeout); a partial record is replayed whole by the peer.
    if (!conn_->transport_lost()) return false;
    keep_alive_timer_.cancel();
    transport_ = make_websocket_transport(io_, settings_for_transport(options_, access_token_, cookies_, trace_));
    auto starting = transport_;
    // SR-011: the same URL and token, no negotiate, no handshake.
    starting->start(
        transport_url_, conn_->protocol()->format(),
        [self = shared_from_this()](std::optional<std::string> error) {
            if (!self->ended_) self->on_resume_started(std::move(error));
        },
        on_.events.on_data, on_.events.on_closed);
    return true;
}

void connection_link::on_resume_started(std::optional<std::string> error) {
    if (error || closing_) {
        // SR-017: the resume failed; the link ends as after any loss, and automatic reconnect may follow.
        transport_.reset();
        return lost(closing_ ? std::nullopt : error);
    }
    auto plan = conn_->resume(clock::now());
    if (!plan) return lost(plan.error().message);
    // SR-013, SR-014: Sequence first, then every un-acked message in order.
    for (auto& record : plan->records)
        transport_->send(std::move(record));
    arm_keep_alive();
    flush(); // what waited for an Ack and fits now (SR-010)
    arm_ack_timer();
}

} // namespace hubspec::client::detail
