#include "proxy/fault_proxy.hpp"

#include <hubspec/net/http_stream.hpp>
#include <hubspec/protocol/detail/helpers.hpp>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/stream_traits.hpp>

#include <algorithm>
#include <array>
#include <atomic>
#include <deque>
#include <future>
#include <mutex>
#include <optional>
#include <set>
#include <thread>

namespace hubspec::harness::detail {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;
using clock = std::chrono::steady_clock;
using error_code = boost::system::error_code;
using net::http_stream;

namespace {

constexpr std::size_t max_request_head = 64 * 1024;
constexpr std::size_t sse_buffer_threshold = 64 * 1024;
// A target that accepts and never answers (TCP or TLS handshake) ends the session, not the cell's wait.
constexpr std::chrono::seconds upstream_connect_deadline{10};

/// The request head's header lines, minimally parsed: name (lower case) and value.
struct request_head {
    std::string request_line;
    std::vector<std::pair<std::string, std::string>> headers;

    bool has(std::string_view name, std::string_view value_part) const {
        for (const auto& [n, v] : headers)
            if (n == name && hubspec::protocol::detail::to_lower(v).find(value_part) != std::string::npos) return true;
        return false;
    }
    std::string write(bool strip_upgrade) const {
        std::string out = request_line + "\r\n";
        for (const auto& [n, v] : headers) {
            if (strip_upgrade && (n == "upgrade" || n == "connection" || n.starts_with("sec-websocket"))) continue;
            out += n + ": " + v + "\r\n";
        }
        return out + "\r\n";
    }
};

std::optional<request_head> parse_head(std::string_view text) {
    request_head head;
    auto end = text.find("\r\n");
    if (end == std::string_view::npos) return std::nullopt;
    head.request_line = std::string(text.substr(0, end));
    text.remove_prefix(end + 2);
    while (!text.empty()) {
        end = text.find("\r\n");
        if (end == std::string_view::npos) end = text.size();
        auto line = text.substr(0, end);
        text.remove_prefix(std::min(text.size(), end + 2));
        if (line.empty()) break;
        auto colon = line.find(':');
        if (colon == std::string_view::npos) return std::nullopt;
        auto value = line.substr(colon + 1);
        while (!value.empty() && value.front() == ' ')
            value.remove_prefix(1);
        head.headers.emplace_back(hubspec::protocol::detail::to_lower(line.substr(0, colon)), std::string(value));
    }
    return head;
}

} // namespace

struct fault_proxy::impl : std::enable_shared_from_this<fault_proxy::impl> {
    struct session;

    asio::io_context io;
    tcp::acceptor acceptor{io};
    std::string upstream_host, upstream_port;
    std::optional<client::tls_options> upstream_tls;
    std::function<void(std::string)> note;
    std::thread thread;

    // Settings, read on the io thread.
    bool refuse_websockets = false;
    bool strip_upgrade = false;
    bool buffer_sse = false;
    bool mute_clients = false; // client -> target bytes are read and dropped
    std::chrono::milliseconds delay{0};
    clock::time_point paused_until{};
    std::atomic<std::size_t> accepted{0};
    std::set<std::shared_ptr<session>> sessions;

    void say(std::string line) {
        if (note) note(std::move(line));
    }

    /// One direction of a relayed connection: chunks queued with the time they may leave.
    struct direction {
        http_stream* from = nullptr;
        http_stream* to = nullptr;
        std::array<char, 16 * 1024> buffer{};
        std::deque<std::pair<clock::time_point, std::string>> queue;
        bool writing = false;
        bool hold_for_sse = false; // server -> client of an event stream, while buffering
        std::string held;
        bool eof = false;
    };

    struct session : std::enable_shared_from_this<session> {
        session(impl& owner, tcp::socket accepted)
            : proxy(owner), client(boost::beast::tcp_stream(std::move(accepted))), upstream(owner.io),
              timer_up(owner.io), timer_down(owner.io) {}

        impl& proxy;
        http_stream client;   // plain loopback HTTP from the harness
        http_stream upstream; // to the target: TLS for an https:// one
        tcp::socket& socket_of(http_stream& s) { return boost::beast::get_lowest_layer(s).socket(); }
        asio::steady_timer timer_up, timer_down;
        std::string head_buffer;
        bool websocket = false;
        bool relaying = false; // connected to the target (TLS handshake done): both directions pumped
        bool closed = false;
        direction up, down; // up: client -> target; down: target -> client

        void start() {
            up.from = &client, up.to = &upstream;
            down.from = &upstream, down.to = &client;
            read_head();
        }

        void read_head() {
            auto self = shared_from_this();
            client.async_read_some(asio::buffer(up.buffer), [self](error_code ec, std::size_t n) {
                if (ec) return self->close();
                self->head_buffer.append(self->up.buffer.data(), n);
                const auto end = self->head_buffer.find("\r\n\r\n");
                if (end == std::string::npos) {
                    if (self->head_buffer.size() > max_request_head) return self->close();
                    return self->read_head();
                }
                self->on_head(end + 4);
            });
        }

