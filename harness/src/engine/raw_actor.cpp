#include "engine/raw_actor.hpp"

#include "engine/handshake_defect.hpp"
#include "engine/payload_text.hpp"

#include <hubspec/protocol/framing.hpp>
#include <hubspec/protocol/handshake.hpp>

namespace hubspec::harness::detail {

raw_actor::raw_actor(std::string name, const protocol::hub_protocol& protocol, transcript& log)
    : name_(std::move(name)), protocol_(protocol), log_(log), reader_(protocol), alignment_(protocol) {}

raw_actor::~raw_actor() = default;

void raw_actor::deliver(std::string_view bytes) {
    // A flood (a stalled reader catching up) must not swell the reports: its start is evidence enough.
    constexpr std::size_t shown_bytes = 64 * 1024;
    if (bytes.size() <= shown_bytes) {
        log_.add(transcript_direction::received, name_, "data", describe_payload(bytes, protocol_), std::string(bytes));
    } else {
        log_.add(transcript_direction::received, name_, "data",
                 std::to_string(bytes.size()) + " bytes; the first " + std::to_string(shown_bytes) + " are kept",
                 std::string(bytes.substr(0, shown_bytes)));
    }
    std::lock_guard lock(mutex_);
    if (handshake_pending_) {
        handshake_buffer_.append(bytes);
        auto record = protocol::next_json_record(handshake_buffer_);
        if (record) {
            handshake_pending_ = false;
            handshake_reply_ = std::string(record->body);
            const auto rest = std::string_view(handshake_buffer_).substr(record->consumed);
            reader_.feed(rest);
            alignment_.feed(rest);
            handshake_buffer_.clear();
        }
    } else {
        reader_.feed(bytes);
        alignment_.feed(bytes);
    }
    changed_.notify_all();
}

void raw_actor::message_ended(std::string_view requirement, std::string_view what) {
    std::lock_guard lock(mutex_);
    const auto nth = ++messages_;
    if (defect_ || alignment_unreadable_) return;
    std::size_t partial = 0;
    if (handshake_pending_) {
        partial = handshake_buffer_.size(); // the handshake response is a record too
    } else {
        for (;;) {
            auto message = alignment_.next();
            if (message) continue;
            if (!message.error().is_need_more()) alignment_unreadable_ = true; // the steps report those bytes
            break;
        }
        if (!alignment_unreadable_) partial = alignment_.buffered();
    }
    if (partial == 0) return;
    if (handshake_pending_) {
        if (auto seen = handshake_without_separator(handshake_buffer_)) { // not a split record: a missing RS
            defect_ = wire_defect{"HS-007", "the handshake response `{}` followed by the record separator",
                                  "the handshake response " + *seen};
            log_.add(transcript_direction::note, name_, "wire-defect", "HS-007: " + defect_->seen);
            return;
        }
    }
    defect_ = wire_defect{std::string(requirement), "every " + std::string(what) + " ends on a record boundary",
                          std::string(what) + " " + std::to_string(nth) + " ended inside a record (" +
                              std::to_string(partial) + " bytes of it, the rest in the next)"};
    log_.add(transcript_direction::note, name_, "wire-defect", std::string(requirement) + ": " + defect_->seen);
}

std::optional<wire_defect> raw_actor::defect() const {
    std::lock_guard lock(mutex_);
    return defect_;
}

void raw_actor::send_repeated(const std::string& bytes, int times) {
    if (times <= 0) return;
    send(bytes);
    if (times == 1) return;
    log_sent_payloads_ = false;
    try {
        for (int i = 1; i < times; ++i)
            send(bytes);
    } catch (...) {
        log_sent_payloads_ = true;
        throw;
    }
    log_sent_payloads_ = true;
    log_.add(transcript_direction::sent, name_, "data",
             "the same " + std::to_string(bytes.size()) + " bytes " + std::to_string(times - 1) + " more times");
}

void raw_actor::deliver_closed(std::string how) {
    log_.add(transcript_direction::note, name_, "transport-close", how);
    std::lock_guard lock(mutex_);
    if (!closed_) closed_ = std::move(how);
    changed_.notify_all();
}

raw_event raw_actor::next(std::chrono::steady_clock::time_point deadline) {
    std::unique_lock lock(mutex_);
    for (;;) {
        if (handshake_reply_) {
            raw_handshake reply{std::move(*handshake_reply_)};
            handshake_reply_.reset();
            return reply;
        }
        if (!handshake_pending_) {
            auto message = reader_.next();
            if (message) return std::move(*message);
            if (!message.error().is_need_more()) return raw_bad_bytes{message.error().to_string()};
        }
        if (closed_) return raw_closed{*closed_};
        if (changed_.wait_until(lock, deadline) == std::cv_status::timeout) {
            if (!handshake_pending_) {
                auto message = reader_.next();
                if (message) return std::move(*message);
            }
            return closed_ ? raw_event{raw_closed{*closed_}} : raw_event{raw_timeout{}};
        }
    }
}

} // namespace hubspec::harness::detail
