#include "transport_base.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>

#include <chrono>
#include <memory>
#include <utility>

namespace hubspec::client::detail {

namespace {
constexpr std::string_view stopped_while_starting = "the transport was stopped while starting";
// How long a downlink may take to deliver the server's last words after a send failed.
constexpr std::chrono::milliseconds downlink_settle_time{1000};
} // namespace

transport_base::transport_base(boost::asio::io_context& io, transport_settings settings)
    : io_(io), settings_(std::move(settings)) {}

void transport_base::start(const std::string& url, protocol::transfer_format format, started_handler started,
                           receive_handler receive, closed_handler closed) {
    started_ = std::move(started);
    receive_ = std::move(receive);
    closed_ = std::move(closed);
    connect(url, format);
}

void transport_base::stop() {
    switch (phase_) {
    case phase::starting:
        stop_requested_ = true;
        cancel_start();
        return;
    case phase::open:
        phase_ = phase::closing;
        begin_close();
        return;
    case phase::closing:
    case phase::done: return;
    }
}

void transport_base::abort() {
    if (phase_ == phase::starting) return stop();
    if (phase_ == phase::done) return;
    aborted_ = true;
    abort_open();
}

bool transport_base::opened(const std::string& description) {
    if (stop_requested_) {
        fail_start(std::string(stopped_while_starting));
        return false;
    }
    phase_ = phase::open;
    if (settings_.trace) settings_.trace(trace_direction::local, trace_kind::transport_open, description);
    auto started = std::exchange(started_, nullptr);
    started(std::nullopt);
    return true;
}

void transport_base::fail_start(std::string error) {
    phase_ = phase::done;
    release_start();
    auto started = std::exchange(started_, nullptr);
    if (!started) return;
    if (stop_requested_) error = stopped_while_starting;
    if (settings_.trace) settings_.trace(trace_direction::local, trace_kind::transport_close, error);
    // Never synchronously inside start(): the caller may drop this transport in the handler.
    boost::asio::post(
        io_, [self = shared_from_this(), started = std::move(started), error = std::move(error)] { started(error); });
}

void transport_base::finish(std::optional<std::string> error) {
    if (phase_ == phase::done) return;
    if (phase_ == phase::starting) return fail_start(error.value_or("the transport closed while starting"));
    phase_ = phase::done;
    release();
    if (aborted_ && !error) error = "the connection was aborted";
    if (settings_.trace)
        settings_.trace(trace_direction::local, trace_kind::transport_close, error ? *error : "graceful");
    if (auto closed = std::exchange(closed_, nullptr)) closed(transport_closed{std::move(error)});
}

void transport_base::finish_after_downlink(std::string error) {
    if (phase_ != phase::open) return finish(std::move(error));
    auto timer = std::make_shared<boost::asio::steady_timer>(io_, downlink_settle_time);
    std::weak_ptr<transport_base> weak = weak_from_this();
    timer->async_wait([timer, weak, error = std::move(error)](const boost::system::error_code&) mutable {
        if (auto self = weak.lock()) self->finish(std::move(error)); // nothing once the downlink ended it
    });
}

void transport_base::deliver(std::string_view what, std::string_view bytes) {
    if (settings_.trace) settings_.trace(trace_direction::incoming, trace_kind::transport_data, what, bytes);
    receive_(bytes);
}

} // namespace hubspec::client::detail
