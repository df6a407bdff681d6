// The WebSockets transport (WS-*): one hub connection on one WebSocket; a
// stateful connection may come back on a new one (SR-011, SR-019).
#include "transports.hpp"

#include "hub_strand.hpp"
#include "log.hpp"
#include "send_deadline.hpp"

#include <boost/asio/buffer.hpp>
#include <boost/asio/defer.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/websocket.hpp>

#include <atomic>
#include <deque>

namespace hubspec::server::detail {

namespace {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
using tcp = net::ip::tcp;

constexpr std::size_t websocket_message_limit = 16 << 20; // hub framing enforces the real limit (FRAME-009)
// Messages read but not yet handled by the hub: reading goes on while they stay under this, so that
// the socket and the hub work side by side, and stops above it, so that a flood waits in TCP.
constexpr std::size_t read_ahead_limit = 256 << 10;

class websocket_session final : public transport_sink, public std::enable_shared_from_this<websocket_session> {
public:
    websocket_session(hubspec::net::http_stream&& stream, endpoint_router& router, websocket_accept accept,
                      net::any_io_executor hub)
        : ws_(std::move(stream)), router_(router), strands_(std::move(hub), ws_.get_executor()),
          token_(std::move(accept.token)), connection_(std::move(accept.connection)), resume_(accept.resume),
          send_deadline_(ws_.get_executor()) {}

    /// On the session's strand.
    void start(http::request<http::string_body> request) {
        websocket::stream_base::timeout timeouts{};
        timeouts.handshake_timeout = std::chrono::seconds(5);   // also bounds the close handshake (WS-013)
        timeouts.idle_timeout = websocket::stream_base::none(); // hub Pings and the client timeout do this (KA-*)
        timeouts.keep_alive_pings = false;
        ws_.set_option(timeouts);
        ws_.read_message_max(websocket_message_limit);
        ws_.set_option(websocket::stream_base::decorator(
            [](websocket::response_type& response) { response.set(http::field::server, "hubspec-server"); }));
        if (!resume_)
            strands_.on_hub([self = shared_from_this()] { self->connection_->attach(self->weak_from_this()); });
        ws_.async_accept(request, [self = shared_from_this()](beast::error_code ec) { self->on_accept(ec); });
    }

    // The transport_sink calls come on the hub strand: each is posted to the session's, in order.

    void set_binary(bool binary) override {
        strands_.on_session([self = shared_from_this(), binary = router_.faults().hooks().binary_frames(binary)] {
            self->binary_ = binary; // WS-007
        });
    }

    void send(std::shared_ptr<const std::string> records) override {
        strands_.on_session([self = shared_from_this(), records = std::move(records)]() mutable {
            if (self->close_requested_ || self->finished_ || self->abandoned_) return;
            self->queue_.push_back(std::move(records));
            if (!self->writing_) self->do_write();
        });
    }

    void close() override {
        strands_.on_session([self = shared_from_this()] {
            self->close_requested_ = true;
            if (!self->writing_) self->do_close();
        });
    }

    void abandon() override {
        strands_.on_session([self = shared_from_this()] {
            // SR-019: replaced by a resumed WebSocket; no Close frame, as a lost network.
            self->abandoned_ = true;
            self->queue_.clear();
            beast::error_code ignored;
            beast::get_lowest_layer(self->ws_).socket().close(ignored);
        });
    }

private:
    void on_accept(beast::error_code ec) {
        if (ec) {
            log_event("WS-001", token_, "upgrade failed: " + ec.message());
            finish(transport_end::ungraceful);
            return;
        }
        if (resume_) {
            // Nothing is read until the connection took this WebSocket: its bytes belong to the resumed one.
            strands_.on_hub([self = shared_from_this()] {
                const bool resumed = self->connection_->resume(self->weak_from_this());
                self->strands_.on_session([self, resumed] {
                    if (resumed) return self->do_read();
                    log_event("SR-016", self->token_, "the connection cannot resume any more");
                    self->close_requested_ = true;
                    self->do_close();
                });
            });
            return;
        }
        strands_.on_hub([self = shared_from_this()] { self->connection_->start(); });
        do_read();
    }

    void do_read() {
        ws_.async_read(buffer_, [self = shared_from_this()](beast::error_code ec, std::size_t) { self->on_read(ec); });
    }

