#pragma once
// Timers for hub code and connections, without Asio in sight: the Beast adapter
// implements this with steady_timers on the I/O thread.

#include "hubspec/server/hub_context.hpp"

#include <chrono>
#include <functional>

namespace hubspec::server::detail {

class scheduler {
public:
    virtual ~scheduler() = default;
    /// Runs `callback` on the I/O thread after `delay` unless the handle cancels it first.
    virtual timer_handle after(std::chrono::milliseconds delay, std::function<void()> callback) = 0;

protected:
    scheduler() = default;
    scheduler(const scheduler&) = default;
    scheduler& operator=(const scheduler&) = default;
};

} // namespace hubspec::server::detail
