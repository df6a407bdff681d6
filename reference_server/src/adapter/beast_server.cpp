// The Beast adapter: accepts TCP connections, reads HTTP requests, hands them
// to the endpoint router as plain data, and writes its replies, now or later
// (long polls, LP-005..009); WebSockets and event streams go to their transports
// (transports/). A pool of I/O threads runs the sockets, each connection on its
// own strand; the router, the hubs and their timers run on one strand, the hub
// strand, so hub code never races (README: Threads).
#include "hubspec/server/server.hpp"

#include "http/endpoint_router.hpp"
#include "hub/hub_connection.hpp"
#include "hub_strand.hpp"
#include "log.hpp"
#include "random_bytes.hpp"
#include "redis_pubsub.hpp"
#include "scheduler.hpp"
#include "server_control_impl.hpp"
#include "transports.hpp"

#include <boost/asio/defer.hpp>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <hubspec/net/http_stream.hpp>

#include <boost/asio/ssl/context.hpp>
#include <boost/asio/ssl/error.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/core/detect_ssl.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket/rfc6455.hpp>

#include <algorithm>
#include <cerrno>
#include <csignal>
#include <cstring>
#include <deque>
#include <malloc.h>
#include <map>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <sys/socket.h>
#include <thread>
#include <unistd.h>

namespace hubspec::server {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
using tcp = net::ip::tcp;
using detail::log_event;

namespace {

constexpr std::chrono::seconds request_read_timeout{30}; // a client that never sends a byte is dropped
constexpr std::size_t request_body_limit = 1 << 20;

class asio_scheduler final : public detail::scheduler {
public:
    explicit asio_scheduler(net::any_io_executor hub) : hub_(std::move(hub)) {}

    timer_handle after(std::chrono::milliseconds delay, std::function<void()> callback) override {
        auto timer = std::make_shared<net::steady_timer>(hub_, delay);
        timer->async_wait([timer, callback = std::move(callback)](beast::error_code ec) {
            if (!ec) detail::guarded("timer callback", callback);
        });
        std::weak_ptr<net::steady_timer> weak = timer;
        return timer_handle([weak] { // hub strand: where timers are armed and cancelled
            if (auto t = weak.lock()) t->cancel();
        });
    }

private:
    net::any_io_executor hub_;
};

// ---- HTTP -----------------------------------------------------------------------

/// A WebSocket key is 16 bytes in base64: 22 characters of the alphabet and "==" (RFC 6455 §4.2.1).
bool valid_websocket_key(std::string_view key) {
    if (key.size() != 24 || key.substr(22) != "==") return false;
    return std::all_of(key.begin(), key.begin() + 22, [](char c) {
        return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '+' || c == '/';
    });
}

class http_session final : public std::enable_shared_from_this<http_session> {
public:
    /// `tls`: the port speaks TLS (--tls-cert); null: plain HTTP. The socket's executor is the
    /// session's strand; `hub` is the strand of the router and the hubs.
    http_session(tcp::socket&& socket, detail::endpoint_router& router, std::shared_ptr<net::ssl::context> tls,
                 net::any_io_executor hub)
        : stream_(beast::tcp_stream(std::move(socket))), router_(router), tls_(std::move(tls)), hub_(std::move(hub)) {}

    /// On the session's strand.
    void run() {
        if (tls_) return detect_tls();
        do_read();
    }

private:
    /// A TLS port that gets plain HTTP answers it in plain HTTP, naming the mistake, where a bare
    /// handshake failure would leave the client with a closed connection and no reason.
    void detect_tls() {
        tcp_layer().expires_after(request_read_timeout);
        beast::async_detect_ssl(tcp_layer(), buffer_, [self = shared_from_this()](beast::error_code ec, bool is_tls) {
            if (ec) return self->end_quietly();
            if (!is_tls) {
                log_event("HTTP", "-", "plain HTTP on the TLS port: answered 400");
                return self->write_reply(
                    detail::http_reply{400, "text/plain",
                                       "This port speaks TLS: use https:// (or wss://) for this server.\n"},
                    false, 11);
            }
            self->stream_.use_tls(*self->tls_);
            self->stream_.tls().async_handshake(
                net::ssl::stream_base::server, self->buffer_.data(), [self](beast::error_code ec2, std::size_t used) {
                    if (ec2) {
                        log_event("HTTP", "-", "TLS handshake failed: " + ec2.message());
                        return self->end_quietly();
                    }
                    self->buffer_.consume(used);
                    self->do_read();
                });
        });
    }

    beast::tcp_stream& tcp_layer() { return beast::get_lowest_layer(stream_); }

