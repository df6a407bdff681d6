#include "load/connection_set.hpp"

#include "load/pacer.hpp"

#include <condition_variable>
#include <mutex>

namespace hubspec::harness::load {

std::string describe(std::exception_ptr error) {
    try {
        if (error) std::rethrow_exception(error);
    } catch (const std::exception& e) {
        return e.what();
    } catch (...) {}
    return "unknown error";
}

void connection_set::open(std::size_t n, double rate, load_window& window, clock::time_point limit,
                          const prepare_callback& prepare) {
    pace(window, rate, n, [&](std::uint64_t, clock::time_point due) {
        auto& m = *members_.emplace_back(std::make_unique<member>(options_));
        if (prepare) prepare(m.connection);
        window.began();
        // The window and the member outlive the start: open() waits for it, close_all() joins it.
        m.connection.start_async([&window, &m, due](std::exception_ptr error) {
            if (error) {
                window.failed("connect: " + describe(error));
            } else {
                m.up = true;
                window.succeeded(clock::now() - due);
            }
            window.ended();
        });
    });
    window.wait_idle(limit);
}

std::vector<client::hub_connection*> connection_set::connected() const {
    std::vector<client::hub_connection*> out;
    for (const auto& m : members_)
        if (m->up) out.push_back(&m->connection);
    return out;
}

void connection_set::close_all() {
    if (members_.empty()) return;
    struct stop_count {
        std::mutex mutex;
        std::condition_variable all_stopped;
        std::size_t pending = 0;
    };
    auto count = std::make_shared<stop_count>();
    count->pending = members_.size();
    for (auto& m : members_) {
        m->connection.stop_async([count] {
            std::lock_guard lock(count->mutex);
            if (--count->pending == 0) count->all_stopped.notify_all();
        });
    }
    std::unique_lock lock(count->mutex);
    count->all_stopped.wait_for(lock, std::chrono::seconds(10), [&] { return count->pending == 0; });
    lock.unlock();
    members_.clear(); // each destructor joins its connection's threads
}

} // namespace hubspec::harness::load
