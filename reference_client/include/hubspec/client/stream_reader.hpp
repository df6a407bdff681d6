#pragma once
// Server-to-client streams (MSG-020..022): a blocking reader for synchronous code,
// and the subscription that callback users hold.

#include <hubspec/protocol/value.hpp>

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <vector>

namespace hubspec::client {

namespace detail {
class stream_queue;
}

/// Cancels a stream started with hub_connection::stream_async (sends CancelInvocation).
class stream_subscription {
public:
    stream_subscription() = default;
    explicit stream_subscription(std::function<void()> cancel) : cancel_(std::move(cancel)) {}
    /// After this no more items or completion are delivered (MSG-053). Idempotent.
    void cancel();

private:
    std::function<void()> cancel_;
};

class stream_reader {
public:
    stream_reader(std::shared_ptr<detail::stream_queue> queue, stream_subscription subscription);

    /// The next item, or nullopt once the stream completed or was canceled. Throws
    /// hub_exception if the server ended it with an error (after every earlier
    /// item, ERR-013), connection_exception if the connection closed first.
    std::optional<protocol::value> next();
    /// As next(), but gives up after `timeout` and throws connection_exception.
    std::optional<protocol::value> next(std::chrono::milliseconds timeout);
    /// Every remaining item (blocks until the stream ends).
    std::vector<protocol::value> read_all();
    void cancel();

private:
    std::shared_ptr<detail::stream_queue> queue_;
    stream_subscription subscription_;
};

} // namespace hubspec::client
