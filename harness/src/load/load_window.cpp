#include "load/load_window.hpp"

namespace hubspec::harness::load {

load_window::load_window(std::string label, clock::duration length, std::uint64_t count_limit)
    : label_(std::move(label)), length_(length), count_limit_(count_limit) {}

void load_window::open() {
    start_ = clock::now();
    deadline_ = start_ + length_;
    opened_.store(true, std::memory_order_release);
}

bool load_window::take_ticket(clock::time_point at) {
    if (at >= deadline_) return false;
    return count_limit_ == 0 || tickets_.fetch_add(1) < count_limit_;
}

void load_window::began() {
    ++sent_;
    ++in_flight_;
}

void load_window::ended() {
    if (--in_flight_ == 0) {
        std::lock_guard lock(mutex_); // so that a waiter between its check and its wait hears this
        changed_.notify_all();
    }
}

void load_window::succeeded(clock::duration latency) {
    if (closed_) return;
    const auto now = clock::now();
    const auto micros = std::chrono::duration_cast<std::chrono::microseconds>(latency).count();
    std::lock_guard lock(mutex_);
    latency_.record(static_cast<std::uint64_t>(micros < 0 ? 0 : micros));
    last_success_ = now;
    if (++completed_ >= completed_target_) changed_.notify_all();
}

void load_window::add_items(std::uint64_t n) {
    if (!closed_) items_ += n;
}

void load_window::failed(std::string_view text, std::uint64_t n) {
    if (closed_) return;
    errors_ += n;
    std::lock_guard lock(mutex_);
    if (first_error_.empty()) first_error_ = std::string(text);
}

bool load_window::wait_idle(clock::time_point limit) {
    std::unique_lock lock(mutex_);
    return changed_.wait_until(lock, limit, [this] { return in_flight_ == 0; });
}

bool load_window::wait_completed(std::uint64_t target, clock::time_point limit) {
    std::unique_lock lock(mutex_);
    completed_target_ = target;
    return changed_.wait_until(lock, limit, [&] { return completed_ >= target; });
}

std::string load_window::first_error() const {
    std::lock_guard lock(mutex_);
    return first_error_;
}

latency_histogram load_window::latency() const {
    std::lock_guard lock(mutex_);
    return latency_;
}

load_window::clock::duration load_window::elapsed() const {
    std::lock_guard lock(mutex_);
    return (last_success_ == clock::time_point{} ? clock::now() : last_success_) - start_;
}

} // namespace hubspec::harness::load
