// The raw long-polling transport: a chain of polls on a private io thread, each
// response body delivered as it came (LP-003..LP-010); sends are POSTs (LP-013)
// and close() is the DELETE (LP-017).

#include "engine/io_thread.hpp"
#include "engine/raw_transports.hpp"

#include <hubspec/protocol/url.hpp>

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>

#include <stdexcept>

namespace hubspec::harness::detail {

namespace asio = boost::asio;
namespace http_client = client::detail;

namespace {

/// The server holds a poll up to its poll timeout (LP-006, 90 s by default): a poll may take that long.
constexpr std::chrono::seconds poll_allowance{100};

class raw_long_polling final : public raw_transport_actor {
public:
    raw_long_polling(const std::string& name, const raw_transport_settings& settings,
                     const protocol::hub_protocol& protocol, transcript& log)
        : raw_transport_actor(name, protocol, log, settings) {}

    ~raw_long_polling() override {
        // Pending handlers (and the poll they own) are dropped unrun; its socket closes with it.
        loop_.stop();
    }

    raw_long_polling(const raw_long_polling&) = delete;
    raw_long_polling& operator=(const raw_long_polling&) = delete;

    void open() {
        url_ = raw_http_url(settings_.url);
        if (settings_.handshake) expect_handshake_response();
        // The first poll returns at once (LP-003); anything but 200 refuses the connection (LP-004).
        await_open([this](raw_open_promise first) { asio::post(io_, [this, first] { start_poll(first); }); },
                   [this] { asio::post(io_, [this] { stop_polling(); }); },
                   "the first poll of " + settings_.url + " did not complete", " (LP-003)");
    }

    void send(const std::string& bytes) override {
        post_raw_send(log_, name_, protocol_, settings_, bytes, log_sent_payloads_);
    }

    /// DELETE ends the connection; the pending poll then ends with 204 (LP-017, LP-009).
    void close() override {
        if (ended()) return;
        log_.add(transcript_direction::sent, name_, "http-request", "DELETE " + settings_.url);
        try {
            const auto response =
                http_exchange("DELETE", settings_.url, settings_.headers, "", settings_.timeout, settings_.tls);
            log_.add(transcript_direction::received, name_, "http-response",
                     describe_status(response.status, response.reason, response.body), response.body);
        } catch (const std::exception& e) {
            log_.add(transcript_direction::note, name_, "close-failed", e.what());
        }
        if (wait_ended(close_wait())) return;
        log_.add(transcript_direction::note, name_, "transport-close",
                 "the pending poll did not end within " + std::to_string(close_wait().count()) +
                     " ms of the DELETE: the harness stops polling");
        asio::post(io_, [this] { stop_polling(); });
        wait_ended(std::chrono::milliseconds(1'000));
    }

private:
    void start_poll(const raw_open_promise& first) {
        if (stopped_) return;
        // A cache-busting parameter, as the TS client adds (LP-020).
        const auto now_ms =
            std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
                .count();
        const auto url = protocol::append_query_parameter(settings_.url, "_", std::to_string(now_ms));
        auto target = url_;
        if (auto parsed = protocol::parse_http_url(url)) target.target = parsed->target;
        log_.add(transcript_direction::sent, name_, "http-request", "GET " + url + " (poll)");
        current_ = http_client::async_http_exchange(
            io_, {"GET", std::move(target), settings_.headers, {}, "hubspec", settings_.tls},
            first ? settings_.timeout : settings_.timeout + poll_allowance,
            [this, first](std::optional<http_client::http_failure> failure, http_client::http_response response) {
                if (failure) return on_poll_failed(first, *failure);
                on_poll_response(response, first);
            });
    }

    void on_poll_response(http_client::http_response& response, const raw_open_promise& first) {
        const int status = static_cast<int>(response.status);
        const std::string& reason = response.reason;
        auto& body = response.body;
        log_.add(transcript_direction::received, name_, "http-response",
                 describe_status(status, reason) +
                     (body.empty() ? " (empty)" : " (" + std::to_string(body.size()) + " bytes)"));
        if (first) {
            if (status != 200)
                return first->set_value(
                    {status, "the first poll was refused: " + describe_status(status, reason, body)});
            first->set_value({});
        }
        if (status == 200) {
            if (!body.empty()) deliver(body); // an empty 200 just means poll again (LP-007)
            return start_poll(nullptr);
        }
        if (status == 204) return mark_ended("HTTP 204: the server ended the connection"); // LP-009, LP-010
        mark_ended("HTTP " + describe_status(status, reason, body));
    }

    void on_poll_failed(const raw_open_promise& first, const http_client::http_failure& failure) {
        const auto text = describe_failed_step(url_, failure.step, "poll") + ": " +
                          (failure.timed_out ? "timed out" : failure.message);
        if (first) return first->set_value({0, "the first poll of " + settings_.url + " failed: " + text});
        if (stopped_) return mark_ended("the harness stopped polling");
        if (failure.timed_out) {
            // A client-side HTTP timeout just re-polls (LP-010).
            log_.add(transcript_direction::note, name_, "poll-timeout", text + "; polling again");
            return start_poll(nullptr);
        }
        mark_ended("the poll failed: " + text);
    }

    void stop_polling() {
        stopped_ = true;
        if (current_) current_->cancel();
    }

    // The io_context first: it outlives every I/O object and handler.
    io_thread loop_;
    asio::io_context& io_ = loop_.context();
    protocol::http_url url_;

    // Touched on the io thread only.
    std::shared_ptr<http_client::http_operation> current_; // the poll in flight
    bool stopped_ = false;
};

} // namespace

std::unique_ptr<raw_actor> open_raw_long_polling(const std::string& name, const raw_transport_settings& settings,
                                                 const protocol::hub_protocol& protocol, transcript& log) {
    auto actor = std::make_unique<raw_long_polling>(name, settings, protocol, log);
    actor->open();
    return actor;
}

} // namespace hubspec::harness::detail
