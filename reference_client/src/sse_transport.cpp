#include "sse_transport.hpp"

#include "http_send_queue.hpp"
#include "http_url.hpp"
#include "user_agent.hpp"

#include <hubspec/protocol/sse.hpp>
#include <hubspec/protocol/url.hpp>

#include <boost/asio/ip/tcp.hpp>
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
using tcp = asio::ip::tcp;

namespace {

class sse_transport final : public transport, public std::enable_shared_from_this<sse_transport> {
public:
    sse_transport(asio::io_context& io, transport_settings settings)
        : io_(io), resolver_(io), stream_(io), settings_(std::move(settings)) {}

    protocol::transport_type type() const noexcept override { return protocol::transport_type::server_sent_events; }

    void start(const std::string& url, protocol::transfer_format format, started_handler started,
               receive_handler receive, closed_handler closed) override {
        started_ = std::move(started);
        receive_ = std::move(receive);
        closed_ = std::move(closed);
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
        if (parsed->secure()) return fail_start("https is not supported by this client yet");
        target_ = std::move(*parsed);
        std::weak_ptr<sse_transport> weak = shared_from_this();
        sends_ = std::make_shared<http_send_queue>(io_, url_, settings_, format, [weak](std::string error) {
            auto self = weak.lock();
            // SSE-011: sends are POSTs; while stopping, a failed one just lets the stop finish.
            if (self && self->phase_ != phase::closing) self->finish(std::move(error));
        });

        request_.method(http::verb::get);
        request_.target(target_.target);
        request_.version(11);
        request_.set(http::field::host, target_.host_header());
        request_.set(http::field::user_agent, user_agent);
        request_.set(http::field::accept, "text/event-stream"); // how the server tells SSE from a poll (SSE-001)
        request_.set(http::field::cache_control, "no-cache");
        for (const auto& [name, value] : settings_.headers)
            request_.set(name, value);
        if (settings_.trace) settings_.trace(trace_direction::outgoing, trace_kind::http_request, "GET " + stream_url_);

        stream_.expires_after(settings_.connect_timeout);
        resolver_.async_resolve(target_.host, target_.port,
                                [self = shared_from_this()](beast::error_code ec, tcp::resolver::results_type results) {
                                    if (ec) return self->fail_start(self->describe("resolve", ec));
                                    self->stream_.async_connect(
                                        results, [self](beast::error_code ec2, const tcp::endpoint&) {
                                            if (ec2) return self->fail_start(self->describe("connect", ec2));
                                            self->send_request();
                                        });
                                });
    }

    void send(std::string bytes) override {
        if (phase_ == phase::open) sends_->send(std::move(bytes));
    }

    void stop() override {
        switch (phase_) {
        case phase::starting:
            stop_requested_ = true;
            resolver_.cancel();
            stream_.cancel();
            return;
        case phase::open: {
            phase_ = phase::closing;
            // The Close message, sent just before, is posted first; then the stream is closed (SSE-012: no DELETE).
            std::weak_ptr<sse_transport> weak = shared_from_this();
            sends_->when_idle([weak] {
                if (auto self = weak.lock()) self->finish(std::nullopt);
            });
            return;
        }
        case phase::closing:
        case phase::done: return;
        }
    }

    void abort() override {
        if (phase_ == phase::starting) return stop();
        finish(std::string("the connection was aborted"));
    }

private:
    enum class phase { starting, open, closing, done };

    void send_request() {
        http::async_write(stream_, request_, [self = shared_from_this()](beast::error_code ec, std::size_t) {
            if (ec) return self->fail_start(self->describe("write", ec));
            self->parser_.emplace();
            self->parser_->body_limit(boost::none); // the stream lasts as long as the connection
            http::async_read_header(self->stream_, self->buffer_, *self->parser_,
                                    [self](beast::error_code ec2, std::size_t) { self->on_header(ec2); });
        });
    }

