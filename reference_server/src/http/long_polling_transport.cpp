#include "long_polling_transport.hpp"

#include "log.hpp"

namespace hubspec::server::detail {

header_list no_cache_headers() {
    return {
        {"Cache-Control", "no-cache, no-store"}, {"Pragma", "no-cache"}, {"Expires", "Thu, 01 Jan 1970 00:00:00 GMT"}};
}

http_reply poll_reply_with_data(std::string body) {
    return {200, "application/octet-stream", std::move(body), no_cache_headers()}; // LP-005
}

http_reply poll_reply_timed_out() {
    return {200, "text/plain", "", no_cache_headers()};
} // LP-006

http_reply poll_reply_no_content() {
    return {204, "text/plain", "", no_cache_headers()};
} // LP-008, LP-009

void long_polling_transport::send(std::shared_ptr<const std::string> records) {
    if (closing_ || finished_) return;
    buffer_.append(*records);
    if (pending_) complete(poll_reply_with_data(std::exchange(buffer_, {})));
}

void long_polling_transport::close() {
    if (closing_) return;
    closing_ = true;
    if (!pending_) return;
    // LP-009: the data first, the 204 on the next poll.
    if (!buffer_.empty()) {
        complete(poll_reply_with_data(std::exchange(buffer_, {})));
    } else {
        finished_ = true;
        complete(poll_reply_no_content());
    }
}

std::shared_ptr<deferred_reply> long_polling_transport::poll() {
    if (pending_) {
        log_event("LP-008", "-", "a newer poll ends the pending one with 204");
        auto superseded = poll_reply_no_content();
        hooks_.transport_reply(transport_response::poll_superseded, superseded);
        complete(std::move(superseded));
    }
    pending_ = std::make_shared<deferred_reply>();
    auto reply = pending_;
    if (finished_ || (closing_ && buffer_.empty())) {
        finished_ = true;
        complete(poll_reply_no_content());
    } else if (!buffer_.empty()) {
        complete(poll_reply_with_data(std::exchange(buffer_, {})));
    } else {
        std::weak_ptr<long_polling_transport> weak = weak_from_this();
        std::weak_ptr<deferred_reply> this_poll = pending_;
        poll_timer_ = timers_.after(poll_timeout_, [weak, this_poll] {
            auto self = weak.lock();
            if (self && self->pending_ && self->pending_ == this_poll.lock()) {
                auto timed_out = poll_reply_timed_out(); // LP-006
                self->hooks_.transport_reply(transport_response::poll_timed_out, timed_out);
                self->complete(std::move(timed_out));
            }
        });
        // A client that gives up on its poll (the TS client re-polls after its own HTTP timeout, LP-010)
        // must not have the next messages written to the socket it closed: they wait for its next poll.
        pending_->on_abandoned([weak, this_poll] {
            auto self = weak.lock();
            if (!self || !self->pending_ || self->pending_ != this_poll.lock()) return;
            log_event("LP-005", "-", "the client closed its pending poll: what comes waits for the next one");
            self->poll_timer_.cancel();
            self->pending_.reset();
            self->idle_since_ = clock::now(); // LP-011: the disconnect timeout runs from here
        });
    }
    return reply;
}

void long_polling_transport::terminate() {
    closing_ = true;
    finished_ = true;
    buffer_.clear();
    if (pending_) complete(poll_reply_no_content());
}

void long_polling_transport::drop() {
    closing_ = true;
    finished_ = true;
    buffer_.clear();
    if (pending_) complete(http_reply::drop_connection());
}

std::optional<long_polling_transport::clock::time_point> long_polling_transport::idle_since() const noexcept {
    if (pending_) return std::nullopt;
    return idle_since_;
}

void long_polling_transport::complete(http_reply reply) {
    poll_timer_.cancel();
    auto poll = std::move(pending_);
    pending_.reset();
    idle_since_ = clock::now();
    hooks_.transport_reply(transport_response::poll, reply);
    poll->fulfil(std::move(reply));
}

} // namespace hubspec::server::detail
