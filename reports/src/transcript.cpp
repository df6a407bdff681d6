#include "hubspec/reports/transcript.hpp"

namespace hubspec::harness {

transcript::transcript(std::chrono::steady_clock::time_point start) : start_(start) {}

void transcript::add(transcript_direction direction, std::string actor, std::string kind, std::string text,
                     std::string bytes) {
    // The time is taken under the lock so that entries stay in time order.
    std::lock_guard lock(mutex_);
    if (secrets_) {
        text = secrets_->redact(std::move(text));
        bytes = secrets_->redact(std::move(bytes));
    }
    const auto at = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - start_);
    entries_.push_back({at, direction, std::move(actor), std::move(kind), std::move(text), std::move(bytes)});
}

void transcript::redact_with(std::shared_ptr<const secret_list> secrets) {
    std::lock_guard lock(mutex_);
    secrets_ = std::move(secrets);
}

std::vector<transcript_entry> transcript::entries() const {
    std::lock_guard lock(mutex_);
    return entries_;
}

std::string_view to_string(transcript_direction d) noexcept {
    switch (d) {
    case transcript_direction::sent: return "sent";
    case transcript_direction::received: return "received";
    case transcript_direction::note: return "note";
    }
    return "note";
}

} // namespace hubspec::harness