    void end_quietly() {
        beast::error_code ignored;
        tcp_layer().socket().shutdown(tcp::socket::shutdown_both, ignored);
        tcp_layer().socket().close(ignored);
    }

    void do_read() {
        parser_.emplace();
        parser_->body_limit(request_body_limit);
        tcp_layer().expires_after(request_read_timeout);
        http::async_read(stream_, buffer_, *parser_,
                         [self = shared_from_this()](beast::error_code ec, std::size_t) { self->on_read(ec); });
    }

    void on_read(beast::error_code ec) {
        // stream_truncated: a TLS client that closed without close_notify, as most do after a reply.
        if (ec == http::error::end_of_stream || ec == beast::error::timeout || ec == net::error::operation_aborted ||
            ec == net::ssl::error::stream_truncated || ec == net::error::connection_reset || ec == net::error::eof) {
            beast::error_code ignored;
            tcp_layer().socket().shutdown(tcp::socket::shutdown_send, ignored);
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
        for (const auto& field : request)
            plain.headers.emplace_back(field.name_string(), field.value());
        plain.websocket_upgrade = websocket::is_upgrade(request);
        if (plain.websocket_upgrade && !valid_websocket_key(request[http::field::sec_websocket_key])) {
            // RFC 6455 §4.2.1: 16 bytes in base64; Beast's accept checks only the upper bound. Kestrel answers 400.
            log_event("WS-001", plain.target, "400: Sec-WebSocket-Key is not 16 bytes in base64");
            return write_reply(
                detail::http_reply{400, "text/plain",
                                   "Sec-WebSocket-Key must be 16 bytes in base64 (RFC 6455 section 4.2.1)"},
                false, request.version());
        }
        plain.secure = stream_.secure();
        if (request.method() == http::verb::post) plain.body = request.body(); // LP-013
        tcp_layer().expires_never();                                           // the reply sets its own deadline
        net::defer(hub_, [self = shared_from_this(), plain = std::move(plain), request = std::move(request)]() mutable {
            self->route(plain, std::move(request));
        });
    }

    /// On the hub strand: the router decides; what it decided goes back to the session's strand.
    void route(const detail::http_request& plain, http::request<http::string_body> request) {
        detail::route_result routed;
        try {
            routed = router_.route(plain);
        } catch (const std::exception& e) {
            log_event("ERR-012", plain.target, std::string("500: ") + e.what());
            routed = detail::http_reply{500, "text/plain", ""};
        }
        if (auto* accept = std::get_if<detail::sse_accept>(&routed)) {
            detail::open_sse_transport(router_, std::move(*accept), hub_, stream_.get_executor(),
                                       [self = shared_from_this()] { return std::move(self->stream_); });
            return;
        }
        const bool keep_alive = request.keep_alive();
        const unsigned version = request.version();
        if (auto* later = std::get_if<std::shared_ptr<detail::deferred_reply>>(&routed)) {
            // A long poll: the reply comes with data, the poll timeout, a newer poll or the end (LP-005..009).
            (*later)->on_ready([self = shared_from_this(), keep_alive, version](detail::http_reply reply) {
                net::defer(self->stream_.get_executor(), [self, reply = std::move(reply), keep_alive, version] {
                    self->write_reply(reply, keep_alive, version);
                });
            });
            if (!(*later)->done())
                net::defer(stream_.get_executor(),
                           [self = shared_from_this(), poll = *later] { self->watch_pending_poll(poll); });
            return;
        }
        net::defer(stream_.get_executor(), [self = shared_from_this(), routed = std::move(routed),
                                            request = std::move(request), keep_alive, version]() mutable {
            self->take_route(std::move(routed), std::move(request), keep_alive, version);
        });
    }

    /// On the session's strand: a transport takes the stream over, or the reply goes out.
    void take_route(detail::route_result routed, http::request<http::string_body> request, bool keep_alive,
                    unsigned version) {
        if (auto* accept = std::get_if<detail::websocket_accept>(&routed)) {
            // Frames a client sent right behind its upgrade request are the WebSocket's first (Kestrel reads them too).
            if (buffer_.size() != 0) stream_.unread(beast::buffers_to_string(buffer_.data()));
            buffer_.consume(buffer_.size());
            detail::run_websocket_transport(std::move(stream_), std::move(request), router_, std::move(*accept), hub_);
            return;
        }
        write_reply(std::get<detail::http_reply>(routed), keep_alive, version);
    }

    /// While a poll waits, a readable socket means its client closed it (or sent more): an end abandons
    /// the poll, so that its transport keeps what it would have written into a dead socket.
    void watch_pending_poll(const std::shared_ptr<detail::deferred_reply>& poll) {
        // Under TLS too: the bytes are encrypted, but their record type still tells an alert from data.
        tcp_layer().socket().async_wait(
            tcp::socket::wait_read, [self = shared_from_this(), poll](beast::error_code ec) {
                if (ec || poll->done()) return;
                // Never a blocking read: with several threads on the reactor, readiness can be reported for
                // bytes that the previous request's read already took, and a blocking peek would stall this
                // strand (and the poll's reply) until the client sends again. Nothing there: watch again.
                char next = 0;
                const auto n = ::recv(self->tcp_layer().socket().native_handle(), &next, 1, MSG_PEEK | MSG_DONTWAIT);
                if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR))
                    return self->watch_pending_poll(poll);
                // Bytes of a next request are read once this poll is answered; under TLS, an alert record
                // (0x15: close_notify) is the client leaving, not a request.
                constexpr char tls_alert_record = 0x15;
                if (n > 0 && !(self->stream_.secure() && next == tls_alert_record)) return;
                net::defer(self->hub_, [poll] { poll->abandon(); });
                beast::error_code ignored;
                self->tcp_layer().socket().close(ignored);
            });
    }