    void on_header(beast::error_code ec) {
        if (ec) return fail_start(describe("read", ec));
        const auto& head = parser_->get();
        http_response response{head.result_int(), std::string(head.reason()), {}};
        if (settings_.trace)
            settings_.trace(trace_direction::incoming, trace_kind::http_response,
                            status_line(response.status, response.reason));
        if (stop_requested_) return fail_start("the transport was stopped while starting");
        if (response.status != 200)
            return fail_start(describe_http_failure("The Server-Sent Events request", response));
        auto content_type = head[http::field::content_type];
        if (content_type.find("text/event-stream") == beast::string_view::npos)
            return fail_start("The Server-Sent Events response has Content-Type '" + std::string(content_type) +
                              "', not text/event-stream");
        stream_.expires_never(); // liveness is the hub's Pings from here (KA-005)
        phase_ = phase::open;
        if (settings_.trace)
            settings_.trace(trace_direction::local, trace_kind::transport_open, "ServerSentEvents " + stream_url_);
        auto started = std::exchange(started_, nullptr);
        started(std::nullopt);
        if (phase_ == phase::done) return;
        read_body();
    }

    void read_body() {
        if (parser_->is_done()) return finish(std::nullopt); // the server ended the stream: a graceful end
        auto& body = parser_->get().body();
        body.data = chunk_.data();
        body.size = chunk_.size();
        http::async_read_some(stream_, buffer_, *parser_,
                              [self = shared_from_this()](beast::error_code ec, std::size_t) { self->on_body(ec); });
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
                if (settings_.trace)
                    settings_.trace(trace_direction::incoming, trace_kind::transport_data, "SSE data", event->data);
                receive_(event->data);
                if (phase_ == phase::done) return;
            }
        }
        if (ec) {
            if (ec == http::error::end_of_stream || ec == http::error::partial_message)
                return finish(std::string("The server ended the Server-Sent Events stream in the middle of a message"));
            return finish(describe("read", ec));
        }
        read_body();
    }

    void fail_start(std::string error) {
        phase_ = phase::done;
        if (sends_) sends_->cancel();
        close_socket();
        if (stop_requested_) error = "the transport was stopped while starting";
        if (settings_.trace) settings_.trace(trace_direction::local, trace_kind::transport_close, error);
        auto started = std::exchange(started_, nullptr);
        if (!started) return;
        // Never synchronously inside start(): the caller may drop this transport in the handler.
        asio::post(io_, [self = shared_from_this(), started = std::move(started), error = std::move(error)] {
            started(error);
        });
    }

    void finish(std::optional<std::string> error) {
        if (phase_ == phase::done) return;
        if (phase_ == phase::starting) return fail_start(error.value_or("the transport closed while starting"));
        phase_ = phase::done;
        if (sends_) sends_->cancel();
        close_socket(); // SSE-012: closing the stream is how a client ends it
        if (settings_.trace)
            settings_.trace(trace_direction::local, trace_kind::transport_close, error ? *error : "graceful");
        if (auto closed = std::exchange(closed_, nullptr)) closed(transport_closed{std::move(error)});
    }

    void close_socket() {
        beast::error_code ignored;
        resolver_.cancel();
        stream_.socket().shutdown(tcp::socket::shutdown_both, ignored);
        stream_.socket().close(ignored);
    }

    std::string describe(const char* step, beast::error_code ec) const {
        if (ec == beast::error::timeout) return std::string("Server-Sent Events ") + step + " timed out";
        return std::string("Server-Sent Events ") + step + " failed: " + ec.message();
    }

    asio::io_context& io_;
    tcp::resolver resolver_;
    beast::tcp_stream stream_;
    transport_settings settings_;
    std::string url_;        // where POSTs go
    std::string stream_url_; // the GET, with access_token when there is one
    http_url target_;
    http::request<http::empty_body> request_;
    beast::flat_buffer buffer_;
    std::optional<http::response_parser<http::buffer_body>> parser_;
    std::array<char, 16 * 1024> chunk_{};
    protocol::sse_parser events_;
    std::shared_ptr<http_send_queue> sends_;
    started_handler started_;
    receive_handler receive_;
    closed_handler closed_;
    phase phase_ = phase::starting;
    bool stop_requested_ = false;
};

} // namespace

std::shared_ptr<transport> make_sse_transport(asio::io_context& io, transport_settings settings) {
    return std::make_shared<sse_transport>(io, std::move(settings));
}

} // namespace hubspec::client::detail
