// The Beast adapter: accepts TCP connections, reads HTTP requests, hands them
// to the endpoint router as plain data, writes its replies, and runs the
// WebSocket transport. One I/O thread runs everything, so hub code, timers and
// transports never race (a thread pool with strands is phase 2).
#include "hubspec/server/server.hpp"

#include "endpoint_router.hpp"
#include "hub_connection.hpp"
#include "log.hpp"
#include "scheduler.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>

#include <csignal>
#include <deque>
#include <optional>

namespace hubspec::server {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
using tcp = net::ip::tcp;
using detail::log_event;

namespace {

constexpr std::chrono::seconds request_read_timeout{30};  // a client that never sends a byte is dropped
constexpr std::size_t request_body_limit = 1 << 20;
constexpr std::size_t websocket_message_limit = 16 << 20;  // hub framing enforces the real limit (FRAME-009)

class asio_scheduler final : public detail::scheduler {
public:
    explicit asio_scheduler(net::io_context& io) : io_(io) {}

    timer_handle after(std::chrono::milliseconds delay, std::function<void()> callback) override {
        auto timer = std::make_shared<net::steady_timer>(io_, delay);
        timer->async_wait([timer, callback = std::move(callback)](beast::error_code ec) {
            if (!ec) detail::guarded("timer callback", callback);
        });
        std::weak_ptr<net::steady_timer> weak = timer;
        return timer_handle([weak] {
            if (auto t = weak.lock()) t->cancel();
        });
    }

private:
    net::io_context& io_;
};

// ---- WebSockets transport (WS-*) ----------------------------------------------

class websocket_session final : public detail::transport_sink,
                                public std::enable_shared_from_this<websocket_session> {
public:
    websocket_session(beast::tcp_stream&& stream, detail::endpoint_router& router, std::string token)
        : ws_(std::move(stream)), router_(router), token_(std::move(token)) {}

    void start(http::request<http::string_body> request, detail::websocket_accept accept) {
        websocket::stream_base::timeout timeouts{};
        timeouts.handshake_timeout = std::chrono::seconds(5);  // also bounds the close handshake (WS-013)
        timeouts.idle_timeout = websocket::stream_base::none();  // hub Pings and the client timeout do this (KA-*)
        timeouts.keep_alive_pings = false;
        ws_.set_option(timeouts);
        ws_.read_message_max(websocket_message_limit);
        connection_ = std::make_shared<detail::hub_connection>(accept.lifetime, std::move(accept.identity),
                                                               weak_from_this());
        ws_.async_accept(request, [self = shared_from_this()](beast::error_code ec) { self->on_accept(ec); });
    }

    void set_binary(bool binary) override { binary_ = binary; }

    void send(std::shared_ptr<const std::string> records) override {
        if (close_requested_ || finished_) return;
        queue_.push_back(std::move(records));
        if (!writing_) do_write();
    }

    void close() override {
        close_requested_ = true;
        if (!writing_) do_close();
    }

private:
    void on_accept(beast::error_code ec) {
        if (ec) {
            log_event("WS-001", token_, "upgrade failed: " + ec.message());
            finish();
            return;
        }
        connection_->start();
        do_read();
    }

    void do_read() {
        ws_.async_read(buffer_, [self = shared_from_this()](beast::error_code ec, std::size_t) { self->on_read(ec); });
    }

    void on_read(beast::error_code ec) {
        if (ec) {
            if (ec != websocket::error::closed && ec != net::error::operation_aborted && ec != net::error::eof) {
                log_event("WS-018", token_, "transport ended: " + ec.message());
            }
            finish();
            return;
        }
        // WS-008/010: either frame type, any number of records per message.
        const auto data = buffer_.cdata();
        const std::string_view bytes(static_cast<const char*>(data.data()), data.size());
        auto connection = connection_;
        connection->on_data(bytes);
        buffer_.consume(buffer_.size());
        if (!finished_) do_read();
    }

    void do_write() {
        // Several queued records go out as one message: still whole records (WS-011).
        writing_ = true;
        outgoing_.clear();
        while (!queue_.empty()) {
            outgoing_.append(*queue_.front());
            queue_.pop_front();
        }
        ws_.binary(binary_);  // WS-007
        ws_.async_write(net::buffer(outgoing_), [self = shared_from_this()](beast::error_code ec, std::size_t) {
            self->on_write(ec);
        });
    }

    void on_write(beast::error_code ec) {
        writing_ = false;
        if (ec) {
            log_event("WS-012", token_, "send failed: " + ec.message());
            beast::error_code ignored;
            ws_.next_layer().socket().close(ignored);
            finish();
            return;
        }
        if (!queue_.empty()) {
            do_write();
        } else if (close_requested_) {
            do_close();
        }
    }

    void do_close() {
        if (closing_ || finished_) return;
        closing_ = true;
        // WS-012: a normal end is status 1000 with an empty reason.
        ws_.async_close(websocket::close_code::normal, [self = shared_from_this()](beast::error_code) {
            beast::error_code ignored;
            self->ws_.next_layer().socket().shutdown(tcp::socket::shutdown_both, ignored);
            self->ws_.next_layer().socket().close(ignored);
            self->finish();
        });
    }

    void finish() {
        if (finished_) return;
        finished_ = true;
        router_.connection_ended(token_);
        if (connection_) connection_->on_transport_closed();
    }

    websocket::stream<beast::tcp_stream> ws_;
    detail::endpoint_router& router_;
    std::string token_;
    std::shared_ptr<detail::hub_connection> connection_;
    beast::flat_buffer buffer_;
    std::deque<std::shared_ptr<const std::string>> queue_;
    std::string outgoing_;
    bool binary_ = false;
    bool writing_ = false;
    bool close_requested_ = false;
    bool closing_ = false;
    bool finished_ = false;
};

// ---- HTTP -----------------------------------------------------------------------

class http_session final : public std::enable_shared_from_this<http_session> {
public:
    http_session(tcp::socket&& socket, detail::endpoint_router& router) : stream_(std::move(socket)), router_(router) {}

