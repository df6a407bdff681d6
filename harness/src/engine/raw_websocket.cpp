// The raw WebSocket transport on Beast: one WebSocket message per send, each
// received message delivered as it came (WS-007, WS-010, WS-012, WS-018).

#include "engine/io_thread.hpp"
#include "engine/payload_text.hpp"
#include "engine/raw_transports.hpp"

#include "websocket_open.hpp" // the client's WebSocket opening (harness -> reference client)

#include <hubspec/protocol/url.hpp>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/websocket.hpp>

#include <atomic>
#include <deque>
#include <future>
#include <stdexcept>

namespace hubspec::harness::detail {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;
using tcp = asio::ip::tcp;

namespace {

class raw_websocket final : public raw_transport_actor {
public:
    raw_websocket(const std::string& name, const raw_transport_settings& settings,
                  const protocol::hub_protocol& protocol, transcript& log)
        : raw_transport_actor(name, protocol, log, settings), resolver_(io_), ws_(io_) {}

    ~raw_websocket() override {
        // Pending handlers are dropped unrun; the socket closes with its object.
        loop_.stop();
    }

    raw_websocket(const raw_websocket&) = delete;
    raw_websocket& operator=(const raw_websocket&) = delete;

    void open() {
        const auto ws_url = protocol::websocket_url(settings_.url); // WS-002
        auto parts = protocol::parse_http_url(ws_url);
        if (!parts) throw std::runtime_error("not an http URL: " + settings_.url);
        url_ = std::move(*parts);
        if (settings_.handshake) expect_handshake_response();
        log_.add(transcript_direction::sent, name_, "http-request", "GET " + ws_url + " (WebSocket upgrade)");

        await_open([this](raw_open_promise result) { asio::post(io_, [this, result] { connect(result); }); },
                   [this] { asio::post(io_, [this] { abort_socket(); }); },
                   "the WebSocket to " + ws_url + " did not open");
    }

    void send(const std::string& bytes) override {
        if (log_sent_payloads_)
            log_.add(transcript_direction::sent, name_, "data", describe_payload(bytes, protocol_), bytes);
        auto done = std::make_shared<std::promise<std::string>>();
        auto written = done->get_future();
        asio::post(io_, [this, bytes, done] {
            writes_.push_back({bytes, done});
            if (!writing_) write_next();
        });
        if (written.wait_for(settings_.timeout) != std::future_status::ready)
            return log_.add(transcript_direction::note, name_, "send-failed",
                            "the WebSocket write did not complete within " + std::to_string(settings_.timeout.count()) +
                                " ms");
        if (auto error = written.get(); !error.empty())
            log_.add(transcript_direction::note, name_, "send-failed", error);
    }

