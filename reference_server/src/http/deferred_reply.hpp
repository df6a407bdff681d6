#pragma once
// An HTTP reply that is decided later: a long poll waits for data, its timeout,
// a newer poll or the end of the connection (LP-005..LP-009). The router hands
// it to the Beast adapter, which writes the reply whenever it is fulfilled.
// Hub strand only, but for done(), which the adapter's socket watch may ask.

#include "endpoint_types.hpp"

#include <atomic>
#include <functional>
#include <optional>
#include <utility>

namespace hubspec::server::detail {

class deferred_reply {
public:
    /// The first call decides; later calls are ignored.
    void fulfil(http_reply reply) {
        if (done_) return;
        done_ = true;
        if (on_ready_) {
            auto callback = std::move(on_ready_);
            on_ready_ = nullptr;
            callback(std::move(reply));
        } else {
            ready_ = std::move(reply);
        }
    }

    /// Runs `callback` with the reply, now if it is already decided.
    void on_ready(std::function<void(http_reply)> callback) {
        if (ready_) {
            auto reply = std::move(*ready_);
            ready_.reset();
            callback(std::move(reply));
        } else {
            on_ready_ = std::move(callback);
        }
    }

    /// The client went away before the reply was decided (it closed the socket of its poll): the
    /// reply will never be written, so whoever would fulfil it keeps its data (`on_abandoned`).
    void abandon() {
        if (done_) return;
        done_ = true;
        on_ready_ = nullptr;
        if (on_abandoned_) {
            auto callback = std::move(on_abandoned_);
            on_abandoned_ = nullptr;
            callback();
        }
    }
    void on_abandoned(std::function<void()> callback) { on_abandoned_ = std::move(callback); }

    bool done() const noexcept { return done_; }
    /// The decided reply not yet taken by on_ready (tests read it here).
    const std::optional<http_reply>& ready() const noexcept { return ready_; }

private:
    std::atomic<bool> done_{false};
    std::optional<http_reply> ready_;
    std::function<void(http_reply)> on_ready_;
    std::function<void()> on_abandoned_;
};

} // namespace hubspec::server::detail
