#include "load/progress_line.hpp"

#include <cstdio>
#include <ostream>

namespace hubspec::harness::load {

progress_line::progress_line(std::ostream& err) : err_(err), thread_([this] { loop(); }) {}

progress_line::~progress_line() {
    {
        std::lock_guard lock(mutex_);
        stopping_ = true;
    }
    stop_.notify_all();
    thread_.join();
}

void progress_line::watch(const load_window* window) {
    std::lock_guard lock(mutex_);
    window_ = window;
}

void progress_line::loop() {
    std::unique_lock lock(mutex_);
    const load_window* last_window = nullptr;
    std::uint64_t last_completed = 0;
    auto last_time = load_window::clock::now();
    while (!stop_.wait_for(lock, std::chrono::seconds(1), [this] { return stopping_; })) {
        if (!window_ || !window_->is_open()) continue;
        const auto now = load_window::clock::now();
        const auto completed = window_->completed();
        if (window_ != last_window) {
            last_window = window_;
            last_completed = 0;
            last_time = window_->start();
        }
        const auto interval = std::chrono::duration<double>(now - last_time).count();
        const auto rate = interval > 0 ? static_cast<double>(completed - last_completed) / interval : 0.0;
        char line[256];
        std::snprintf(line, sizeof line, "%s %6.1f s  sent %llu  received %llu%s  errors %llu  %.0f/s\n",
                      window_->label().c_str(), std::chrono::duration<double>(now - window_->start()).count(),
                      static_cast<unsigned long long>(window_->sent()), static_cast<unsigned long long>(completed),
                      window_->items() ? ("  items " + std::to_string(window_->items())).c_str() : "",
                      static_cast<unsigned long long>(window_->errors()), rate);
        err_ << line << std::flush;
        last_completed = completed;
        last_time = now;
    }
}

} // namespace hubspec::harness::load
