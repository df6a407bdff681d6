#include "sse_transport.hpp"

#include "http/http_connection.hpp"
#include "http/http_url.hpp"
#include "http/user_agent.hpp"
#include "http_send_queue.hpp"
#include "transport_base.hpp"

#include <hubspec/protocol/sse.hpp>
#include <hubspec/protocol/url.hpp>

#include <boost/asio/post.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include <array>
#include <optional>
#include <utility>

namespace hubspec::client::detail {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;

namespace {

class sse_transport final : public transport_base {
public:
    sse_transport(asio::io_context& io, transport_settings settings)
        : transport_base(io, std::move(settings)), connection_(io) {}

    protocol::transport_type type() const noexcept override { return protocol::transport_type::server_sent_events; }

    void send(std::string bytes) override {
        if (phase_ == phase::open) sends_->send(std::move(bytes));
    }

private:
    void connect(const std::string& url, protocol::transfer_format format) override {
        // SSE-009: an event stream carries text only; MessagePack never gets this far (NEG-030).
        if (format != protocol::transfer_format::text)
            return fail_start("The Server-Sent Events transport only supports the 'Text' transfer format");
        url_ = url;
        // The token also goes in the query, as Microsoft's JS client sends it (NEG-033, NEG-034).
        stream_url_ = settings_.access_token
                          ? protocol::append_query_parameter(url, "access_token", *settings_.access_token)
                          : url;
        auto parsed = parse_http_url(stream_url_);
        if (!parsed) return fail_start("invalid Server-Sent Events URL '" + url + "'");
        target_ = std::move(*parsed);
        std::weak_ptr<sse_transport> weak = shared_as<sse_transport>();
        sends_ = std::make_shared<http_send_queue>(io_, url_, settings_, format, [weak](std::string error) {
            auto self = weak.lock();
            // SSE-011: sends are POSTs; while stopping, a failed one just lets the stop finish.
            if (self && self->phase_ != phase::closing) self->finish_after_downlink(std::move(error));
        });

        // Accept is how the server tells SSE from a poll (SSE-001).
        header_list headers{{"Accept", "text/event-stream"}, {"Cache-Control", "no-cache"}};
        headers.insert(headers.end(), settings_.headers.begin(), settings_.headers.end());
        request_ = make_http_request("GET", target_, user_agent, headers, {});
        if (settings_.trace) settings_.trace(trace_direction::outgoing, trace_kind::http_request, "GET " + stream_url_);

        connection_.async_send(target_, settings_.tls, request_, settings_.connect_timeout,
                               [self = shared_as<sse_transport>()](std::optional<http_failure> failure) {
                                   if (failure) return self->fail_start(self->describe(*failure));
                                   self->read_header();
                               });
    }

    void cancel_start() override { connection_.cancel(); }

    void begin_close() override {
        // The Close message, sent just before, is posted first; then the stream is closed (SSE-012: no DELETE).
        std::weak_ptr<sse_transport> weak = shared_as<sse_transport>();
        if (settings_.violations.contains(violation::sse_stop_sends_delete))
            // Sent at once, beside the Close: the server ends the stream on Close, and the
            // transport (the process, in an agent) may be gone before a later DELETE went out.
            async_http_request(io_, "DELETE", url_, settings_.headers, settings_.tls, {}, settings_.connect_timeout,
                               settings_.trace, [](std::optional<std::string>, http_response) {});
        sends_->when_idle([weak] {
            if (auto self = weak.lock()) self->finish(std::nullopt);
        });
    }

    void abort_open() override { finish(std::nullopt); } // reported as aborted (transport_base)

    void release() override {
        if (sends_) sends_->cancel();
        close_socket(); // SSE-012: closing the stream is how a client ends it
    }

    void read_header() {
        parser_.emplace();
        parser_->body_limit(boost::none); // the stream lasts as long as the connection
        http::async_read_header(
            connection_.stream(), connection_.buffer(), *parser_,
            [self = shared_as<sse_transport>()](beast::error_code ec, std::size_t) { self->on_header(ec); });
    }

    void on_header(beast::error_code ec) {
        if (ec) return fail_start(describe(failure_of(http_step::read, ec)));
        const auto& head = parser_->get();
        http_response response{head.result_int(), std::string(head.reason())};
        if (settings_.trace)
            settings_.trace(trace_direction::incoming, trace_kind::http_response,
                            status_line(response.status, response.reason));
        if (response.status != 200)
            return fail_start(describe_http_failure("The Server-Sent Events request", response));
        auto content_type = head[http::field::content_type];
        if (content_type.find("text/event-stream") == beast::string_view::npos)
            return fail_start("The Server-Sent Events response has Content-Type '" + std::string(content_type) +
                              "', not text/event-stream");
        beast::get_lowest_layer(connection_.stream()).expires_never(); // liveness is the hub's Pings from here (KA-005)
        if (!opened("ServerSentEvents " + stream_url_) || phase_ == phase::done) return;
        read_body();
    }

    void read_body() {
        if (parser_->is_done()) return finish(std::nullopt); // the server ended the stream: a graceful end
        auto& body = parser_->get().body();
        body.data = chunk_.data();
        body.size = chunk_.size();
        http::async_read_some(
            connection_.stream(), connection_.buffer(), *parser_,
            [self = shared_as<sse_transport>()](beast::error_code ec, std::size_t) { self->on_body(ec); });
    }

    void on_body(beast::error_code ec) {
        if (phase_ == phase::done) return;
        if (ec == http::error::need_buffer) ec = {};
        const auto received = chunk_.size() - parser_->get().body().size;
        if (received > 0) {
            events_.feed(std::string_view(chunk_.data(), received));
            for (;;) {
                auto event = events_.next();
                if (!event) {
                    if (event.error().is_need_more()) break;
                    return finish("The server sent an invalid event stream: " + event.error().to_string());
                }
                // SSE-008: the data lines joined with LF are the transport's bytes; records may span events.
                deliver("SSE data", event->data);
                if (phase_ == phase::done) return;
            }
        }
        if (ec) {
            if (ec == http::error::end_of_stream || ec == http::error::partial_message)
                return finish(std::string("The server ended the Server-Sent Events stream in the middle of a message"));
            return finish(describe(failure_of(http_step::read, ec)));
        }
        read_body();
    }

    void close_socket() {
        connection_.shutdown();
        connection_.close();
    }

    static std::string describe(const http_failure& failure) {
        const auto step = std::string(step_name(failure.step));
        if (failure.timed_out) return "Server-Sent Events " + step + " timed out";
        return "Server-Sent Events " + step + " failed: " + failure.message;
    }

    http_connection connection_;
    std::string url_;        // where POSTs go
    std::string stream_url_; // the GET, with access_token when there is one
    http_url target_;
    http_request_message request_;
    std::optional<http::response_parser<http::buffer_body>> parser_;
    std::array<char, 16 * 1024> chunk_{};
    protocol::sse_parser events_;
    std::shared_ptr<http_send_queue> sends_;
};

} // namespace

std::shared_ptr<transport> make_sse_transport(asio::io_context& io, transport_settings settings) {
    return std::make_shared<sse_transport>(io, std::move(settings));
}

} // namespace hubspec::client::detail
