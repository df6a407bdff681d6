#pragma once
// Client-to-server data of Server-Sent Events and long polling (SSE-011, LP-013):
// one POST at a time; bytes queued meanwhile go out together in the next (LP-015).

#include "transport.hpp"

#include <hubspec/protocol/hub_protocol.hpp>

#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace boost::asio {
class io_context;
}

namespace hubspec::client::detail {

class http_send_queue : public std::enable_shared_from_this<http_send_queue> {
public:
    /// Runs once, on the first POST that fails; the queue is dead afterwards.
    using failed_handler = std::function<void(std::string error)>;

    http_send_queue(boost::asio::io_context& io, std::string url, transport_settings settings,
                    protocol::transfer_format format, failed_handler failed);

    /// Appends whole records; they go out in order.
    void send(std::string bytes);
    /// `done` runs once nothing is queued or in flight: at once when idle, or after a failure.
    void when_idle(std::function<void()> done);
    /// Drops what is queued and cancels the POST in flight; no handler runs afterwards.
    void cancel();

private:
    void post_pending();
    void on_posted(std::optional<std::string> error, const http_response& response);
    void fail(std::string error);
    void run_idle_waiters();

    boost::asio::io_context& io_;
    std::string url_;
    transport_settings settings_;
    std::string content_type_;
    failed_handler failed_;
    std::string pending_; // what the next POST carries
    std::shared_ptr<http_operation> in_flight_;
    std::vector<std::function<void()>> idle_waiters_;
    bool dead_ = false;
};

} // namespace hubspec::client::detail
