#pragma once
// An io_context run on a thread of its own. Each raw transport owns one, so a slow
// or vanished server stalls only the cell that talks to it. Included by the raw
// transports' .cpp files only: Asio stays out of widely included headers.

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>

#include <thread>

namespace hubspec::harness::detail {

class io_thread {
public:
    io_thread() : work_(boost::asio::make_work_guard(io_)) {
        thread_ = std::thread([this] {
            try {
                io_.run();
            } catch (...) {
                // A throwing handler ends the loop; every wait on it is bounded.
            }
        });
    }
    ~io_thread() { stop(); }
    io_thread(const io_thread&) = delete;
    io_thread& operator=(const io_thread&) = delete;

    /// Stops the loop and joins it; pending handlers are dropped unrun. Owners call it
    /// first in their destructor, so that no handler outlives the members it uses.
    void stop() {
        io_.stop();
        if (thread_.joinable()) thread_.join();
    }

    boost::asio::io_context& context() noexcept { return io_; }

private:
    boost::asio::io_context io_;
    boost::asio::executor_work_guard<boost::asio::io_context::executor_type> work_;
    std::thread thread_;
};

} // namespace hubspec::harness::detail
