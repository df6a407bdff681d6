#include "long_polling_transport.hpp"

#include "http_send_queue.hpp"
#include "transport_base.hpp"

#include <hubspec/protocol/url.hpp>

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>

#include <chrono>
#include <utility>

namespace hubspec::client::detail {

namespace asio = boost::asio;

namespace {

// A poll the server holds longer than this is re-issued, as Microsoft's JS client does (LP-010).
constexpr std::chrono::milliseconds poll_timeout{100'000};

class long_polling_transport final : public transport_base {
public:
    long_polling_transport(asio::io_context& io, transport_settings settings)
        : transport_base(io, std::move(settings)) {}

    protocol::transport_type type() const noexcept override { return protocol::transport_type::long_polling; }

    void send(std::string bytes) override {
        if (phase_ == phase::open) sends_->send(std::move(bytes));
    }

private:
    void connect(const std::string& url, protocol::transfer_format format) override {
        url_ = url;
        std::weak_ptr<long_polling_transport> weak = shared_as<long_polling_transport>();
        // Poll bodies are bytes either way: MessagePack arrives as binary (LP-021).
        sends_ = std::make_shared<http_send_queue>(io_, url_, settings_, format, [weak](std::string error) {
            auto self = weak.lock();
            // While stopping, a failed POST (the server may have let the connection go) still ends in DELETE.
            if (self && self->phase_ != phase::closing) self->finish_after_downlink(std::move(error));
        });
        poll(settings_.connect_timeout); // the first poll returns at once (LP-003)
    }

    void cancel_start() override {
        if (poll_) poll_->cancel(); // the first poll fails and reports the stop
    }

    void begin_close() override {
        // What was sent before stop (the Close message) goes out first; then LP-018.
        std::weak_ptr<long_polling_transport> weak = shared_as<long_polling_transport>();
        sends_->when_idle([weak] {
            if (auto self = weak.lock()) self->send_delete();
        });
    }

    void abort_open() override {
        // Tell the server at once, without waiting for its answer: nothing here may wait.
        async_http_request(io_, "DELETE", url_, settings_.headers, settings_.tls, {}, settings_.connect_timeout,
                           settings_.trace, [](std::optional<std::string>, http_response) {});
        finish(std::nullopt); // reported as aborted (transport_base)
    }

    void release() override {
        if (poll_) std::exchange(poll_, nullptr)->cancel();
        if (sends_) sends_->cancel();
    }

    void poll(std::chrono::milliseconds timeout) {
        auto now =
            std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch());
        // A cache buster, as Microsoft's clients add (LP-020).
        auto poll_url = protocol::append_query_parameter(url_, "_", std::to_string(now.count()));
        std::weak_ptr<long_polling_transport> weak = shared_as<long_polling_transport>();
        poll_ = async_http_request(io_, "GET", poll_url, settings_.headers, settings_.tls, {}, timeout, settings_.trace,
                                   [weak](std::optional<std::string> error, http_response response) {
                                       if (auto self = weak.lock())
                                           self->on_poll(std::move(error), std::move(response));
                                   });
    }

    void on_poll(std::optional<std::string> error, http_response response) {
        poll_.reset();
        if (phase_ == phase::starting) return on_first_poll(std::move(error), std::move(response));
        if (phase_ == phase::done || deleting_) return;
        if (phase_ == phase::closing) {
            // Stopping: keep taking data until the DELETE, but a poll that ended the transport is not renewed.
            if (error || response.status != 200) return;
            if (deliver_body(response.body)) poll(poll_timeout);
            return;
        }
        if (error) {
            if (*error == http_request_timed_out) return poll(poll_timeout); // LP-010: just poll again
            return finish("Long polling failed: " + *error);
        }
        if (response.status == 204) return finish(std::nullopt); // the server ended the transport (LP-010)
        if (response.status != 200) return finish(describe_http_failure("Long polling", response));
        if (!deliver_body(response.body)) return;
        poll(poll_timeout); // LP-007: with data or without, poll again at once
    }

    void on_first_poll(std::optional<std::string> error, http_response response) {
        if (error) return fail_start("The first poll failed: " + *error);
        if (response.status != 200) return fail_start(describe_http_failure("The first poll", response)); // LP-004
        if (!opened("LongPolling " + url_) || phase_ != phase::open) return;
        if (!deliver_body(response.body)) return; // the server sends nothing yet (LP-003); never drop what it did send
        poll(poll_timeout);
    }

    /// False when the transport ended while the data was handled.
    bool deliver_body(const std::string& body) {
        if (body.empty()) return true;
        transport_base::deliver("poll body", body);
        return phase_ == phase::open || (phase_ == phase::closing && !deleting_);
    }

    void send_delete() {
        if (phase_ != phase::closing) return;
        deleting_ = true;
        if (settings_.violations.contains(violation::long_polling_stop_without_delete)) {
            if (poll_) poll_->cancel();
            return finish(std::nullopt);
        }
        if (poll_) poll_->cancel(); // LP-018: the pending poll first, then DELETE, then closed
        std::weak_ptr<long_polling_transport> weak = shared_as<long_polling_transport>();
        delete_ =
            async_http_request(io_, "DELETE", url_, settings_.headers, settings_.tls, {}, settings_.connect_timeout,
                               settings_.trace, [weak](std::optional<std::string>, http_response) {
                                   // 202 expected; 404 means the server already let it go, also fine.
                                   if (auto self = weak.lock()) self->finish(std::nullopt);
                               });
    }

    std::string url_;
    std::shared_ptr<http_send_queue> sends_;
    std::shared_ptr<http_operation> poll_;
    std::shared_ptr<http_operation> delete_;
    bool deleting_ = false;
};

} // namespace

std::shared_ptr<transport> make_long_polling_transport(asio::io_context& io, transport_settings settings) {
    return std::make_shared<long_polling_transport>(io, std::move(settings));
}

} // namespace hubspec::client::detail
