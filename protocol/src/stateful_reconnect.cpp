#include "hubspec/protocol/stateful_reconnect.hpp"

#include "hubspec/protocol/texts.hpp"

#include <string>
#include <utility>
#include <variant>

namespace hubspec::protocol {

bool is_sequence_tracked(std::int64_t type_code) noexcept {
    return type_code >= static_cast<std::int64_t>(message_type::invocation) &&
           type_code <= static_cast<std::int64_t>(message_type::cancel_invocation);
}

bool is_sequence_tracked(const hub_message& message) noexcept {
    // unknown_message carries its own code, which may be 1-5 only if a writer lied: never track it.
    if (std::holds_alternative<unknown_message>(message)) return false;
    return is_sequence_tracked(type_code(message));
}

stateful_reconnect_buffer::stateful_reconnect_buffer(stateful_reconnect_options options) : options_(options) {}

send_result stateful_reconnect_buffer::on_send(const hub_message& message, std::string_view framed) {
    if (state_ == link_state::ended) return {send_decision::discard, 0};
    const bool tracked = is_sequence_tracked(message);
    if (!tracked) {
        if (state_ == link_state::transport_lost) return {send_decision::discard, 0};
        if (std::holds_alternative<close_message>(message)) state_ = link_state::ended;
        return {send_decision::send, 0};
    }
    // Checked before recording, as .NET does: the message that crosses the limit still goes (SR-010).
    if (must_wait_for_ack()) return {send_decision::wait_for_ack, 0};
    ++last_sent_id_;
    buffer_.push_back(entry{last_sent_id_, std::string(framed)});
    buffered_bytes_ += framed.size();
    const auto decision = state_ == link_state::connected ? send_decision::send : send_decision::held_for_resume;
    return {decision, last_sent_id_};
}

result<std::size_t> stateful_reconnect_buffer::on_ack(std::int64_t sequence_id) {
    if (sequence_id > last_sent_id_) {
        return make_protocol_error(error::ack_id_too_high, "Ack for message " + std::to_string(sequence_id) +
                                                               " but only " + std::to_string(last_sent_id_) +
                                                               " were sent.");
    }
    std::size_t dropped = 0;
    while (!buffer_.empty() && buffer_.front().sequence_id <= sequence_id) {
        buffered_bytes_ -= buffer_.front().bytes.size();
        buffer_.pop_front();
        ++dropped;
    }
    return dropped;
}

std::int64_t stateful_reconnect_buffer::resume_sequence_id() const noexcept {
    return buffer_.empty() ? last_sent_id_ + 1 : buffer_.front().sequence_id;
}

result<receive_result> stateful_reconnect_buffer::on_receive(const hub_message& message, time_point now) {
    if (const auto* sequence = std::get_if<sequence_message>(&message)) {
        auto applied = on_sequence(sequence->sequence_id);
        if (!applied) return applied.error();
        return receive_result{receive_decision::handled, 0};
    }
    if (awaiting_sequence_ && options_.gate == resume_gate::until_sequence) {
        return receive_result{receive_decision::drop_awaiting_sequence, 0};
    }
    if (const auto* ack = std::get_if<ack_message>(&message)) {
        auto applied = on_ack(ack->sequence_id);
        if (!applied) return applied.error();
        return receive_result{receive_decision::handled, 0};
    }
    if (!is_sequence_tracked(message)) {
        if (std::holds_alternative<close_message>(message)) end();
        return receive_result{receive_decision::dispatch, 0};
    }
    const std::int64_t id = next_expected_id_++;
    if (!ack_deadline_) ack_deadline_ = now + options_.ack_delay;
    if (id <= latest_received_id_) {
        reack_ = true; // the peer replays what we processed: it never saw our Ack for it
        return receive_result{receive_decision::drop_duplicate, id};
    }
    latest_received_id_ = id;
    return receive_result{receive_decision::dispatch, id};
}

result<void> stateful_reconnect_buffer::on_sequence(std::int64_t sequence_id) {
    // Everything below latest + 1 was processed, so only a larger s means loss. Mid-replay
    // next_expected is lower, and our timer may already have acked latest (SR-015 note).
    if (sequence_id > next_expected_id_ && sequence_id > latest_received_id_ + 1) {
        return make_protocol_error(error::sequence_id_too_high, std::string(texts::sequence_id_too_high));
    }
    next_expected_id_ = sequence_id;
    awaiting_sequence_ = false;
    return {};
}

std::optional<ack_message> stateful_reconnect_buffer::poll_ack(time_point now) {
    if (state_ != link_state::connected || !ack_deadline_ || now < *ack_deadline_) return std::nullopt;
    ack_deadline_.reset();
    const bool grew = latest_received_id_ > last_acked_id_;
    if (!grew && !(reack_ && latest_received_id_ > 0)) return std::nullopt;
    reack_ = false;
    last_acked_id_ = latest_received_id_;
    return ack_message{latest_received_id_};
}

std::optional<stateful_reconnect_buffer::time_point> stateful_reconnect_buffer::next_ack_deadline() const noexcept {
    if (state_ != link_state::connected) return std::nullopt;
    return ack_deadline_;
}

void stateful_reconnect_buffer::on_transport_lost() noexcept {
    if (state_ == link_state::ended) return;
    state_ = link_state::transport_lost;
    awaiting_sequence_ = true;
}

result<resume_plan> stateful_reconnect_buffer::resume(const hub_protocol& protocol) {
    if (state_ == link_state::ended) return make_protocol_error(error::reconnect_after_close);
    resume_plan plan;
    plan.sequence.sequence_id = resume_sequence_id();
    plan.records.reserve(buffer_.size() + 1);
    plan.records.push_back(protocol.encode(plan.sequence));
    for (const auto& e : buffer_)
        plan.records.push_back(e.bytes);
    state_ = link_state::connected;
    return plan;
}

void stateful_reconnect_buffer::end() noexcept {
    state_ = link_state::ended;
    ack_deadline_.reset();
}

} // namespace hubspec::protocol
