// The life of a hub connection: handshake, framing, timers, Close, teardown.
// Dispatch of hub messages is in hub_dispatch.cpp.
#include "hub_connection.hpp"

#include "log.hpp"

#include "hubspec/protocol/framing.hpp"
#include "hubspec/protocol/handshake.hpp"
#include "hubspec/protocol/texts.hpp"

#include <array>
#include <atomic>

namespace hubspec::server::detail {

namespace p = hubspec::protocol;

namespace {

const std::array<const p::hub_protocol*, 2> supported_protocols{&p::json_protocol(), &p::messagepack_protocol()};

p::server_keep_alive_options keep_alive_options(const hub_options& o, const fault_state& faults,
                                                p::transport_type transport) {
    p::server_keep_alive_options k;
    k.keep_alive_interval = o.keep_alive_interval;
    k.client_timeout_interval = o.client_timeout_interval;
    // KA-003 broken on purpose: a client timeout of a year never fires.
    if (faults.violates(violation::no_client_timeout)) k.client_timeout_interval = std::chrono::hours{24 * 365};
    k.handshake_timeout = o.handshake_timeout;
    // Long polling keeps itself alive: no Pings, no client timeout (KA-008, LP-019).
    k.transport = transport == p::transport_type::long_polling ? p::transport_keep_alive::inherent
                                                               : p::transport_keep_alive::needs_pings;
    return k;
}

std::shared_ptr<const std::string> shared_bytes(std::string s) {
    return std::make_shared<const std::string>(std::move(s));
}

} // namespace

std::string hub_connection::handshake_error_text(const std::string& detail) const {
    std::string text{violates(violation::handshake_wrong_error_text) ? "Handshake failed."
                                                                     : p::texts::handshake_unexpected_error}; // HS-011
    if (lifetime_->options().enable_detailed_errors) text += " InvalidDataException: " + detail;
    return text;
}

hub_connection::hub_connection(std::shared_ptr<hub_lifetime> lifetime, connection_identity identity,
                               std::weak_ptr<transport_sink> sink)
    : lifetime_(std::move(lifetime)), identity_(std::move(identity)), sink_(std::move(sink)),
      keep_alive_(clock::now(), keep_alive_options(lifetime_->options(), lifetime_->faults(), identity_.transport)) {}

void hub_connection::start() {
    rearm_timer();
}

void hub_connection::on_data(std::string_view bytes) {
    if (state_ == state::closed) return;
    if (state_ == state::handshaking) {
        on_handshake_data(bytes);
        return;
    }
    reader_->feed(bytes);
    read_messages();
}

void hub_connection::on_handshake_data(std::string_view bytes) {
    handshake_buffer_.append(bytes);
    const std::size_t limit = lifetime_->options().maximum_receive_message_size;
    auto record = p::next_json_record(handshake_buffer_, limit);
    if (!record) {
        if (record.error().is_need_more()) return;
        std::string text;
        if (record.error().code == p::error::record_too_large) {
            text = p::texts::handshake_canceled; // too large without an RS (HS-010)
            log_event("HS-010", identity_.connection_id, "handshake request over the maximum message size");
        } else {
            text = handshake_error_text(record.error().message);
            log_event("HS-011", identity_.connection_id, record.error().to_string());
        }
        write(shared_bytes(p::write_handshake_response({text})));
        close_transport();
        teardown();
        return;
    }
    const std::size_t consumed = record->consumed;
    auto request = p::parse_handshake_request(record->body);
    if (!request) {
        const auto text = handshake_error_text(request.error().message);
        log_event("HS-011", identity_.connection_id, request.error().to_string());
        write(shared_bytes(p::write_handshake_response({text})));
        close_transport();
        teardown();
        return;
    }
    if (violates(violation::handshake_accepts_unknown_protocol) && !p::find_protocol(request->protocol)) {
        request->protocol = "json"; // HS-005
    }
    if (violates(violation::handshake_accepts_version_3) && request->version > 2) request->version = 1; // HS-004
    const auto formats = p::transfer_formats_of(identity_.transport);
    auto answer = p::answer_handshake(*request, supported_protocols, formats);
    if (answer.error) {
        // HS-008: the error response, then the end, without a Close message.
        log_event("HS-004..006", identity_.connection_id, *answer.error);
        write(shared_bytes(p::write_handshake_response(answer)));
        close_transport();
        teardown();
        return;
    }
    protocol_ = p::find_protocol(request->protocol);
    // SR-001/002: on only if negotiate granted it and the client speaks version 2; a
    // version 1 handshake on such a connection silently turns it off.
    if (identity_.stateful_reconnect && request->version >= 2) {
        p::stateful_reconnect_options options;
        options.buffer_size = lifetime_->options().stateful_reconnect_buffer_size;
        reconnect_.emplace(options);
    }
    if (auto sink = sink_.lock()) sink->set_binary(protocol_->format() == p::transfer_format::binary);
    write(shared_bytes(p::write_handshake_response({}))); // HS-007, in the protocol's frame type (WS-007)
    reader_.emplace(*protocol_, violates(violation::oversize_message_accepted)
                                    ? p::no_size_limit
                                    : lifetime_->options().maximum_receive_message_size); // FRAME-010
    state_ = state::connected;
    keep_alive_.on_received(clock::now(), p::received_kind::handshake);
    lifetime_->add(shared_from_this());

    std::string rest = handshake_buffer_.substr(consumed); // HS-013: bytes after the RS are hub messages
    if (violates(violation::handshake_drops_bytes_after_rs)) rest.clear();
    handshake_buffer_.clear();
    handshake_buffer_.shrink_to_fit();

    hub_call call(shared_from_this(), nullptr);
    try {
        lifetime_->definition().connected(call);
    } catch (...) {
        // ERR-008: an OnConnected failure ends the connection without allowReconnect.
        close_with({error_text(p::texts::connection_closed_with_error, std::current_exception()), false}, "ERR-008",
                   "OnConnected threw");
        return;
    }
    if (state_ != state::connected) return;
    if (!rest.empty()) {
        reader_->feed(rest);
        read_messages();
    }
    rearm_timer();
}

void hub_connection::read_messages() {
    auto self = shared_from_this(); // hub code may drop the last other reference
    while (state_ == state::connected) {
        auto next = reader_->next();
        if (!next) {
            if (!next.error().is_need_more()) fail_protocol(next.error());
            break;
        }
        const auto now = clock::now();
        const bool is_ping = std::holds_alternative<p::ping_message>(*next);
        keep_alive_.on_received(now, is_ping ? p::received_kind::ping : p::received_kind::message);
        if (reconnect_) {
            auto received = reconnect_->on_receive(*next, now);
            if (!received) {
                // SR-015: the client names messages we never received.
                close_with({std::string(p::texts::connection_closed_with_error), false}, "SR-015",
                           received.error().to_string());
                break;
            }
            if (received->decision == p::receive_decision::handled) {
                if (std::holds_alternative<p::ack_message>(*next)) send_waiting(); // SR-009, SR-010
                continue;
            }
            if (received->decision != p::receive_decision::dispatch) continue; // SR-006
        }
        dispatch(std::move(*next));
    }
    rearm_timer();
}

void hub_connection::fail_protocol(const p::protocol_error& e) {
    std::string text{p::texts::connection_closed_with_error};
    if (lifetime_->options().enable_detailed_errors) text += " InvalidDataException: " + e.message;
    const std::string_view requirement = e.code == p::error::record_too_large ? "FRAME-010" : "ERR-007";
    close_with({text, true}, requirement, e.to_string());
}

void hub_connection::abort() {
    close_with({std::nullopt, false}, "ERR-009", "Context.Abort()");
}

void hub_connection::close(p::close_message close, std::string_view why) {
    close_with(std::move(close), "CTL", why);
}

const transport_sink* hub_connection::drop_transport() {
    auto sink = sink_.lock();
    if (!sink) return nullptr;
    log_event("CTL", identity_.connection_id, "control API: transport dropped");
    delayed_.clear(); // what the delay still held is lost with the network
    delayed_timer_.cancel();
    sink->drop();
    return sink.get();
}

void hub_connection::close_with(p::close_message close, std::string_view requirement, std::string_view why) {
    if (state_ == state::closed) return;
    log_event(requirement, identity_.connection_id, std::string("closing: ") + std::string(why));
    if (state_ == state::connected) send_message(close); // MSG-074
    close_transport();
    teardown();
}

void hub_connection::on_transport_closed(transport_end how) {
    if (state_ == state::closed || transport_lost_) return;
    // SR-003, SR-011: only a WebSocket resumes, and only after an ungraceful end.
    if (how == transport_end::ungraceful && reconnect_ && state_ == state::connected &&
        reconnect_->state() == p::link_state::connected && identity_.transport == p::transport_type::websockets) {
        log_event("SR-012", identity_.connection_id, "transport lost: waiting for a stateful reconnect");
        transport_lost_ = true;
        sink_.reset();
        delayed_.clear(); // lost with the transport; tracked records come back by replay (SR-013)
        delayed_timer_.cancel();
        reconnect_->on_transport_lost();
        keep_alive_.on_transport_lost();
        timer_.cancel();
        timer_deadline_.reset();
        return;
    }
    delayed_.clear(); // the transport is gone: nothing held can reach it
    delayed_timer_.cancel();
    if (reader_) {
        if (auto finished = reader_->finish(); !finished) {
            log_event("FRAME-011", identity_.connection_id, std::string(p::texts::terminated_while_reading));
        }
    }
    teardown();
}

bool hub_connection::resume(std::weak_ptr<transport_sink> sink) {
    if (state_ != state::connected || !reconnect_ || reconnect_->state() == p::link_state::ended) return false;
    auto fresh = sink.lock();
    if (!fresh) return false;
    if (auto previous = sink_.lock(); previous && previous != fresh) {
        log_event("SR-019", identity_.connection_id, "a new WebSocket replaces the active one");
        previous->abandon();
    }
    reconnect_->on_transport_lost(); // no-op when the loss was seen already
    auto plan = reconnect_->resume(*protocol_);
    if (!plan) return false;
    transport_lost_ = false;
    sink_ = std::move(sink);
    delayed_.clear(); // meant for the old transport: Sequence goes first (SR-013), the replay covers them
    delayed_timer_.cancel();
    fresh->set_binary(protocol_->format() == p::transfer_format::binary);
    // SR-013/014: Sequence first, then every un-acked message, in one write.
    std::string replay;
    for (const auto& record : plan->records)
        replay += record;
    log_event("SR-013", identity_.connection_id,
              "resumed: Sequence(" + std::to_string(plan->sequence.sequence_id) + ") and " +
                  std::to_string(plan->records.size() - 1) + " replayed message(s)");
    write(shared_bytes(std::move(replay)));
    keep_alive_.on_transport_resumed(clock::now());
    send_waiting();
    rearm_timer();
    return true;
}

void hub_connection::expire() {
    if (state_ == state::closed) return;
    log_event("SR-012", identity_.connection_id, "no reconnect within the disconnect timeout: connection ends");
    transport_lost_ = false;
    if (reconnect_) reconnect_->end();
    teardown();
}

void hub_connection::teardown() {
    const bool was_connected = state_ == state::connected;
    state_ = state::closed;
    transport_lost_ = false;
    waiting_for_ack_.clear();
    timer_.cancel();
    timer_deadline_.reset();
    auto self = shared_from_this();
    if (was_connected) lifetime_->remove(*this);

    // Streams end silently: the transport is gone.
    auto streams = std::move(streams_);
    streams_.clear();
    for (auto& [id, stream] : streams) {
        stream->done = true;
        for (auto& callback : std::exchange(stream->on_cancel, {}))
            guarded("stream cancel callback", callback);
    }
    auto uploads = std::move(uploads_);
    uploads_.clear();
    for (auto& [id, upload] : uploads)
        end_upload(upload, std::string(p::texts::invocation_canceled_connection_closed));

    // CR-007: whoever awaits this connection's answer learns it is gone.
    auto results = std::move(client_results_);
    client_results_.clear();
    for (auto& [id, on_result] : results) {
        guarded("client result callback", [&] {
            on_result({std::nullopt, "Connection '" + identity_.connection_id + "' disconnected."});
        });
    }
    if (was_connected) {
        hub_call call(self, nullptr);
        guarded("OnDisconnected", [&] { lifetime_->definition().disconnected(call); });
    }
}

void hub_connection::send_message(const p::hub_message& message) {
    if (state_ == state::closed || protocol_ == nullptr) return;
    send_record(message, shared_bytes(protocol_->encode(message)));
}

void hub_connection::send_encoded(const std::shared_ptr<const std::string>& records) {
    if (state_ != state::connected) return;
    // Broadcasts are Invocations (GRP-001): tracked; the buffer only looks at the type.
    static const p::hub_message broadcast_kind = p::invocation_message{};
    send_record(broadcast_kind, records);
}

void hub_connection::send_record(const p::hub_message& message, std::shared_ptr<const std::string> record) {
    if (!reconnect_) {
        write(std::move(record));
        return;
    }
    const bool tracked = p::is_sequence_tracked(message);
    if (tracked && !waiting_for_ack_.empty()) {
        waiting_for_ack_.push_back(std::move(record)); // keep the order behind earlier waiters
        return;
    }
    switch (reconnect_->on_send(message, *record).decision) {
    case p::send_decision::send: write(std::move(record)); break;
    case p::send_decision::wait_for_ack:
        log_event("SR-010", identity_.connection_id, "replay buffer full: sends wait for an Ack");
        waiting_for_ack_.push_back(std::move(record));
        break;
    case p::send_decision::held_for_resume: break; // numbered and buffered: resume() sends it (SR-013)
    case p::send_decision::discard: break;
    }
}

void hub_connection::send_waiting() {
    static const p::hub_message tracked_kind = p::invocation_message{};
    while (reconnect_ && !waiting_for_ack_.empty()) {
        const auto decision = reconnect_->on_send(tracked_kind, *waiting_for_ack_.front()).decision;
        if (decision == p::send_decision::wait_for_ack) return;
        auto record = std::move(waiting_for_ack_.front());
        waiting_for_ack_.pop_front();
        if (decision == p::send_decision::send) write(std::move(record));
    }
}

void hub_connection::write(std::shared_ptr<const std::string> records) {
    const auto now = clock::now();
    const auto delay = lifetime_->faults().delay();
    if (delay.count() > 0 || !delayed_.empty()) {
        // Never before what is already waiting: the delay keeps the order.
        auto due = now + delay;
        if (!delayed_.empty() && delayed_.back().due > due) due = delayed_.back().due;
        delayed_.push_back({due, std::move(records)});
        if (delayed_.size() == 1) arm_delayed();
        keep_alive_.on_sent(now);
        return;
    }
    auto sink = sink_.lock();
    if (!sink) return;
    sink->send(std::move(records));
    keep_alive_.on_sent(now);
}

void hub_connection::close_transport() {
    if (!delayed_.empty()) {
        delayed_.push_back({delayed_.back().due, nullptr}); // after what the delay holds
        return;
    }
    if (auto sink = sink_.lock()) sink->close();
}

void hub_connection::arm_delayed() {
    const auto wait = std::chrono::ceil<std::chrono::milliseconds>(delayed_.front().due - clock::now());
    // Strong: a Close held by the delay must still go out after teardown.
    delayed_timer_ = lifetime_->timers().after(std::max(wait, std::chrono::milliseconds{0}),
                                               [self = shared_from_this()] { self->flush_delayed(); });
}

void hub_connection::flush_delayed() {
    const auto now = clock::now();
    auto sink = sink_.lock();
    while (!delayed_.empty() && delayed_.front().due <= now) {
        auto item = std::move(delayed_.front());
        delayed_.pop_front();
        if (!sink) continue;
        if (item.records) {
            sink->send(std::move(item.records));
        } else {
            sink->close();
        }
    }
    if (!delayed_.empty()) arm_delayed();
}

void hub_connection::invoke_client(std::string_view method, std::vector<value> arguments,
                                   std::function<void(client_result)> on_result) {
    static std::atomic<std::uint64_t> counter{0}; // process-wide, as on .NET (MSG-017)
    if (state_ != state::connected) {
        on_result({std::nullopt, "Connection '" + identity_.connection_id + "' disconnected."});
        return;
    }
    std::string id = (violates(violation::client_result_ids_unprefixed) ? "" : "s") + std::to_string(++counter);
    client_results_.emplace(id, std::move(on_result));
    send_message(p::invocation_message{{}, id, std::string(method), std::move(arguments), {}});
}

void hub_connection::rearm_timer() {
    if (state_ == state::closed) return;
    auto deadline = keep_alive_.next_deadline();
    if (reconnect_) {
        if (const auto ack = reconnect_->next_ack_deadline(); ack && (!deadline || *ack < *deadline)) deadline = ack;
    }
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
    if (state_ == state::closed) return;
    const auto now = clock::now();
    if (reconnect_) {
        // A timer armed for the Ack deadline means the Ack is due, however the scheduler keeps time.
        auto ack_now = now;
        if (const auto due = reconnect_->next_ack_deadline(); due && fired_for && *due <= *fired_for) {
            ack_now = std::max(now, *due);
        }
        if (auto ack = reconnect_->poll_ack(ack_now); ack && !violates(violation::stateful_no_ack)) {
            send_message(*ack); // SR-008
        }
        if (state_ == state::closed) return;
    }
    const auto due = keep_alive_.poll(now);
    switch (due.action) {
    case p::keep_alive_action::none: break;
    case p::keep_alive_action::send_ping:
        if (lifetime_->faults().pings && !violates(violation::no_pings))
            send_message(p::ping_message{}); // the control API may stall them
        break;
    case p::keep_alive_action::handshake_timeout:
        log_event("HS-009", identity_.connection_id, "no handshake request in time");
        if (state_ == state::handshaking) {
            if (!violates(violation::handshake_timeout_silent)) { // HS-009
                write(shared_bytes(p::write_handshake_response({std::string(p::texts::handshake_canceled)})));
            }
            close_transport();
            teardown();
        }
        return;
    case p::keep_alive_action::peer_timeout: {
        std::string text{p::texts::connection_closed_with_error};
        if (lifetime_->options().enable_detailed_errors) {
            text += " OperationCanceledException: Client hasn't sent a message/ping within the configured "
                    "ClientTimeoutInterval.";
        }
        close_with({text, !violates(violation::client_timeout_without_reconnect)}, "KA-004", "client timeout");
        return;
    }
    }
    rearm_timer();
}

} // namespace hubspec::server::detail
