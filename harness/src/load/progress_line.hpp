#pragma once
// A line on stderr about once a second while a window runs: what was sent and received, the
// errors, and the rate over the last second, so that a long run is seen to be alive.

#include "load/load_window.hpp"

#include <atomic>
#include <condition_variable>
#include <iosfwd>
#include <mutex>
#include <thread>

namespace hubspec::harness::load {

class progress_line {
public:
    explicit progress_line(std::ostream& err);
    ~progress_line();
    progress_line(const progress_line&) = delete;
    progress_line& operator=(const progress_line&) = delete;

    /// Reports on `window` from now on (nullptr: nothing). It must outlive the watch.
    void watch(const load_window* window);

private:
    void loop();

    std::ostream& err_;
    std::mutex mutex_;
    std::condition_variable stop_;
    bool stopping_ = false;
    const load_window* window_ = nullptr;
    std::thread thread_;
};

} // namespace hubspec::harness::load