    void write_reply(const detail::http_reply& reply, bool keep_alive, unsigned version) {
        if (reply.drops_connection()) {
            // The control API dropped a long poll: no reply, as when the network fails.
            beast::error_code ignored;
            tcp_layer().socket().close(ignored);
            return;
        }
        auto response =
            std::make_shared<http::response<http::string_body>>(static_cast<http::status>(reply.status), version);
        response->set(http::field::server, "hubspec-server");
        response->set(http::field::content_type, reply.content_type);
        for (const auto& [name, value] : reply.headers)
            response->set(name, value);
        response->body() = reply.body;
        response->keep_alive(keep_alive);
        response->prepare_payload(); // Content-Length (NEG-009)
        tcp_layer().expires_after(request_read_timeout);
        http::async_write(stream_, *response, [self = shared_from_this(), response](beast::error_code ec, std::size_t) {
            if (ec || !response->keep_alive()) {
                beast::error_code ignored;
                self->tcp_layer().socket().shutdown(tcp::socket::shutdown_send, ignored);
                return;
            }
            self->do_read();
        });
    }

    hubspec::net::http_stream stream_;
    detail::endpoint_router& router_;
    std::shared_ptr<net::ssl::context> tls_;
    beast::flat_buffer buffer_;
    std::optional<http::request_parser<http::string_body>> parser_;
    net::any_io_executor hub_;
};

} // namespace

// ---- the server ---------------------------------------------------------------

struct server::impl {
    explicit impl(server_options o)
        : options(std::move(o)), io(static_cast<int>(std::max(1u, options.io_threads))), hub(net::make_strand(io)),
          scheduler(hub), router(options, scheduler), sweep_timer(hub),
          control(std::make_unique<server_control::impl>(router, hub, running)) {}

    void accept() {
        // Each connection gets its own strand: its reads and writes never overlap, whichever thread runs them.
        acceptor->async_accept(net::make_strand(io), [this](beast::error_code ec, tcp::socket socket) {
            if (ec == net::error::operation_aborted) return;
            if (ec) {
                // Out of descriptors (EMFILE) fails every accept at once: retrying at once would spin a
                // core and say nothing. One line per streak, and a retry every 100 ms until one succeeds.
                if (!accept_failing)
                    log_event("HTTP", "-", "accept failed: " + ec.message() + "; retrying every 100 ms");
                accept_failing = true;
                accept_retry.expires_after(std::chrono::milliseconds(100));
                accept_retry.async_wait([this](beast::error_code wait_error) {
                    if (!wait_error) accept();
                });
                return;
            }
            if (accept_failing) log_event("HTTP", "-", "accepting again");
            accept_failing = false;
            {
                beast::error_code ignored; // replies go out now, not after the peer's delayed ACK
                socket.set_option(tcp::no_delay(true), ignored);
                const auto strand = socket.get_executor();
                auto session = std::make_shared<http_session>(std::move(socket), router, tls, hub);
                net::dispatch(strand, [session] { session->run(); });
            }
            accept();
        });
    }

    void sweep() {
        sweep_timer.expires_after(std::chrono::seconds(1)); // KA-010: scan every 1 s
        sweep_timer.async_wait([this](beast::error_code ec) {
            if (ec) return;
            router.sweep(std::chrono::steady_clock::now());
            return_freed_memory();
            sweep();
        });
    }

