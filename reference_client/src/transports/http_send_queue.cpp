#include "http_send_queue.hpp"

#include <utility>

namespace hubspec::client::detail {

http_send_queue::http_send_queue(boost::asio::io_context& io, std::string url, transport_settings settings,
                                 protocol::transfer_format format, failed_handler failed)
    : io_(io), url_(std::move(url)), settings_(std::move(settings)),
      content_type_(format == protocol::transfer_format::binary ? "application/octet-stream"
                                                                : "text/plain;charset=UTF-8"),
      failed_(std::move(failed)) {
    settings_.headers.emplace_back("Content-Type", content_type_);
}

void http_send_queue::send(std::string bytes) {
    if (dead_ || bytes.empty()) return;
    pending_.append(bytes);
    if (!in_flight_) post_pending();
}

void http_send_queue::when_idle(std::function<void()> done) {
    if (dead_ || (!in_flight_ && pending_.empty())) return done();
    idle_waiters_.push_back(std::move(done));
}

void http_send_queue::cancel() {
    dead_ = true;
    pending_.clear();
    failed_ = nullptr;
    idle_waiters_.clear();
    if (in_flight_) {
        auto op = std::move(in_flight_);
        in_flight_.reset();
        op->cancel();
    }
}

void http_send_queue::post_pending() {
    auto body = std::exchange(pending_, {});
    if (settings_.trace) settings_.trace(trace_direction::outgoing, trace_kind::transport_data, "POST body", body);
    std::weak_ptr<http_send_queue> weak = shared_from_this();
    in_flight_ = async_http_request(io_, "POST", url_, settings_.headers, settings_.tls, std::move(body),
                                    settings_.connect_timeout, settings_.trace,
                                    [weak](std::optional<std::string> error, http_response response) {
                                        if (auto self = weak.lock()) self->on_posted(std::move(error), response);
                                    });
}

void http_send_queue::on_posted(std::optional<std::string> error, const http_response& response) {
    if (dead_) return;
    in_flight_.reset();
    if (error) return fail("Sending to the server failed: " + *error);
    // Any 2xx is a success, as for Microsoft's HTTP clients; the server answers 200 (LP-013).
    if (response.status < 200 || response.status >= 300) return fail(describe_http_failure("Sending (POST)", response));
    if (!pending_.empty()) return post_pending();
    run_idle_waiters();
}

void http_send_queue::fail(std::string error) {
    dead_ = true;
    pending_.clear();
    auto failed = std::exchange(failed_, nullptr);
    run_idle_waiters();
    if (failed) failed(std::move(error));
}

void http_send_queue::run_idle_waiters() {
    auto waiters = std::exchange(idle_waiters_, {});
    for (auto& w : waiters)
        w();
}

} // namespace hubspec::client::detail