    void close() override {
        asio::post(io_, [this] {
            if (!open_ || close_requested_ || ended()) return;
            close_requested_ = true;
            // Beast allows no close while a write is in flight: write_next closes after the last one.
            if (!writing_) send_close();
        });
        if (wait_ended(close_wait())) return;
        log_.add(transcript_direction::note, name_, "transport-close",
                 "no Close frame from the server within " + std::to_string(close_wait().count()) +
                     " ms: closing the socket");
        asio::post(io_, [this] { abort_socket(); });
        wait_ended(std::chrono::milliseconds(1'000));
    }

    std::optional<frame_tally> frames() const override { return frame_tally{text_frames_, binary_frames_}; }

    bool pause_reading(bool paused) override {
        asio::post(io_, [this, paused] {
            reading_paused_ = paused;
            if (!paused && read_parked_) {
                read_parked_ = false;
                read_next();
            }
        });
        return true;
    }

private:
    struct pending_write {
        std::string bytes;
        std::shared_ptr<std::promise<std::string>> done; // empty text = written
    };

    void connect(const raw_open_promise& result) {
        ws_.binary(protocol_.format() == protocol::transfer_format::binary);
        // The harness sends no WebSocket pings of its own: it observes the hub's; it reads whatever comes.
        client::detail::async_open_websocket(
            ws_, resolver_, url_, settings_.tls, settings_.headers, "hubspec", settings_.timeout, response_,
            [this, result](client::detail::websocket_step step, beast::error_code ec, const std::string& failure) {
                using client::detail::websocket_step;
                if (step == websocket_step::resolve)
                    return result->set_value({0, "cannot resolve " + url_.host + ": " + failure});
                if (step == websocket_step::connect)
                    return result->set_value({0, "cannot connect to " + url_.host_header() + ": " + failure});
                if (step == websocket_step::tls)
                    return result->set_value(
                        {0, "the TLS handshake with " + url_.host_header() + " failed: " + failure});
                on_upgrade(result, ec);
            });
    }

    void on_upgrade(const raw_open_promise& result, beast::error_code ec) {
        if (ec == websocket::error::upgrade_declined) {
            const auto status = describe_status(static_cast<int>(response_.result_int()),
                                                std::string(response_.reason()), response_.body());
            log_.add(transcript_direction::received, name_, "http-response", status, response_.body());
            return result->set_value(
                {static_cast<int>(response_.result_int()), "the WebSocket upgrade was refused: " + status});
        }
        if (ec) return result->set_value({0, "the WebSocket upgrade failed: " + ec.message()});
        log_.add(transcript_direction::received, name_, "http-response",
                 describe_status(static_cast<int>(response_.result_int()), std::string(response_.reason())));
        open_ = true;
        result->set_value({});
        read_next();
    }

    void read_next() {
        if (reading_paused_) {
            read_parked_ = true; // pause_reading(false) reads on
            return;
        }
        // A message is read a slice at a time, so that a pause stops reading within one slice even
        // in the middle of a message of megabytes (a whole-message read would drain the socket).
        constexpr std::size_t slice_bytes = 16 * 1024;
        ws_.async_read_some(buffer_, slice_bytes, [this](beast::error_code ec, std::size_t) {
            if (ec) return on_read_end(ec);
            if (!ws_.is_message_done()) return read_next();
            const auto data = buffer_.cdata();
            const std::string_view bytes(static_cast<const char*>(data.data()), data.size());
            log_.add(transcript_direction::received, name_, "frame",
                     std::string(ws_.got_text() ? "text" : "binary") + " message, " + std::to_string(bytes.size()) +
                         " bytes");
            ++(ws_.got_text() ? text_frames_ : binary_frames_);
            deliver(bytes);
            message_ended("WS-011", "WebSocket message");
            buffer_.consume(buffer_.size());
            read_next();
        });
    }

    void on_read_end(beast::error_code ec) {
        // A received Close frame: a graceful end (WS-012, WS-018).
        if (ec == websocket::error::closed) return mark_ended(describe_close(ws_.reason()));
        // Our own Close is under way: its completion reports the peer's reply.
        if (ec == asio::error::operation_aborted && close_sent_ && !aborted_) return;
        if (aborted_) return mark_ended("the harness closed the socket (no close frame): " + ec.message());
        // A Close frame arrived but the peer cut TCP before the closing handshake ended.
        if (ws_.reason().code != websocket::close_code::none)
            return mark_ended(describe_close(ws_.reason()) + ", then " + ec.message());
        mark_ended("connection reset without a close frame: " + ec.message());
    }

    static std::string describe_close(const websocket::close_reason& reason) {
        std::string how = "close frame " + std::to_string(reason.code);
        if (!reason.reason.empty()) how += " " + std::string(reason.reason.c_str());
        return how;
    }

    void write_next() {
        if (writes_.empty()) {
            writing_ = false;
            if (close_requested_) send_close();
            return;
        }
        if (!open_ || close_requested_ || ended()) {
            for (auto& w : writes_)
                w.done->set_value("the WebSocket is not open");
            writes_.clear();
            writing_ = false;
            return;
        }
        writing_ = true;
        ws_.async_write(asio::buffer(writes_.front().bytes), [this](beast::error_code ec, std::size_t) {
            auto done = std::move(writes_.front().done);
            writes_.pop_front();
            done->set_value(ec ? "the WebSocket write failed: " + ec.message() : std::string());
            write_next();
        });
    }

    void send_close() {
        if (close_sent_ || ended()) return;
        close_sent_ = true;
        log_.add(transcript_direction::sent, name_, "frame", "close frame 1000");
        ws_.async_close(websocket::close_code::normal, [this](beast::error_code ec) {
            // Beast aborts the pending read and reads the peer's Close frame here.
            if (!ec) return mark_ended(describe_close(ws_.reason()));
            abort_socket();
            mark_ended("no close frame in reply to the harness's: " + ec.message());
        });
    }

    void abort_socket() {
        aborted_ = true;
        resolver_.cancel();
        beast::error_code ignored;
        beast::get_lowest_layer(ws_).socket().close(ignored);
    }

    // The io_context first: it outlives every I/O object and handler.
    io_thread loop_;
    asio::io_context& io_ = loop_.context();
    tcp::resolver resolver_;
    client::detail::websocket_stream ws_;
    protocol::http_url url_;
    websocket::response_type response_;
    beast::flat_buffer buffer_;

    // Touched on the io thread only.
    std::deque<pending_write> writes_;
    bool open_ = false;
    bool writing_ = false;
    bool close_requested_ = false;
    bool close_sent_ = false;
    bool aborted_ = false;
    bool reading_paused_ = false;
    bool read_parked_ = false;
    // Counted on the io thread before the frame's messages are delivered; read by steps.
    std::atomic<std::size_t> text_frames_{0}, binary_frames_{0};
};

} // namespace

std::unique_ptr<raw_actor> open_raw_websocket(const std::string& name, const raw_transport_settings& settings,
                                              const protocol::hub_protocol& protocol, transcript& log) {
    auto actor = std::make_unique<raw_websocket>(name, settings, protocol, log);
    actor->open();
    return actor;
}

} // namespace hubspec::harness::detail