    /// After many connections ended, hands their freed buffers back to the system: the
    /// allocator keeps freed memory for reuse, so RSS would stay at its peak (issue 16).
    void return_freed_memory() {
        constexpr std::size_t ended_enough = 64;
        ended_since_trim += router.take_ended_count();
        if (ended_since_trim < ended_enough) return;
        ::malloc_trim(0);
        ended_since_trim = 0;
    }

    server_options options;
    net::io_context io;
    detail::hub_strand hub; // the router, the hubs, their timers, the backplane and the control API
    asio_scheduler scheduler;
    detail::endpoint_router router;
    std::optional<tcp::acceptor> acceptor;
    std::shared_ptr<net::ssl::context> tls; // --tls-cert and --tls-key given: every connection is TLS
    net::steady_timer sweep_timer;
    net::steady_timer accept_retry{io}; // after a failed accept (accept())
    bool accept_failing = false;        // touched by the accept chain only: one accept is pending at a time
    std::size_t ended_since_trim = 0;   // connections that ended since the last malloc_trim
    std::atomic<bool> running{false};
    server_control control;
    std::unique_ptr<detail::redis_pubsub> backplane; // --redis: the hubs scale out over it

    ~impl() {
        // Hubs may outlive the server in their connections: they leave the backplane before it goes.
        if (!backplane) return;
        router.for_each_hub([](const std::string&, detail::hub_lifetime& lifetime) { lifetime.leave_backplane(); });
        backplane->close();
    }

    /// Joins every hub to the Redis backplane (redis-backplane.md): one bus, one server name per hub key.
    void scale_out() {
        const auto& o = options.backplane;
        if (o.redis_host.empty() || backplane) return;
        backplane = std::make_unique<detail::redis_pubsub>(
            hub, detail::redis_address{o.redis_host, o.redis_port, o.redis_user, o.redis_password});
        char host[256] = {};
        if (::gethostname(host, sizeof host - 1) != 0) std::strcpy(host, "hubspec");
        std::map<std::string, std::string>
            paths_by_key; // one bus: two hubs on one key would steal each other's channels
        router.for_each_hub([&](const std::string& path, detail::hub_lifetime& lifetime) {
            detail::scaleout_settings settings;
            settings.channel_prefix = o.channel_prefix;
            auto named = o.hub_type_names.find(path);
            settings.hub_key = named != o.hub_type_names.end() ? named->second : lifetime.definition().type_name();
            if (auto [other, fresh] = paths_by_key.emplace(settings.hub_key, path); !fresh)
                throw std::invalid_argument("the hubs at " + other->second + " and " + path +
                                            " would share the backplane key '" + settings.hub_key +
                                            "': give each its own (--hub-type-name PATH=NAME, hub::type_name)");
            settings.server_name = protocol::backplane::make_server_name(host, detail::random_bytes()); // RB-012
            settings.ack_timeout = o.ack_timeout;
            settings.client_result_timeout = o.client_result_timeout;
            lifetime.scale_out(*backplane, std::move(settings));
        });
    }
};

server::server(server_options options) : impl_(std::make_unique<impl>(std::move(options))) {
    detail::set_log_enabled(impl_->options.log_to_stderr);
}
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
    const auto& options = impl_->options;
    if (!options.tls_certificate_file.empty() || !options.tls_private_key_file.empty())
        impl_->tls = hubspec::net::server_tls_context(options.tls_certificate_file, options.tls_private_key_file);
    const tcp::endpoint endpoint(net::ip::make_address(host), port);
    impl_->acceptor.emplace(impl_->io);
    impl_->acceptor->open(endpoint.protocol());
    impl_->acceptor->set_option(net::socket_base::reuse_address(true));
    impl_->acceptor->bind(endpoint);
    impl_->acceptor->listen(net::socket_base::max_listen_connections);
    impl_->scale_out();
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
    impl_->running = true;
    struct not_running_after {
        std::atomic<bool>& flag;
        ~not_running_after() { flag = false; } // the control API then runs its calls inline
    } guard{impl_->running};
    // This thread is the pool's first; a handler that throws stops every thread, and run() rethrows it.
    std::mutex failure_mutex;
    std::exception_ptr failure;
    auto run_loop = [&] {
        try {
            impl_->io.run();
        } catch (...) {
            std::lock_guard lock(failure_mutex);
            if (!failure) failure = std::current_exception();
            impl_->io.stop();
        }
    };
    std::vector<std::thread> pool;
    for (unsigned i = 1; i < impl_->options.io_threads; ++i)
        pool.emplace_back(run_loop);
    run_loop();
    for (auto& thread : pool)
        thread.join();
    if (failure) std::rethrow_exception(failure);
}

void server::stop() {
    impl_->io.stop();
}

server_control& server::control() {
    return impl_->control;
}

} // namespace hubspec::server