    void run() { do_read(); }

private:
    void do_read() {
        parser_.emplace();
        parser_->body_limit(request_body_limit);
        stream_.expires_after(request_read_timeout);
        http::async_read(stream_, buffer_, *parser_,
                         [self = shared_from_this()](beast::error_code ec, std::size_t) { self->on_read(ec); });
    }

    void on_read(beast::error_code ec) {
        if (ec == http::error::end_of_stream || ec == beast::error::timeout || ec == net::error::operation_aborted ||
            ec == net::error::connection_reset || ec == net::error::eof) {
            beast::error_code ignored;
            stream_.socket().shutdown(tcp::socket::shutdown_send, ignored);
            return;
        }
        if (ec) {
            log_event("HTTP", "-", "malformed request: " + ec.message());
            write_reply(detail::http_reply{400, "text/plain", "Bad Request"}, false, 11);
            return;
        }
        auto request = parser_->release();
        detail::http_request plain;
        plain.method = std::string(request.method_string());
        plain.target = std::string(request.target());
        for (const auto& field : request) plain.headers.emplace_back(field.name_string(), field.value());
        plain.websocket_upgrade = websocket::is_upgrade(request);

        detail::route_result routed;
        try {
            routed = router_.route(plain);
        } catch (const std::exception& e) {
            log_event("ERR-012", plain.target, std::string("500: ") + e.what());
            routed = detail::http_reply{500, "text/plain", ""};
        }
        if (auto* accept = std::get_if<detail::websocket_accept>(&routed)) {
            stream_.expires_never();
            auto token = accept->token;
            auto session = std::make_shared<websocket_session>(std::move(stream_), router_, std::move(token));
            session->start(std::move(request), std::move(*accept));
            return;
        }
        write_reply(std::get<detail::http_reply>(routed), request.keep_alive(), request.version());
    }

    void write_reply(const detail::http_reply& reply, bool keep_alive, unsigned version) {
        auto response = std::make_shared<http::response<http::string_body>>(static_cast<http::status>(reply.status),
                                                                             version);
        response->set(http::field::server, "hubspec-server");
        response->set(http::field::content_type, reply.content_type);
        response->body() = reply.body;
        response->keep_alive(keep_alive);
        response->prepare_payload();  // Content-Length (NEG-009)
        http::async_write(stream_, *response,
                          [self = shared_from_this(), response](beast::error_code ec, std::size_t) {
                              if (ec || !response->keep_alive()) {
                                  beast::error_code ignored;
                                  self->stream_.socket().shutdown(tcp::socket::shutdown_send, ignored);
                                  return;
                              }
                              self->do_read();
                          });
    }

    beast::tcp_stream stream_;
    detail::endpoint_router& router_;
    beast::flat_buffer buffer_;
    std::optional<http::request_parser<http::string_body>> parser_;
};

}  // namespace

// ---- the server ---------------------------------------------------------------

struct server::impl {
    explicit impl(server_options o) : options(std::move(o)), scheduler(io), router(options, scheduler) {}

    void accept() {
        acceptor->async_accept([this](beast::error_code ec, tcp::socket socket) {
            if (ec == net::error::operation_aborted) return;
            if (!ec) std::make_shared<http_session>(std::move(socket), router)->run();
            accept();
        });
    }

    void sweep() {
        sweep_timer.expires_after(std::chrono::seconds(1));  // KA-010: scan every 1 s
        sweep_timer.async_wait([this](beast::error_code ec) {
            if (ec) return;
            router.sweep(std::chrono::steady_clock::now());
            sweep();
        });
    }

    net::io_context io{1};
    server_options options;
    asio_scheduler scheduler;
    detail::endpoint_router router;
    std::optional<tcp::acceptor> acceptor;
    net::steady_timer sweep_timer{io};
};

server::server(server_options options) : impl_(std::make_unique<impl>(std::move(options))) {}
server::~server() = default;

void server::add_hub(std::string path, hub h, endpoint_options options) {
    impl_->router.add_hub(std::move(path), std::move(h), std::move(options));
}

void server::add_hub_alias(std::string path, const std::string& hub_path, endpoint_options options) {
    impl_->router.add_hub_alias(std::move(path), hub_path, std::move(options));
}

void server::enable_tokens(std::string redirect_path, std::string redirect_target) {
    impl_->router.enable_tokens(std::move(redirect_path), std::move(redirect_target));
}

std::uint16_t server::listen(const std::string& host, std::uint16_t port) {
    const tcp::endpoint endpoint(net::ip::make_address(host), port);
    impl_->acceptor.emplace(impl_->io);
    impl_->acceptor->open(endpoint.protocol());
    impl_->acceptor->set_option(net::socket_base::reuse_address(true));
    impl_->acceptor->bind(endpoint);
    impl_->acceptor->listen(net::socket_base::max_listen_connections);
    impl_->accept();
    impl_->sweep();
    return impl_->acceptor->local_endpoint().port();
}

void server::run(bool stop_on_signals) {
    std::optional<net::signal_set> signals;
    if (stop_on_signals) {
        signals.emplace(impl_->io, SIGINT, SIGTERM);
        signals->async_wait([this](beast::error_code ec, int) {
            if (!ec) impl_->io.stop();
        });
    }
    impl_->io.run();
}

void server::stop() { impl_->io.stop(); }

}  // namespace hubspec::server
