#pragma once
// A hub connection's way out: the transport it writes to now, behind the control
// API's send delay (fault_state::delay_ms), which holds writes back in order and
// a close after them. A stateful resume swaps the transport (SR-013, SR-019).

#include "hub_lifetime.hpp"
#include "transport_sink.hpp"

#include <chrono>
#include <deque>
#include <memory>
#include <string>

namespace hubspec::server::detail {

class transport_writer : public std::enable_shared_from_this<transport_writer> {
public:
    transport_writer(std::shared_ptr<hub_lifetime> lifetime, std::weak_ptr<transport_sink> sink);

    /// The transport written to from now on; what the delay held for another is dropped.
    void attach(std::weak_ptr<transport_sink> sink);
    /// The transport is gone (a resume may attach another); what the delay held is lost with it.
    void detach();
    /// The transport written to, if any is left.
    std::shared_ptr<transport_sink> sink() const { return sink_.lock(); }
    /// Whole records, after whatever the delay still holds.
    void write(std::shared_ptr<const std::string> records);
    /// Ends the transport gracefully, after whatever the delay still holds.
    void close();
    /// Forgets what the delay holds: nothing held can reach a transport that is gone.
    void discard();

private:
    using clock = std::chrono::steady_clock;
    /// Hands the sink what the delay held and is now due.
    void flush_delayed();
    void arm_delayed();

    std::shared_ptr<hub_lifetime> lifetime_;
    std::weak_ptr<transport_sink> sink_;
    struct delayed_write {
        clock::time_point due;
        std::shared_ptr<const std::string> records; // null: close the transport
    };
    std::deque<delayed_write> delayed_; // in order
    timer_handle delayed_timer_;
};

} // namespace hubspec::server::detail
