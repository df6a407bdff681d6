#include "stream_queue.hpp"

#include "hubspec/client/errors.hpp"
#include "hubspec/client/stream_reader.hpp"

namespace hubspec::client {

namespace detail {

void stream_queue::push(protocol::value item) {
    {
        std::lock_guard lock(mutex_);
        if (finished_) return;
        items_.push_back(std::move(item));
    }
    ready_.notify_all();
}

void stream_queue::finish(std::exception_ptr error) {
    {
        std::lock_guard lock(mutex_);
        if (finished_) return;
        finished_ = true;
        error_ = error;
    }
    ready_.notify_all();
}

void stream_queue::cancel() {
    {
        std::lock_guard lock(mutex_);
        items_.clear();
        finished_ = true;
        error_ = nullptr;
    }
    ready_.notify_all();
}

std::optional<protocol::value> stream_queue::pop(std::optional<std::chrono::milliseconds> timeout) {
    std::unique_lock lock(mutex_);
    auto ready = [this] { return !items_.empty() || finished_; };
    if (timeout) {
        if (!ready_.wait_for(lock, *timeout, ready)) throw connection_exception("Timed out waiting for a stream item.");
    } else {
        ready_.wait(lock, ready);
    }
    // Items received before an error are delivered first (ERR-013).
    if (!items_.empty()) {
        auto item = std::move(items_.front());
        items_.pop_front();
        return item;
    }
    if (error_) std::rethrow_exception(error_);
    return std::nullopt;
}

} // namespace detail

void stream_subscription::cancel() {
    if (cancel_) cancel_();
}

stream_reader::stream_reader(std::shared_ptr<detail::stream_queue> queue, stream_subscription subscription)
    : queue_(std::move(queue)), subscription_(std::move(subscription)) {}

std::optional<protocol::value> stream_reader::next() {
    return queue_->pop(std::nullopt);
}

std::optional<protocol::value> stream_reader::next(std::chrono::milliseconds timeout) {
    return queue_->pop(timeout);
}

std::vector<protocol::value> stream_reader::read_all() {
    std::vector<protocol::value> out;
    while (auto item = next())
        out.push_back(std::move(*item));
    return out;
}

void stream_reader::cancel() {
    subscription_.cancel();
    queue_->cancel();
}

} // namespace hubspec::client
