// The server's adapter over protocol::hub_connection (which reads the handshake and
// records, keeps the timers' deadlines and the reconnect buffer): answers, timers,
// Close, teardown. What hub messages do is hub_dispatcher.cpp's.
#include "hub_connection.hpp"

#include "log.hpp"

#include "hubspec/protocol/texts.hpp"

#include <utility>

namespace hubspec::server::detail {

namespace p = hubspec::protocol;

namespace {

p::server_keep_alive_options keep_alive_options(const hub_options& o, const fault_state& faults,
                                                p::transport_type transport) {
    p::server_keep_alive_options k;
    k.keep_alive_interval = o.keep_alive_interval;
    k.client_timeout_interval = faults.hooks().timeout_of(timeout::client, o.client_timeout_interval); // KA-003
    k.handshake_timeout = o.handshake_timeout;
    // Long polling keeps itself alive: no Pings, no client timeout (KA-008, LP-019).
    k.transport = faults.hooks().keep_alive(transport == p::transport_type::long_polling
                                                ? p::transport_keep_alive::inherent
                                                : p::transport_keep_alive::needs_pings); // LP-019
    return k;
}

p::server_connection_options core_server_options(hub_lifetime& lifetime, const connection_identity& identity) {
    p::server_connection_options s;
    s.transport_formats = p::transfer_formats_of(identity.transport);
    s.max_handshake_size = lifetime.options().maximum_receive_message_size; // HS-010
    s.stateful_reconnect_granted = identity.stateful_reconnect;
    s.timing = keep_alive_options(lifetime.options(), lifetime.faults(), identity.transport);
    return s;
}

p::connection_options core_options(hub_lifetime& lifetime) {
    p::connection_options o;
    o.max_message_size =
        lifetime.faults().hooks().message_size_limit(lifetime.options().maximum_receive_message_size); // FRAME-010
    o.reconnect.buffer_size = lifetime.options().stateful_reconnect_buffer_size;
    return o;
}

std::shared_ptr<const std::string> shared_bytes(std::string s) {
    return std::make_shared<const std::string>(std::move(s));
}

} // namespace

std::string hub_connection::handshake_error_text(const std::string& detail) const {
    std::string text{hooks().handshake_error_text(p::texts::handshake_unexpected_error)}; // HS-011
    if (lifetime_->options().enable_detailed_errors) text += " InvalidDataException: " + detail;
    return text;
}

hub_connection::hub_connection(std::shared_ptr<hub_lifetime> lifetime, connection_identity identity,
                               std::weak_ptr<transport_sink> sink)
    : lifetime_(std::move(lifetime)), identity_(std::move(identity)),
      writer_(std::make_shared<transport_writer>(lifetime_, std::move(sink))),
      core_(core_server_options(*lifetime_, identity_), core_options(*lifetime_), clock::now()), order_(hooks()),
      dispatcher_(*this, lifetime_) {}

void hub_connection::start() {
    rearm_timer();
}

bool hub_connection::open() const noexcept {
    const auto s = core_.state();
    return s == p::connection_state::connected || s == p::connection_state::transport_lost ||
           s == p::connection_state::closing;
}

void hub_connection::on_data(std::string_view bytes) {
    if (closed()) return;
    auto self = shared_from_this(); // hub code may drop the last other reference
    if (const auto& tap = lifetime_->faults().tap.on_received) tap(identity().connection_id, bytes);
    const bool handshaking = core_.state() == p::connection_state::handshaking;
    core_.receive_data(bytes, clock::now());
    while (!closed()) {
        auto event = core_.next_event(clock::now());
        if (std::holds_alternative<p::need_data>(event)) break;
        if (auto* request = std::get_if<p::handshake_request_received>(&event)) {
            if (!on_handshake_request(std::move(request->request))) return;
        } else if (auto* failed = std::get_if<p::handshake_failed_event>(&event)) {
            on_handshake_failed(failed->error);
            return;
        } else if (auto* message = std::get_if<p::message_received>(&event)) {
            flush(); // what an Ack released (SR-010) goes before any answer
            dispatcher_.dispatch(std::move(message->message));
        } else if (auto* error = std::get_if<p::peer_error>(&event)) {
            if (error->what == p::peer_error::kind::reconnect_violation) {
                // SR-015: the client names messages we never received.
                close_with({std::string(p::texts::connection_closed_with_error), false}, "SR-015",
                           error->error.to_string());
            } else {
                fail_protocol(error->error);
            }
        }
    }
    flush();
    if (handshaking && core_.state() == p::connection_state::handshaking) return; // no handshake yet: no new timer
    rearm_timer();
}

void hub_connection::on_handshake_failed(const p::protocol_error& error) {
    std::string text;
    if (error.code == p::error::record_too_large) {
        text = p::texts::handshake_canceled; // too large without an RS (HS-010)
        log_event("HS-010", identity_.connection_id, "handshake request over the maximum message size");
    } else {
        text = handshake_error_text(error.message);
        log_event("HS-011", identity_.connection_id, error.to_string());
    }
    core_.reject_handshake(text);
    flush();
    writer_->close();
    teardown();
}

bool hub_connection::on_handshake_request(p::handshake_request request) {
    if (auto scripted = std::exchange(lifetime_->faults().next_handshake_reply, std::nullopt)) {
        // The control API's handshake reply (a client under test meets it), then the end.
        writer_->write(shared_bytes(std::move(*scripted)));
        writer_->close();
        teardown();
        return false;
    }
    hooks().handshake_request(request); // HS-004, HS-005
    const auto answer = core_.accept_handshake(request, clock::now());
    if (answer.error) {
        // HS-008: the error response, then the end, without a Close message.
        log_event("HS-004..006", identity_.connection_id, *answer.error);
        flush();
        writer_->close();
        teardown();
        return false;
    }
    if (auto sink = writer_->sink()) sink->set_binary(protocol()->format() == p::transfer_format::binary);
    for (auto& chunk : core_.take_data()) // HS-007, in the protocol's frame type (WS-007)
        writer_->write(shared_bytes(hooks().handshake_answer(std::move(chunk))));
    lifetime_->add(shared_from_this());
    if (!hooks().keeps(rule::bytes_after_handshake)) core_.discard_unread(); // HS-013

    hub_call call(shared_from_this(), nullptr);
    try {
        lifetime_->definition().connected(call);
    } catch (...) {
        // ERR-008: an OnConnected failure ends the connection without allowReconnect.
        close_with({dispatcher_.error_text(p::texts::connection_closed_with_error, std::current_exception()), false},
                   "ERR-008", "OnConnected threw");
        return false;
    }
    return open();
}

void hub_connection::fail_protocol(const p::protocol_error& e) {
    std::string text{p::texts::connection_closed_with_error};
    if (lifetime_->options().enable_detailed_errors) text += " InvalidDataException: " + e.message;
    const std::string_view requirement = e.code == p::error::record_too_large ? "FRAME-010" : "ERR-007";
    close_with({text, true}, requirement, e.to_string());
}

void hub_connection::abort() {
    p::close_message close{std::nullopt, false};
    hooks().outgoing(outgoing_message::abort_close, close); // ERR-009
    close_with(std::move(close), "ERR-009", "Context.Abort()");
}

void hub_connection::close(p::close_message close, std::string_view why) {
    close_with(std::move(close), "CTL", why);
}

const transport_sink* hub_connection::drop_transport() {
    auto sink = writer_->sink();
    if (!sink) return nullptr;
    log_event("CTL", identity_.connection_id, "control API: transport dropped");
    writer_->discard(); // what the delay still held is lost with the network
    sink->drop();
    return sink.get();
}

void hub_connection::end_gracefully() {
    writer_->close();
    teardown();
}

void hub_connection::close_with(p::close_message close, std::string_view requirement, std::string_view why) {
    if (closed()) return;
    log_event(requirement, identity_.connection_id, std::string("closing: ") + std::string(why));
    hooks().outgoing(outgoing_message::close, close); // MSG-070
    if (open()) send_message(close);                  // MSG-074
    writer_->close();
    teardown();
}

void hub_connection::on_transport_closed(transport_end how) {
    if (closed() || awaiting_resume()) return;
    // SR-003, SR-011: only a WebSocket resumes, and only after an ungraceful end.
    if (how == transport_end::ungraceful && identity_.transport == p::transport_type::websockets &&
        core_.transport_lost()) {
        log_event("SR-012", identity_.connection_id, "transport lost: waiting for a stateful reconnect");
        writer_->detach(); // what the delay held is lost; tracked records come back by replay (SR-013)
        timer_.cancel();
        timer_deadline_.reset();
        return;
    }
    writer_->discard(); // the transport is gone: nothing held can reach it
    if (auto finished = core_.finish_reading(); !finished) {
        log_event("FRAME-011", identity_.connection_id, std::string(p::texts::terminated_while_reading));
    }
    teardown();
}

bool hub_connection::resume(std::weak_ptr<transport_sink> sink) {
    if (!core_.can_resume()) return false;
    auto fresh = sink.lock();
    if (!fresh) return false;
    if (auto previous = writer_->sink(); previous && previous != fresh) {
        log_event("SR-019", identity_.connection_id, "a new WebSocket replaces the active one");
        previous->abandon();
    }
    auto plan = core_.resume(clock::now());
    if (!plan) return false;
    writer_->attach(std::move(sink)); // what the delay held was for the old transport: the replay covers it
    fresh->set_binary(protocol()->format() == p::transfer_format::binary);
    // SR-013/014: Sequence first, then every un-acked message, in one write.
    std::string replay;
    for (const auto& record : plan->records)
        replay += record;
    log_event("SR-013", identity_.connection_id,
              "resumed: Sequence(" + std::to_string(plan->sequence.sequence_id) + ") and " +
                  std::to_string(plan->records.size() - 1) + " replayed message(s)");
    writer_->write(shared_bytes(std::move(replay)));
    flush(); // what waited for an Ack and fits now (SR-010)
    rearm_timer();
    return true;
}

void hub_connection::expire() {
    if (closed()) return;
    log_event("SR-012", identity_.connection_id, "no reconnect within the disconnect timeout: connection ends");
    teardown();
}

void hub_connection::teardown() {
    const bool was_connected = open();
    core_.end();
    timer_.cancel();
    timer_deadline_.reset();
    auto self = shared_from_this();
    if (was_connected) lifetime_->remove(*this);
    dispatcher_.end();
    if (was_connected) {
        hub_call call(self, nullptr);
        guarded("OnDisconnected", [&] { lifetime_->definition().disconnected(call); });
    }
}

void hub_connection::send_message(const p::hub_message& message) {
    if (closed() || protocol() == nullptr) return;
    for (const auto& out : order_.pass(message)) // MSG-103
        send_now(out);
}

void hub_connection::send_encoded(const std::shared_ptr<const std::string>& records) {
    if (!open()) return;
    for (const auto& out : order_.pass(records)) // MSG-103
        send_now(out);
}

void hub_connection::relay_client_result(const std::shared_ptr<const std::string>& records, std::string invocation_id,
                                         std::function<void(std::optional<p::completion_message>)> on_completion) {
    if (!open()) return on_completion(std::nullopt);
    dispatcher_.await_relayed_completion(std::move(invocation_id), std::move(on_completion));
    send_encoded(records);
}

void hub_connection::send_now(const outgoing_order::item& out) {
    if (const auto* message = std::get_if<p::hub_message>(&out)) return note_send(core_.send(*message, clock::now()));
    // Broadcasts are Invocations (GRP-001): tracked; the buffer only looks at the type.
    static const p::hub_message broadcast_kind = p::invocation_message{};
    note_send(core_.send_framed(broadcast_kind, *std::get<std::shared_ptr<const std::string>>(out), clock::now()));
}

void hub_connection::note_send(p::send_status status) {
    if (status == p::send_status::waiting_for_ack && core_.waiting_for_ack() == 1) {
        log_event("SR-010", identity_.connection_id, "replay buffer full: sends wait for an Ack");
    }
    flush();
}

void hub_connection::flush() {
    for (auto& chunk : core_.take_data())
        writer_->write(shared_bytes(std::move(chunk)));
}

void hub_connection::rearm_timer() {
    if (closed()) return;
    const auto deadline = core_.next_deadline();
    if (!deadline) {
        timer_.cancel();
        timer_deadline_.reset();
        return;
    }
    // An armed earlier deadline re-arms when it fires; only an earlier one needs a new timer.
    if (timer_deadline_ && *timer_deadline_ <= *deadline) return;
    timer_.cancel();
    timer_deadline_ = *deadline;
    const auto delay = std::chrono::ceil<std::chrono::milliseconds>(*deadline - clock::now());
    std::weak_ptr<hub_connection> weak = weak_from_this();
    timer_ = lifetime_->timers().after(std::max(delay, std::chrono::milliseconds{0}), [weak] {
        if (auto self = weak.lock()) self->on_timer();
    });
}

void hub_connection::on_timer() {
    const auto fired_for = std::exchange(timer_deadline_, std::nullopt);
    if (closed()) return;
    const auto now = clock::now();
    if (core_.stateful()) {
        // A timer armed for the Ack deadline means the Ack is due, however the scheduler keeps time.
        auto ack_now = now;
        if (const auto due = core_.next_ack_deadline(); due && fired_for && *due <= *fired_for) {
            ack_now = std::max(now, *due);
        }
        if (auto ack = core_.poll_ack(ack_now); ack && hooks().sends(record::ack)) {
            send_message(*ack); // SR-008
        }
        if (closed()) return;
    }
    const auto due = core_.poll_keep_alive(now);
    switch (due.action) {
    case p::keep_alive_action::none: break;
    case p::keep_alive_action::send_ping:
        if (lifetime_->faults().pings && hooks().sends(record::ping))
            send_message(p::ping_message{}); // the control API may stall them
        break;
    case p::keep_alive_action::handshake_timeout:
        log_event("HS-009", identity_.connection_id, "no handshake request in time");
        if (core_.state() == p::connection_state::handshaking) {
            if (hooks().sends(record::handshake_timeout_answer)) { // HS-009
                core_.reject_handshake(p::texts::handshake_canceled);
                flush();
            }
            writer_->close();
            teardown();
        }
        return;
    case p::keep_alive_action::peer_timeout: {
        std::string text{p::texts::connection_closed_with_error};
        if (lifetime_->options().enable_detailed_errors) {
            text += " OperationCanceledException: Client hasn't sent a message/ping within the configured "
                    "ClientTimeoutInterval.";
        }
        p::close_message close{text, true};
        hooks().outgoing(outgoing_message::client_timeout_close, close); // KA-004
        close_with(std::move(close), "KA-004", "client timeout");
        return;
    }
    }
    rearm_timer();
}

} // namespace hubspec::server::detail
