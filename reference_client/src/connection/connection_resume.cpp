// Stateful reconnect (SR-*), the client side: every tracked message goes through
// the sans-IO buffer; an ungraceful WebSocket drop re-opens the same URL with the
// same token, writes Sequence and the un-acked messages, and carries on (SR-011,
// SR-013); if that fails, the connection closes and automatic reconnect applies (SR-017).
#include "connection_core.hpp"

#include "websocket_transport.hpp"

namespace hubspec::client::detail {

bool connection_core::deliver_tracked(protocol::hub_message&& message) {
    auto received = sr_->on_receive(message, clock::now());
    if (!received) {
        fail_link(received.error().message); // SR-015: a Sequence past what arrived, an Ack too high
        return false;
    }
    switch (received->decision) {
    case protocol::receive_decision::dispatch: on_message(std::move(message)); break;
    case protocol::receive_decision::handled: drain_waiting_sends(); break; // an Ack may have freed space
    case protocol::receive_decision::drop_duplicate:
    case protocol::receive_decision::drop_awaiting_sequence: break; // SR-006
    }
    if (sr_) arm_ack_timer();
    return true;
}

void connection_core::arm_ack_timer() {
    auto deadline = sr_->next_ack_deadline();
    if (!deadline) return;
    ack_timer_.expires_at(*deadline);
    ack_timer_.async_wait([self = shared_from_this(), epoch = epoch_](boost::system::error_code ec) {
        if (ec || epoch != self->epoch_ || !self->sr_) return;
        if (auto ack = self->sr_->poll_ack(clock::now())) self->write(*ack); // SR-008
        self->arm_ack_timer();
    });
}

void connection_core::drain_waiting_sends() {
    while (!waiting_for_ack_.empty() && sr_ && !sr_->must_wait_for_ack()) {
        auto message = std::move(waiting_for_ack_.front());
        waiting_for_ack_.pop_front();
        std::string bytes;
        protocol_->write(message, bytes);
        auto decision = sr_->on_send(message, bytes).decision;
        if (decision == protocol::send_decision::wait_for_ack) {
            waiting_for_ack_.push_front(std::move(message));
            return;
        }
        if (decision == protocol::send_decision::send && transport_) transport_->send(std::move(bytes));
    }
}

bool connection_core::try_resume(const transport_closed& closed) {
    if (!sr_) return false;
    // A Close frame, a Close message or stop() ends it for good (SR-016).
    if (!closed.error || link_ != link::connected || stop_requested_ ||
        active_transport_ != protocol::transport_type::websockets) {
        sr_->end();
        return false;
    }
    sr_->on_transport_lost();
    if (keep_alive_) keep_alive_->on_transport_lost(); // the gap is not a server timeout
    keep_alive_timer_.cancel();
    reader_.emplace(*protocol_); // a partial record of the dead transport is replayed whole by the peer
    transport_settings settings{request_headers(), access_token_, options_.connect_timeout, trace_};
    transport_ = make_websocket_transport(io_, std::move(settings));
    auto self = shared_from_this();
    auto epoch = epoch_;
    auto starting = transport_;
    // SR-011: the same URL and token, no negotiate, no handshake.
    starting->start(
        transport_url_, protocol_->format(),
        [self, epoch](std::optional<std::string> error) {
            if (epoch != self->epoch_) return;
            self->on_resume_started(std::move(error));
        },
        [self, epoch](std::string_view bytes) {
            if (epoch != self->epoch_) return;
            self->on_transport_data(bytes);
        },
        [self, epoch](transport_closed c) {
            if (epoch != self->epoch_) return;
            self->on_transport_closed(std::move(c));
        });
    return true;
}

void connection_core::on_resume_started(std::optional<std::string> error) {
    if (error || !sr_ || stop_requested_ || link_ != link::connected) {
        // SR-017: the resume failed; close as after any loss, and automatic reconnect may follow.
        transport_.reset();
        ++epoch_;
        link_ = link::none;
        reader_.reset();
        keep_alive_.reset();
        sr_.reset();
        waiting_for_ack_.clear();
        ack_timer_.cancel();
        return connection_lost(stop_requested_ ? std::nullopt : error);
    }
    auto plan = sr_->resume(*protocol_);
    if (!plan) return fail_link(plan.error().message);
    // SR-013, SR-014: Sequence first, then every un-acked message in order.
    for (auto& record : plan->records)
        transport_->send(std::move(record));
    if (keep_alive_) {
        keep_alive_->on_transport_resumed(clock::now());
        arm_keep_alive();
    }
    drain_waiting_sends();
    arm_ack_timer();
}

} // namespace hubspec::client::detail
