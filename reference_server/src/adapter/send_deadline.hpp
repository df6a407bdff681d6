#pragma once
// TransportSendTimeout (KA-011): a write that has not completed in time ends the
// transport, so that a peer which stops reading cannot make the server queue
// messages for it without end. Included by the transports' .cpp files only.

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/system/error_code.hpp>

#include <chrono>
#include <utility>

namespace hubspec::server::detail {

class send_deadline {
public:
    explicit send_deadline(const boost::asio::any_io_executor& executor) : timer_(executor) {}

    /// Starts the clock for one write; `on_expiry` runs if disarm() does not come first.
    template <class Callback>
    void arm(std::chrono::milliseconds timeout, Callback on_expiry) {
        timer_.expires_after(timeout);
        // An expiry already queued when its write completed must not hit the next write.
        timer_.async_wait(
            [this, armed = ++generation_, on_expiry = std::move(on_expiry)](boost::system::error_code ec) {
                if (!ec && armed == generation_) on_expiry();
            });
    }
    void disarm() {
        ++generation_;
        timer_.cancel();
    }

private:
    boost::asio::steady_timer timer_;
    unsigned generation_ = 0;
};

} // namespace hubspec::server::detail
