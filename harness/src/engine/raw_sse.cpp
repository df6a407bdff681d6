// The raw Server-Sent Events transport: one GET read as it arrives, each event's
// data delivered (SSE-001, SSE-006, SSE-008); sends are POSTs (SSE-011).

#include "engine/io_thread.hpp"
#include "engine/payload_text.hpp"
#include "engine/raw_transports.hpp"

#include "http_connection.hpp" // the client's HTTP helper (harness -> reference client)

#include <hubspec/protocol/sse.hpp>
#include <hubspec/protocol/url.hpp>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include <array>
#include <future>
#include <optional>
#include <stdexcept>

namespace hubspec::harness::detail {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace http_client = client::detail;

namespace {

constexpr std::size_t max_refusal_body = 64 * 1024;

class raw_sse final : public raw_transport_actor {
public:
    raw_sse(const std::string& name, const raw_transport_settings& settings, const protocol::hub_protocol& protocol,
            transcript& log)
        : raw_transport_actor(name, protocol, log, settings), connection_(io_) {}

    ~raw_sse() override {
        // Pending handlers are dropped unrun; the socket closes with its object.
        loop_.stop();
    }

    raw_sse(const raw_sse&) = delete;
    raw_sse& operator=(const raw_sse&) = delete;

    void open() {
        url_ = raw_http_url(settings_.url);
        if (settings_.handshake) expect_handshake_response();
        // Accept selects SSE (SSE-001).
        http_client::header_list headers{{"Accept", "text/event-stream"}};
        headers.insert(headers.end(), settings_.headers.begin(), settings_.headers.end());
        request_ = http_client::make_http_request("GET", url_, "hubspec", headers, {});
        parser_.emplace();
        parser_->body_limit(boost::none); // the stream lasts as long as the connection
        log_.add(transcript_direction::sent, name_, "http-request",
                 "GET " + settings_.url + " (Accept: text/event-stream)");
        await_open([this](raw_open_promise result) { asio::post(io_, [this, result] { connect(result); }); },
                   [this] { asio::post(io_, [this] { abort_socket(); }); },
                   "the event stream " + settings_.url + " did not open");
    }

    void send(const std::string& bytes) override {
        post_raw_send(log_, name_, protocol_, settings_, bytes, log_sent_payloads_);
    }

    /// Aborts the GET, as Microsoft's clients end SSE (SSE-012: there is no DELETE).
    void close() override {
        if (ended()) return;
        log_.add(transcript_direction::note, name_, "transport-close", "the harness aborts the event stream GET");
        asio::post(io_, [this] { abort_socket(); });
        wait_ended(close_wait());
    }

private:
    void connect(const raw_open_promise& result) {
        connection_.async_send(url_, settings_.tls, request_, settings_.timeout, [this, result](auto failure) {
            if (failure)
                return result->set_value(
                    {0, describe_failed_step(url_, failure->step, "GET") + ": " + failure->message});
            http::async_read_header(
                connection_.stream(), connection_.buffer(), *parser_,
                [this, result](beast::error_code ec, std::size_t) {
                    if (ec) return result->set_value({0, "reading the response failed: " + ec.message()});
                    on_header(result);
                });
        });
    }

    void on_header(const raw_open_promise& result) {
        const auto& head = parser_->get();
        const int status = static_cast<int>(head.result_int());
        if (status != 200) {
            // The refusal's body says why ("No Connection with that ID"): read it, still under the deadline.
            opening_ = result;
            return read_body();
        }
        log_.add(transcript_direction::received, name_, "http-response",
                 describe_status(status, std::string(head.reason())) + " (event stream, " +
                     std::string(head[http::field::content_type]) + ")");
        beast::get_lowest_layer(connection_.stream())
            .expires_never(); // from here the stream lives until either side ends it
        streaming_ = true;
        result->set_value({});
        read_body();
    }

    void read_body() {
        auto& body = parser_->get().body();
        body.data = chunk_.data();
        body.size = chunk_.size();
        http::async_read_some(connection_.stream(), connection_.buffer(), *parser_,
                              [this](beast::error_code ec, std::size_t) {
                                  if (ec == http::error::need_buffer)
                                      ec = {}; // the chunk is full: an ordinary partial read
                                  const auto got = chunk_.size() - parser_->get().body().size;
                                  if (got > 0) on_bytes(std::string_view(chunk_.data(), got));
                                  if (!ec && parser_->is_done()) return on_body_end({});
                                  if (ec) return on_body_end(ec);
                                  if (!ended()) read_body();
                              });
    }

    void on_bytes(std::string_view bytes) {
        if (!streaming_) {
            if (refusal_body_.size() < max_refusal_body) refusal_body_.append(bytes);
            return;
        }
        events_.feed(bytes);
        for (;;) {
            auto event = events_.next();
            if (!event) {
                if (event.error().is_need_more()) return;
                abort_socket();
                return mark_ended("the event stream is unreadable: " + event.error().to_string());
            }
            if (!event->event.empty())
                log_.add(transcript_direction::note, name_, "sse-event", "an event named `" + event->event + "`");
            deliver(event->data); // the event's data lines joined with LF (SSE-008)
            message_ended("SSE-007", "event");
        }
    }

    void on_body_end(beast::error_code ec) {
        if (!streaming_) {
            const auto& head = parser_->get();
            const int status = static_cast<int>(head.result_int());
            const auto line = describe_status(status, std::string(head.reason()), refusal_body_);
            log_.add(transcript_direction::received, name_, "http-response", line, refusal_body_);
            if (auto result = std::move(opening_))
                result->set_value({status, "the event stream GET was refused: " + line});
            return;
        }
        if (!ec || ec == http::error::end_of_stream || ec == asio::error::eof) return mark_ended("end of stream");
        if (aborted_) return mark_ended("the harness aborted the event stream");
        mark_ended("the event stream failed: " + ec.message());
    }

    void abort_socket() {
        aborted_ = true;
        connection_.close();
    }

    // The io_context first: it outlives every I/O object and handler.
    io_thread loop_;
    asio::io_context& io_ = loop_.context();
    http_client::http_connection connection_;
    protocol::http_url url_;
    http_client::http_request_message request_;
    std::optional<http::response_parser<http::buffer_body>> parser_;
    std::array<char, 16 * 1024> chunk_{};

    // Touched on the io thread only.
    raw_open_promise opening_; // while a refusal's body is read
    std::string refusal_body_;
    protocol::sse_parser events_;
    bool streaming_ = false;
    bool aborted_ = false;
};

} // namespace

std::unique_ptr<raw_actor> open_raw_sse(const std::string& name, const raw_transport_settings& settings,
                                        const protocol::hub_protocol& protocol, transcript& log) {
    auto actor = std::make_unique<raw_sse>(name, settings, protocol, log);
    actor->open();
    return actor;
}

} // namespace hubspec::harness::detail
