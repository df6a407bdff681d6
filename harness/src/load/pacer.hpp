#pragma once
// Open-loop pacing: the i-th operation is due at the window's start + i / rate, whatever became
// of the earlier ones. One that is late goes at once and keeps its due time, so its latency is
// counted from when it should have gone: a target that falls behind shows as queueing, not as
// fewer calls (no coordinated omission).

#include "load/load_window.hpp"

#include <chrono>
#include <cstdint>
#include <thread>

namespace hubspec::harness::load {

/// Calls `start_one(index, due)` for each operation due before the window's deadline, within its
/// count and `max_operations`; at `rate` per second, or all at once when it is 0. Returns how many.
template <class StartOne>
std::uint64_t pace(load_window& window, double rate, std::uint64_t max_operations, StartOne&& start_one) {
    using clock = load_window::clock;
    std::uint64_t index = 0;
    for (; index < max_operations; ++index) {
        const auto due = rate > 0
                             ? window.start() + std::chrono::duration_cast<clock::duration>(
                                                    std::chrono::duration<double>(static_cast<double>(index) / rate))
                             : clock::now();
        if (!window.take_ticket(due)) break;
        std::this_thread::sleep_until(due);
        start_one(index, due);
    }
    return index;
}

} // namespace hubspec::harness::load
