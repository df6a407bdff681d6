#pragma once
// One period of load (the warm-up, or the measured window): what may still start in it (a
// deadline and a count), what is in flight, and what came of it. Operations start on one
// thread and end on the connections' dispatcher threads, so every member is thread-safe.
// After close() late answers are no longer counted.

#include "load/latency_histogram.hpp"

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <string>
#include <string_view>

namespace hubspec::harness::load {

class load_window {
public:
    using clock = std::chrono::steady_clock;

    /// `count_limit` 0: bounded by `length` only.
    load_window(std::string label, clock::duration length, std::uint64_t count_limit);

    const std::string& label() const noexcept { return label_; }
    /// Starts the clock: the deadline is `length` from now.
    void open();
    /// Whether open() was called: start() and deadline() mean something (any thread).
    bool is_open() const noexcept { return opened_.load(std::memory_order_acquire); }
    clock::time_point start() const noexcept { return start_; }
    clock::time_point deadline() const noexcept { return deadline_; }

    /// Whether one more operation may begin at `at`: not past the deadline, count not used up.
    bool take_ticket(clock::time_point at);
    /// An operation was sent; ended() follows once its answer (or its failure) came.
    void began();
    void ended();
    /// One unit of work done (an answer, a delivery, a connection) taking `latency`.
    void succeeded(clock::duration latency);
    /// Units that carry no latency of their own (stream items).
    void add_items(std::uint64_t n);
    /// `n` operations failed; the first text is kept.
    void failed(std::string_view text, std::uint64_t n = 1);
    /// How many successes the window should end with (broadcast: sends × receivers); a shortfall is lost.
    void expect(std::uint64_t successes) noexcept { expected_ = successes; }
    void close() noexcept { closed_ = true; }

    /// Waits until nothing is in flight, or `limit`; whether nothing is.
    bool wait_idle(clock::time_point limit);
    /// Waits until `target` operations succeeded, or `limit`; whether they did.
    bool wait_completed(std::uint64_t target, clock::time_point limit);

    std::uint64_t sent() const noexcept { return sent_; }
    std::uint64_t completed() const noexcept { return completed_; }
    std::uint64_t items() const noexcept { return items_; }
    std::uint64_t errors() const noexcept { return errors_; }
    std::uint64_t in_flight() const noexcept { return in_flight_; }
    std::uint64_t expected() const noexcept { return expected_; }
    std::uint64_t lost() const noexcept { return expected_ > completed_ ? expected_ - completed_ : 0; }
    std::string first_error() const;
    latency_histogram latency() const;
    /// From open() to the last success (or now, before any): the window's measured time.
    clock::duration elapsed() const;

private:
    std::string label_;
    clock::duration length_;
    std::uint64_t count_limit_;
    clock::time_point start_{};
    clock::time_point deadline_{};

    std::atomic<std::uint64_t> tickets_{0};
    std::atomic<std::uint64_t> sent_{0};
    std::atomic<std::uint64_t> completed_{0};
    std::atomic<std::uint64_t> items_{0};
    std::atomic<std::uint64_t> errors_{0};
    std::atomic<std::uint64_t> in_flight_{0};
    std::atomic<std::uint64_t> completed_target_{UINT64_MAX};
    std::atomic<std::uint64_t> expected_{0};
    std::atomic<bool> opened_{false};
    std::atomic<bool> closed_{false};

    mutable std::mutex mutex_; // guards what follows
    std::condition_variable changed_;
    latency_histogram latency_;
    std::string first_error_;
    clock::time_point last_success_{};
};

} // namespace hubspec::harness::load
