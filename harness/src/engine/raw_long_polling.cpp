// The raw long-polling transport: a chain of polls on a private io thread, each
// response body delivered as it came (LP-003..LP-010); sends are POSTs (LP-013)
// and close() is the DELETE (LP-017).

#include "engine/io_thread.hpp"
#include "engine/raw_transports.hpp"

#include <hubspec/protocol/url.hpp>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include <future>
#include <stdexcept>

namespace hubspec::harness::detail {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

namespace {

/// How the first poll went: status 0 and no error means connected (LP-004).
struct open_result {
    int status = 0;
    std::string error;
};
using open_promise = std::shared_ptr<std::promise<open_result>>;

/// One poll in flight: its own connection, so that aborting it touches nothing else.
struct poll_state {
    explicit poll_state(asio::io_context& io) : stream(io) {}
    beast::tcp_stream stream;
    beast::flat_buffer buffer;
    http::request<http::empty_body> request;
    http::response_parser<http::string_body> parser;
    std::string url;
};
using poll_ptr = std::shared_ptr<poll_state>;

/// The server holds a poll up to its poll timeout (LP-006, 90 s by default): a poll may take that long.
constexpr std::chrono::seconds poll_allowance{100};

class raw_long_polling final : public raw_transport_actor {
public:
    raw_long_polling(const std::string& name, const raw_transport_settings& settings,
                     const protocol::hub_protocol& protocol, transcript& log)
        : raw_transport_actor(name, protocol, log, settings), resolver_(io_) {}

    ~raw_long_polling() override {
        // Pending handlers (and the poll they own) are dropped unrun; its socket closes with it.
        loop_.stop();
    }

    raw_long_polling(const raw_long_polling&) = delete;
    raw_long_polling& operator=(const raw_long_polling&) = delete;

    void open() {
        auto parts = protocol::parse_http_url(settings_.url);
        if (!parts) throw std::runtime_error("not an http URL: " + settings_.url);
        if (parts->secure()) throw std::runtime_error("https is not supported by the raw-wire steps: " + settings_.url);
        url_ = std::move(*parts);
        if (settings_.handshake) expect_handshake_response();

        // The first poll returns at once (LP-003); anything but 200 refuses the connection (LP-004).
        auto result = std::make_shared<std::promise<open_result>>();
        auto opened = result->get_future();
        asio::post(io_, [this, result] { start_poll(result); });
        if (opened.wait_for(settings_.timeout + std::chrono::seconds(1)) != std::future_status::ready) {
            asio::post(io_, [this] { stop_polling(); });
            throw std::runtime_error("the first poll of " + settings_.url + " did not complete within " +
                                     std::to_string(settings_.timeout.count()) + " ms (LP-003)");
        }
        auto outcome = opened.get();
        if (outcome.status != 0) throw raw_refused(outcome.status, outcome.error);
        if (!outcome.error.empty()) throw std::runtime_error(outcome.error);
    }

    void send(const std::string& bytes) override {
        post_raw_send(log_, name_, protocol_, settings_, bytes, log_sent_payloads_);
    }

    /// DELETE ends the connection; the pending poll then ends with 204 (LP-017, LP-009).
    void close() override {
        if (ended()) return;
        log_.add(transcript_direction::sent, name_, "http-request", "DELETE " + settings_.url);
        try {
            const auto response = http_exchange("DELETE", settings_.url, settings_.headers, "", settings_.timeout);
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
    void start_poll(const open_promise& first) {
        if (stopped_) return;
        // A cache-busting parameter, as the TS client adds (LP-020).
        const auto now_ms =
            std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
                .count();
        auto poll = std::make_shared<poll_state>(io_);
        poll->url = protocol::append_query_parameter(settings_.url, "_", std::to_string(now_ms));
        auto target = protocol::parse_http_url(poll->url);
        poll->request.method(http::verb::get);
        poll->request.target(target ? target->target : url_.target);
        poll->request.version(11);
        poll->request.set(http::field::host, url_.host_header());
        poll->request.set(http::field::user_agent, "hubspec");
        for (const auto& [name, value] : settings_.headers)
            poll->request.set(name, value);
        poll->parser.body_limit(64 * 1024 * 1024);
        poll->stream.expires_after(first ? settings_.timeout : settings_.timeout + poll_allowance);
        current_ = poll;
        log_.add(transcript_direction::sent, name_, "http-request", "GET " + poll->url + " (poll)");

        resolver_.async_resolve(
            url_.host, url_.port,
            [this, poll, first](beast::error_code ec, const tcp::resolver::results_type& results) {
                if (ec) return on_poll_failed(first, ec, "cannot resolve " + url_.host);
                poll->stream.async_connect(results, [this, poll, first](beast::error_code ec2, const tcp::endpoint&) {
                    if (ec2) return on_poll_failed(first, ec2, "cannot connect to " + url_.host_header());
                    http::async_write(
                        poll->stream, poll->request, [this, poll, first](beast::error_code ec3, std::size_t) {
                            if (ec3) return on_poll_failed(first, ec3, "sending the poll failed");
                            http::async_read(poll->stream, poll->buffer, poll->parser,
                                             [this, poll, first](beast::error_code ec4, std::size_t) {
                                                 if (ec4)
                                                     return on_poll_failed(first, ec4,
                                                                           "reading the poll's response failed");
                                                 on_poll_response(*poll, first);
                                             });
                        });
                });
            });
    }

    void on_poll_response(poll_state& poll, const open_promise& first) {
        beast::error_code ignored;
        poll.stream.socket().shutdown(tcp::socket::shutdown_both, ignored);
        auto& response = poll.parser.get();
        const int status = static_cast<int>(response.result_int());
        const std::string reason(response.reason());
        auto& body = response.body();
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

    void on_poll_failed(const open_promise& first, beast::error_code ec, const std::string& what) {
        const auto text = what + ": " + (ec == beast::error::timeout ? "timed out" : ec.message());
        if (first) return first->set_value({0, "the first poll of " + settings_.url + " failed: " + text});
        if (stopped_) return mark_ended("the harness stopped polling");
        if (ec == beast::error::timeout) {
            // A client-side HTTP timeout just re-polls (LP-010).
            log_.add(transcript_direction::note, name_, "poll-timeout", text + "; polling again");
            return start_poll(nullptr);
        }
        mark_ended("the poll failed: " + text);
    }

    void stop_polling() {
        stopped_ = true;
        resolver_.cancel();
        if (current_) {
            beast::error_code ignored;
            current_->stream.socket().close(ignored);
        }
    }

    // The io_context first: it outlives every I/O object and handler.
    io_thread loop_;
    asio::io_context& io_ = loop_.context();
    tcp::resolver resolver_;
    protocol::http_url url_;

    // Touched on the io thread only.
    poll_ptr current_;
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