    void on_read(beast::error_code ec) {
        if (ec) {
            // WS-018: a Close frame is graceful; a reset, EOF or abort is not (SR-011).
            // A Close frame that arrived counts even when the peer cut TCP before the closing handshake ended.
            const bool graceful =
                ec == websocket::error::closed || close_requested_ || ws_.reason().code != websocket::close_code::none;
            if (!graceful && ec != net::error::operation_aborted) lost(ec.message());
            finish(graceful ? transport_end::graceful : transport_end::ungraceful);
            return;
        }
        // WS-008/010: either frame type, any number of records per message.
        const auto data = buffer_.cdata();
        std::string bytes(static_cast<const char*>(data.data()), data.size());
        buffer_.consume(buffer_.size());
        const auto size = bytes.size();
        strands_.on_hub([self = shared_from_this(), bytes = std::move(bytes)] {
            self->connection_->on_data(bytes);
            self->handled(bytes.size());
        });
        if (unhandled_.fetch_add(size) + size >= read_ahead_limit) {
            read_paused_ = true;
            // The hub may have caught up before the pause was seen: then nobody else resumes.
            if (unhandled_.load() >= read_ahead_limit || !read_paused_.exchange(false)) return;
        }
        if (!finished_) do_read();
    }

    /// On the hub strand, after it handled `size` bytes: reading resumes if it waited for that.
    void handled(std::size_t size) {
        if (unhandled_.fetch_sub(size) - size < read_ahead_limit && read_paused_.exchange(false))
            strands_.on_session([self = shared_from_this()] {
                if (!self->finished_) self->do_read();
            });
    }

    void do_write() {
        // Several queued records go out as one message: still whole records (WS-011).
        writing_ = true;
        outgoing_.clear();
        while (!queue_.empty()) {
            outgoing_.append(*queue_.front());
            queue_.pop_front();
        }
        const auto first =
            router_.faults().hooks().first_message_size(transport_message::websocket_message, outgoing_.size());
        if (first < outgoing_.size()) { // WS-011 broken: the rest goes in the next message
            queue_.push_front(std::make_shared<const std::string>(outgoing_.substr(first)));
            outgoing_.resize(first);
        }
        ws_.binary(binary_); // WS-007
        send_deadline_.arm(router_.transport_send_timeout(), [self = shared_from_this()] {
            log_event("KA-011", self->token_, "a send took longer than TransportSendTimeout: closing the socket");
            beast::error_code ignored;
            beast::get_lowest_layer(self->ws_).socket().close(
                ignored); // the pending write then fails: on_write ends it
        });
        ws_.async_write(net::buffer(outgoing_),
                        [self = shared_from_this()](beast::error_code ec, std::size_t) { self->on_write(ec); });
    }

    void on_write(beast::error_code ec) {
        writing_ = false;
        send_deadline_.disarm();
        if (ec) {
            // Our own cancel (the connection already ended) is no news; a peer that vanished is, once.
            if (ec != net::error::operation_aborted) lost("send failed: " + ec.message());
            beast::error_code ignored;
            beast::get_lowest_layer(ws_).socket().close(ignored);
            finish(transport_end::ungraceful);
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
            beast::get_lowest_layer(self->ws_).socket().shutdown(tcp::socket::shutdown_both, ignored);
            beast::get_lowest_layer(self->ws_).socket().close(ignored);
            self->finish(transport_end::graceful);
        });
    }

    /// One line per connection that ends without a Close frame (WS-018), however many of its
    /// reads and writes fail: a thousand vanished peers make a thousand lines, not three thousand.
    void lost(const std::string& how) {
        if (abandoned_ || lost_logged_) return;
        lost_logged_ = true;
        log_event("WS-018", token_, "transport ended without a Close frame: " + how);
    }

    void finish(transport_end how) {
        if (finished_) return;
        finished_ = true;
        strands_.on_hub(
            [self = shared_from_this(), how] { self->router_.transport_ended(self->token_, self.get(), how); });
    }

    websocket::stream<hubspec::net::http_stream> ws_;
    endpoint_router& router_;
    session_strands strands_;
    std::string token_;
    std::shared_ptr<hub_connection> connection_;
    bool resume_ = false;
    send_deadline send_deadline_;
    beast::flat_buffer buffer_;
    std::deque<std::shared_ptr<const std::string>> queue_;
    std::string outgoing_;
    bool binary_ = false;
    bool writing_ = false;
    bool close_requested_ = false;
    bool closing_ = false;
    bool finished_ = false;
    bool abandoned_ = false;
    bool lost_logged_ = false;
    std::atomic<std::size_t> unhandled_{0}; // bytes read and posted to the hub, not yet handled there
    std::atomic<bool> read_paused_{false};  // reading waits for the hub (read_ahead_limit)
};

} // namespace

void run_websocket_transport(hubspec::net::http_stream&& stream, http::request<http::string_body> request,
                             endpoint_router& router, websocket_accept accept, const net::any_io_executor& hub) {
    auto session = std::make_shared<websocket_session>(std::move(stream), router, std::move(accept), hub);
    session->start(std::move(request));
}

} // namespace hubspec::server::detail
