#pragma once
// What a blocking stream_reader waits on: items, then an end (normal or an error).

#include <hubspec/protocol/value.hpp>

#include <chrono>
#include <condition_variable>
#include <deque>
#include <exception>
#include <mutex>
#include <optional>

namespace hubspec::client::detail {

class stream_queue {
public:
    void push(protocol::value item);
    void finish(std::exception_ptr error);
    /// Ends the stream now: items received but not yet taken are dropped too (MSG-053).
    void cancel();
    /// nullopt timeout = wait forever. Returns the item, nullopt at the end; throws the error.
    std::optional<protocol::value> pop(std::optional<std::chrono::milliseconds> timeout);

private:
    std::mutex mutex_;
    std::condition_variable ready_;
    std::deque<protocol::value> items_;
    bool finished_ = false;
    std::exception_ptr error_;
};

} // namespace hubspec::client::detail