        void on_head(std::size_t head_size) {
            auto head = parse_head(std::string_view(head_buffer).substr(0, head_size));
            if (!head) return close();
            const bool upgrade = head->has("upgrade", "websocket");
            if (upgrade && proxy.refuse_websockets) {
                proxy.say("proxy refused a WebSocket upgrade: " + head->request_line);
                auto reply = std::make_shared<std::string>(
                    "HTTP/1.1 503 Service Unavailable\r\nContent-Type: text/plain\r\nContent-Length: 32\r\n"
                    "Connection: close\r\n\r\nWebSocket refused by the proxy.\n");
                auto self = shared_from_this();
                asio::async_write(client, asio::buffer(*reply),
                                  [self, reply](error_code, std::size_t) { self->close(); });
                return;
            }
            std::string forwarded = head->write(upgrade && proxy.strip_upgrade);
            if (upgrade && proxy.strip_upgrade) proxy.say("proxy stripped the Upgrade header: " + head->request_line);
            websocket = upgrade && !proxy.strip_upgrade;
            down.hold_for_sse = proxy.buffer_sse && head->has("accept", "text/event-stream");
            forwarded.append(head_buffer, head_size, std::string::npos);
            head_buffer.clear();
            connect_upstream(std::move(forwarded));
        }

        void connect_upstream(std::string first_bytes) {
            auto self = shared_from_this();
            auto resolver = std::make_shared<tcp::resolver>(proxy.io);
            // A black hole delays the connection too; wait it out first.
            auto wait = std::make_shared<asio::steady_timer>(proxy.io, proxy.paused_until);
            wait->async_wait([self, resolver, wait, first = std::move(first_bytes)](error_code) mutable {
                resolver->async_resolve(
                    self->proxy.upstream_host, self->proxy.upstream_port,
                    [self, resolver, first = std::move(first)](error_code ec,
                                                               tcp::resolver::results_type results) mutable {
                        if (ec) return self->close();
                        boost::beast::get_lowest_layer(self->upstream).expires_after(upstream_connect_deadline);
                        boost::beast::get_lowest_layer(self->upstream)
                            .async_connect(results, [self, first = std::move(first)](error_code ec2,
                                                                                     const tcp::endpoint&) mutable {
                                if (ec2) return self->close();
                                error_code ignored; // relay each chunk as it comes, as the peers send it
                                self->socket_of(self->upstream).set_option(tcp::no_delay(true), ignored);
                                self->start_upstream_tls(std::move(first));
                            });
                    });
            });
        }

        void start_upstream_tls(std::string first_bytes) {
            if (!proxy.upstream_tls) return start_relay(std::move(first_bytes));
            const auto& tls = *proxy.upstream_tls;
            try {
                net::start_client_tls(upstream, *net::client_tls_context(tls.ca_file, tls.insecure),
                                      proxy.upstream_host, tls.insecure);
            } catch (const std::exception& e) {
                proxy.say(std::string("proxy cannot reach the target over TLS: ") + e.what());
                return close();
            }
            auto self = shared_from_this();
            upstream.tls().async_handshake(asio::ssl::stream_base::client,
                                           [self, first = std::move(first_bytes)](error_code ec) mutable {
                                               if (ec) {
                                                   self->proxy.say("proxy's TLS handshake with the target failed: " +
                                                                   net::describe_tls_failure(self->upstream, ec));
                                                   return self->close();
                                               }
                                               self->start_relay(std::move(first));
                                           });
        }

        void start_relay(std::string first_bytes) {
            relaying = true;
            boost::beast::get_lowest_layer(upstream).expires_never(); // relayed traffic has the peers' own timeouts
            enqueue(up, timer_up, std::move(first_bytes));
            pump(up, timer_up);
            pump(down, timer_down);
        }

        void pump(direction& d, asio::steady_timer& timer) {
            auto self = shared_from_this();
            d.from->async_read_some(asio::buffer(d.buffer), [self, &d, &timer](error_code ec, std::size_t n) {
                if (ec) {
                    d.eof = true;
                    if (d.hold_for_sse && !d.held.empty()) self->enqueue(d, timer, std::exchange(d.held, {}));
                    if (d.queue.empty() && !d.writing) self->close();
                    return;
                }
                if (&d == &self->up && self->proxy.mute_clients) return self->pump(d, timer);
                std::string chunk(d.buffer.data(), n);
                if (d.hold_for_sse) {
                    d.held += chunk;
                    if (d.held.size() < sse_buffer_threshold) return self->pump(d, timer);
                    d.hold_for_sse = false;
                    chunk = std::exchange(d.held, {});
                }
                self->enqueue(d, timer, std::move(chunk));
                self->pump(d, timer);
            });
        }

        void enqueue(direction& d, asio::steady_timer& timer, std::string bytes) {
            const auto at = std::max(clock::now() + proxy.delay, proxy.paused_until);
            d.queue.emplace_back(at, std::move(bytes));
            if (!d.writing) write_next(d, timer);
        }

