#include "transport_writer.hpp"

#include <algorithm>

namespace hubspec::server::detail {

transport_writer::transport_writer(std::shared_ptr<hub_lifetime> lifetime, std::weak_ptr<transport_sink> sink)
    : lifetime_(std::move(lifetime)), sink_(std::move(sink)) {}

void transport_writer::attach(std::weak_ptr<transport_sink> sink) {
    discard();
    sink_ = std::move(sink);
}

void transport_writer::detach() {
    discard();
    sink_.reset();
}

void transport_writer::discard() {
    delayed_.clear();
    delayed_timer_.cancel();
}

void transport_writer::write(std::shared_ptr<const std::string> records) {
    const auto now = clock::now();
    const auto delay = lifetime_->faults().delay();
    if (delay.count() > 0 || !delayed_.empty()) {
        // Never before what is already waiting: the delay keeps the order.
        auto due = now + delay;
        if (!delayed_.empty() && delayed_.back().due > due) due = delayed_.back().due;
        delayed_.push_back({due, std::move(records)});
        if (delayed_.size() == 1) arm_delayed();
        return;
    }
    auto sink = sink_.lock();
    if (!sink) return;
    sink->send(std::move(records));
}

void transport_writer::close() {
    if (!delayed_.empty()) {
        delayed_.push_back({delayed_.back().due, nullptr}); // after what the delay holds
        return;
    }
    if (auto sink = sink_.lock()) sink->close();
}

void transport_writer::arm_delayed() {
    const auto wait = std::chrono::ceil<std::chrono::milliseconds>(delayed_.front().due - clock::now());
    // Strong: a Close held by the delay must still go out after the connection's teardown.
    delayed_timer_ = lifetime_->timers().after(std::max(wait, std::chrono::milliseconds{0}),
                                               [self = shared_from_this()] { self->flush_delayed(); });
}

void transport_writer::flush_delayed() {
    const auto now = clock::now();
    auto sink = sink_.lock();
    while (!delayed_.empty() && delayed_.front().due <= now) {
        auto item = std::move(delayed_.front());
        delayed_.pop_front();
        if (!sink) continue;
        if (item.records) {
            sink->send(std::move(item.records));
        } else {
            sink->close();
        }
    }
    if (!delayed_.empty()) arm_delayed();
}

} // namespace hubspec::server::detail
