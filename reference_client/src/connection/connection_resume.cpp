// Stateful reconnect (SR-*), the client side: every tracked message goes through
// the sans-IO buffer; an ungraceful WebSocket drop re-opens the same URL with the
// same token, writes Sequence and the un-acked messages, and carries on (SR-011,
// SR-013); if that fails, the connection closes and automatic reconnect applies (SR-017).
#include "connection_core.hpp"

#include "transports/websocket_transport.hpp"

namespace hubspec::client::detail {

void connection_core::arm_ack_timer() {
    auto deadline = conn_ ? conn_->next_ack_deadline() : std::nullopt;
    if (!deadline) return;
    ack_timer_.expires_at(*deadline);
    ack_timer_.async_wait([self = shared_from_this(), epoch = epoch_](boost::system::error_code ec) {
        if (ec || epoch != self->epoch_ || !self->conn_ || !self->conn_->stateful()) return;
        if (auto ack = self->conn_->poll_ack(clock::now())) self->write(*ack); // SR-008
        self->arm_ack_timer();
    });
}

bool connection_core::try_resume(const transport_closed& closed) {
    if (!conn_ || !conn_->stateful()) return false;
    // A Close frame, a Close message or stop() ends it for good (SR-016).
    if (!closed.error || link_ != link::connected || stop_requested_ ||
        active_transport_ != protocol::transport_type::websockets) {
        conn_->end();
        return false;
    }
    // Timers pause (the gap is not a server timeout); a partial record is replayed whole by the peer.
    if (!conn_->transport_lost()) return false;
    keep_alive_timer_.cancel();
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
    if (error || !conn_ || !conn_->stateful() || stop_requested_ || link_ != link::connected) {
        // SR-017: the resume failed; close as after any loss, and automatic reconnect may follow.
        transport_.reset();
        ++epoch_;
        link_ = link::none;
        conn_.reset();
        ack_timer_.cancel();
        return connection_lost(stop_requested_ ? std::nullopt : error);
    }
    auto records = conn_->resume(clock::now());
    if (!records) return fail_link(records.error().message);
    // SR-013, SR-014: Sequence first, then every un-acked message in order.
    for (auto& record : *records)
        transport_->send(std::move(record));
    arm_keep_alive();
    flush_link(); // what waited for an Ack and fits now (SR-010)
    arm_ack_timer();
}

} // namespace hubspec::client::detail
