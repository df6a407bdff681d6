#include "websocket_transport.hpp"

#include "transport_base.hpp"

#include "http/http_url.hpp"
#include "http/user_agent.hpp"
#include "http/websocket_open.hpp"

#include <hubspec/protocol/url.hpp>

#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/websocket.hpp>

#include <deque>

namespace hubspec::client::detail {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;
using tcp = asio::ip::tcp;

namespace {

class websocket_transport final : public transport_base {
public:
    websocket_transport(asio::io_context& io, transport_settings settings)
        : transport_base(io, std::move(settings)), resolver_(io), ws_(io) {}

    protocol::transport_type type() const noexcept override { return protocol::transport_type::websockets; }

    void send(std::string bytes) override {
        if (phase_ != phase::open) return;
        queue_.push_back(std::move(bytes));
        if (!writing_) write_next();
    }

private:
    void connect(const std::string& url, protocol::transfer_format format) override {
        ws_url_ = protocol::websocket_url(url); // WS-002
        auto parsed = parse_http_url(ws_url_);
        if (!parsed) return fail_start("invalid WebSocket URL '" + url + "'");
        url_ = std::move(*parsed);
        // JSON in Text frames, MessagePack in Binary frames (WS-009).
        ws_.binary(format == protocol::transfer_format::binary);
        if (settings_.trace) settings_.trace(trace_direction::outgoing, trace_kind::http_request, "GET " + ws_url_);
        async_open_websocket(ws_, resolver_, url_, settings_.tls, settings_.headers, user_agent,
                             settings_.connect_timeout, response_,
                             [self = shared_as<websocket_transport>()](websocket_step step, beast::error_code ec,
                                                                       const std::string& failure) {
                                 self->on_open(step, ec, failure);
                             });
    }

    void cancel_start() override {
        resolver_.cancel();
        beast::get_lowest_layer(ws_).cancel();
    }

    void begin_close() override {
        if (!writing_) close();
    }

    void abort_open() override { beast::get_lowest_layer(ws_).close(); }

    void release() override {
        beast::error_code ignored;
        beast::get_lowest_layer(ws_).socket().close(ignored);
    }

    // A stop during the upgrade still sends the Close frame (on_open()); any other failed start closes the socket.
    void release_start() override {
        if (!ws_.is_open()) release();
    }

    void on_open(websocket_step step, beast::error_code ec, const std::string& failure) {
        switch (step) {
        case websocket_step::resolve: return fail_start(describe("resolve", ec, failure));
        case websocket_step::connect: return fail_start(describe("connect", ec, failure));
        case websocket_step::tls: return fail_start(describe("TLS handshake", ec, failure));
        case websocket_step::upgrade: break;
        }
        if (settings_.trace && (!ec || ec == websocket::error::upgrade_declined))
            settings_.trace(trace_direction::incoming, trace_kind::http_response,
                            status_line(response_.result_int(), std::string(response_.reason())), response_.body());
        if (ec == websocket::error::upgrade_declined)
            return fail_start("WebSocket upgrade declined with HTTP status " + std::to_string(response_.result_int()));
        if (ec) return fail_start(describe("handshake", ec));
        if (!opened("WebSockets " + ws_url_)) return close(); // a stop during the upgrade still sends Close
        read();
    }

    void read() {
        ws_.async_read(buffer_, [self = shared_as<websocket_transport>()](beast::error_code ec, std::size_t) {
            if (ec) return self->on_read_error(ec);
            // One WebSocket message may hold several records, or part of one (WS-010): the reader reassembles.
            auto data = self->buffer_.cdata();
            self->deliver("WebSocket message", std::string_view(static_cast<const char*>(data.data()), data.size()));
            self->buffer_.consume(self->buffer_.size());
            if (self->phase_ == phase::done) return;
            self->read();
        });
    }

    void on_read_error(beast::error_code ec) {
        if (ec == websocket::error::closed) {
            // A Close frame: graceful; a code other than 1000 is surfaced as an error (WS-018, WS-019).
            auto reason = ws_.reason();
            if (reason.code == websocket::close_code::normal || reason.code == websocket::close_code::none)
                return finish(std::nullopt);
            std::string text = "WebSocket closed with status code: " + std::to_string(reason.code);
            if (!reason.reason.empty()) text += " (" + std::string(reason.reason.c_str()) + ")";
            return finish(text + ".");
        }
        if (phase_ == phase::closing && !aborted_) return finish(std::nullopt);
        finish(describe("read", ec));
    }

    void write_next() {
        if (queue_.empty()) {
            writing_ = false;
            if (phase_ == phase::closing) close();
            return;
        }
        writing_ = true;
        if (settings_.trace)
            settings_.trace(trace_direction::outgoing, trace_kind::transport_data, "WebSocket message", queue_.front());
        ws_.async_write(asio::buffer(queue_.front()),
                        [self = shared_as<websocket_transport>()](beast::error_code ec, std::size_t) {
                            self->queue_.pop_front();
                            if (ec) {
                                self->writing_ = false;
                                self->queue_.clear();
                                beast::get_lowest_layer(self->ws_).close(); // the read fails next and reports it
                                return;
                            }
                            self->write_next();
                        });
    }

    void close() {
        if (close_sent_) return;
        close_sent_ = true;
        ws_.async_close(websocket::close_code::normal, [self = shared_as<websocket_transport>()](beast::error_code ec) {
            if (ec) beast::get_lowest_layer(self->ws_).close();
            // The pending read completes with error::closed (or the socket error) and reports the end.
        });
    }

    /// `failure`: the opener's own words for a step before the upgrade; else `ec` says it.
    std::string describe(const char* step, beast::error_code ec, const std::string& failure = {}) const {
        if (ec == beast::error::timeout) return std::string("WebSocket ") + step + " timed out";
        return std::string("WebSocket ") + step + " failed: " + (failure.empty() ? ec.message() : failure);
    }

    tcp::resolver resolver_;
    websocket_stream ws_;
    std::string ws_url_;
    http_url url_;
    websocket::response_type response_;
    beast::flat_buffer buffer_;
    std::deque<std::string> queue_;
    bool writing_ = false;
    bool close_sent_ = false;
};

} // namespace

std::shared_ptr<transport> make_websocket_transport(asio::io_context& io, transport_settings settings) {
    return std::make_shared<websocket_transport>(io, std::move(settings));
}

} // namespace hubspec::client::detail
