#pragma once
// Timers for tests: they run when the test says so, whatever their delay.

#include "scheduler.hpp"

#include <chrono>
#include <functional>
#include <memory>
#include <vector>

namespace hubspec::server::testing {

/// Runs timers when the test says so, ignoring their delays.
class manual_scheduler final : public hubspec::server::detail::scheduler {
public:
    timer_handle after(std::chrono::milliseconds delay, std::function<void()> callback) override {
        auto cancelled = std::make_shared<bool>(false);
        pending_.push_back({delay, std::move(callback), cancelled});
        return timer_handle([cancelled] { *cancelled = true; });
    }
    /// Runs every timer armed so far (not ones they arm).
    void fire_all() {
        auto due = std::move(pending_);
        pending_.clear();
        for (auto& t : due) {
            if (!*t.cancelled) t.callback();
        }
    }
    bool has_pending() const {
        for (const auto& t : pending_) {
            if (!*t.cancelled) return true;
        }
        return false;
    }

private:
    struct entry {
        std::chrono::milliseconds delay;
        std::function<void()> callback;
        std::shared_ptr<bool> cancelled;
    };
    std::vector<entry> pending_;
};

} // namespace hubspec::server::testing