        void write_next(direction& d, asio::steady_timer& timer) {
            if (closed) return;
            if (d.queue.empty()) {
                d.writing = false;
                if (d.eof) close();
                return;
            }
            d.writing = true;
            auto self = shared_from_this();
            const auto at = std::max(d.queue.front().first, proxy.paused_until);
            timer.expires_at(at);
            timer.async_wait([self, &d, &timer](error_code ec) {
                if (ec || self->closed) return;
                if (clock::now() < self->proxy.paused_until) return self->write_next(d, timer); // paused meanwhile
                asio::async_write(*d.to, asio::buffer(d.queue.front().second),
                                  [self, &d, &timer](error_code ec2, std::size_t) {
                                      if (ec2) return self->close();
                                      d.queue.pop_front();
                                      self->write_next(d, timer);
                                  });
            });
        }

        void cut(bool close_frame) {
            if (closed) return;
            if (close_frame && websocket) {
                // Close 1001 "going away": unmasked to the client, masked (zero key) to the target.
                static const char to_client[] = {'\x88', '\x02', '\x03', '\xe9'};
                static const char to_target[] = {'\x88', '\x82', '\x00', '\x00', '\x00', '\x00', '\x03', '\xe9'};
                error_code ignored;
                asio::write(client, asio::buffer(to_client, sizeof to_client), ignored);
                // Over TLS a record may not be written mid-handshake or beside another write: the
                // target then sees the cut without the frame.
                if (!upstream.secure() || (relaying && !up.writing))
                    asio::write(upstream, asio::buffer(to_target, sizeof to_target), ignored);
            }
            close();
        }

        void close() {
            if (closed) return;
            closed = true;
            error_code ignored;
            socket_of(client).shutdown(tcp::socket::shutdown_both, ignored);
            socket_of(client).close(ignored);
            socket_of(upstream).shutdown(tcp::socket::shutdown_both, ignored);
            socket_of(upstream).close(ignored);
            timer_up.cancel();
            timer_down.cancel();
            proxy.sessions.erase(shared_from_this());
        }
    };

    void accept() {
        acceptor.async_accept([self = shared_from_this()](error_code ec, tcp::socket socket) {
            if (ec) return; // the acceptor closed
            ++self->accepted;
            error_code ignored;
            socket.set_option(tcp::no_delay(true), ignored);
            auto s = std::make_shared<session>(*self, std::move(socket));
            self->sessions.insert(s);
            s->start();
            self->accept();
        });
    }

    template <class F>
    auto on_io(F f) -> decltype(f()) {
        std::packaged_task<decltype(f())()> task(std::move(f));
        auto result = task.get_future();
        asio::post(io, [&task] { task(); });
        return result.get();
    }
};

fault_proxy::fault_proxy(std::string upstream_host, std::string upstream_port,
                         std::optional<client::tls_options> upstream_tls, std::function<void(std::string)> note)
    : impl_(std::make_shared<impl>()) {
    impl_->upstream_host = std::move(upstream_host);
    impl_->upstream_port = std::move(upstream_port);
    impl_->upstream_tls = std::move(upstream_tls);
    impl_->note = std::move(note);
    const tcp::endpoint loopback(asio::ip::make_address("127.0.0.1"), 0);
    impl_->acceptor.open(loopback.protocol());
    impl_->acceptor.set_option(tcp::acceptor::reuse_address(true));
    impl_->acceptor.bind(loopback);
    impl_->acceptor.listen();
    impl_->accept();
    impl_->thread = std::thread([state = impl_] { state->io.run(); });
}

fault_proxy::~fault_proxy() {
    impl_->on_io([this] {
        error_code ignored;
        impl_->acceptor.close(ignored);
        auto sessions = impl_->sessions; // close() erases
        for (const auto& s : sessions)
            s->close();
        return 0;
    });
    impl_->io.stop();
    impl_->thread.join();
}

std::string fault_proxy::origin() const {
    return "http://127.0.0.1:" + std::to_string(impl_->acceptor.local_endpoint().port());
}

void fault_proxy::refuse_websockets(bool on) {
    impl_->on_io([this, on] { return impl_->refuse_websockets = on; });
}

void fault_proxy::strip_upgrade(bool on) {
    impl_->on_io([this, on] { return impl_->strip_upgrade = on; });
}

void fault_proxy::buffer_server_sent_events(bool on) {
    impl_->on_io([this, on] { return impl_->buffer_sse = on; });
}

void fault_proxy::latency(std::chrono::milliseconds delay) {
    impl_->on_io([this, delay] { return impl_->delay = delay; });
}

void fault_proxy::black_hole(std::chrono::milliseconds duration) {
    impl_->on_io([this, duration] { return impl_->paused_until = clock::now() + duration; });
}

void fault_proxy::mute_clients(bool on) {
    impl_->on_io([this, on] { return impl_->mute_clients = on; });
}

std::size_t fault_proxy::cut_all(bool close_frame) {
    return impl_->on_io([this, close_frame] {
        auto sessions = impl_->sessions;
        for (const auto& s : sessions)
            s->cut(close_frame);
        return sessions.size();
    });
}

std::size_t fault_proxy::connections_accepted() const {
    return impl_->accepted;
}

} // namespace hubspec::harness::detail
