// The Server-Sent Events transport (SSE-*): the response head and the `:` comment
// at once (SSE-004/005), then every batch of records as one event in one chunk
// (SSE-006/007). Reading the socket only watches for the end of the request,
// which ends the connection (SSE-013).
#include "transports.hpp"

#include "http/event_stream.hpp"
#include "hub_strand.hpp"
#include "log.hpp"
#include "send_deadline.hpp"

#include "hubspec/protocol/sse.hpp"

#include <boost/asio/buffer.hpp>
#include <boost/asio/defer.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/write.hpp>

#include <array>
#include <deque>
#include <functional>
#include <optional>

namespace hubspec::server::detail {

namespace {

namespace net = boost::asio;
namespace beast = boost::beast;
using tcp = net::ip::tcp;

class sse_session final : public transport_sink, public std::enable_shared_from_this<sse_session> {
public:
    /// `session`: the strand of the HTTP session whose stream this one takes over.
    sse_session(endpoint_router& router, sse_accept accept, net::any_io_executor hub, net::any_io_executor session)
        : router_(router), strands_(std::move(hub), std::move(session)), token_(std::move(accept.token)),
          connection_(std::move(accept.connection)), early_input_(std::move(accept.early_input)),
          send_deadline_(strands_.session()) {}

    /// On the hub strand, right where the router accepted the stream: the hub connection starts
    /// now, since the client's handshake POST may be routed before the stream is written.
    void start_on_hub() {
        connection_->attach(weak_from_this());
        connection_->start();
        if (!early_input_.empty()) connection_->on_data(std::exchange(early_input_, {}));
    }

    /// On the session's strand, before anything the hub wrote (it was posted first).
    void start(hubspec::net::http_stream&& stream) {
        stream_.emplace(std::move(stream));
        beast::get_lowest_layer(*stream_).expires_never();
        http_reply head{200, "text/event-stream", "", event_stream_headers()}; // SSE-004
        router_.faults().hooks().transport_reply(transport_response::event_stream, head);
        queue_.push_back(event_stream_response_head(head.content_type, head.headers) +
                         http_chunk(protocol::sse_stream_preamble)); // SSE-005
        do_write();
        do_watch();
    }

    // The transport_sink calls come on the hub strand: each is posted to the session's, in order.

    void set_binary(bool) override {} // text only (SSE-009): the handshake refuses MessagePack

    void send(std::shared_ptr<const std::string> records) override {
        strands_.on_session([self = shared_from_this(), records = std::move(records)] {
            if (self->close_requested_ || self->finished_) return;
            // SSE-006/007: one event, whole records
            const std::string_view bytes(*records);
            const auto first =
                self->router_.faults().hooks().first_message_size(transport_message::event, bytes.size());
            self->queue_.push_back(http_chunk(protocol::sse_event(bytes.substr(0, first))));
            if (first < bytes.size()) self->queue_.push_back(http_chunk(protocol::sse_event(bytes.substr(first))));
            if (!self->writing_) self->do_write();
        });
    }

    void close() override {
        strands_.on_session([self = shared_from_this()] {
            if (self->close_requested_) return;
            self->close_requested_ = true;
            self->queue_.emplace_back(last_http_chunk);
            if (!self->writing_) self->do_write();
        });
    }

    void drop() override {
        strands_.on_session([self = shared_from_this()] {
            // A lost network: no last chunk; the watch read then fails and end() reports it.
            beast::error_code ignored;
            beast::get_lowest_layer(*self->stream_).socket().close(ignored);
        });
    }

private:
    void do_write() {
        if (queue_.empty() || finished_) return;
        writing_ = true;
        outgoing_.clear();
        while (!queue_.empty()) {
            outgoing_ += queue_.front();
            queue_.pop_front();
        }
        send_deadline_.arm(router_.transport_send_timeout(), [self = shared_from_this()] {
            log_event("KA-011", self->token_, "a send took longer than TransportSendTimeout: closing the stream");
            beast::error_code ignored;
            beast::get_lowest_layer(*self->stream_)
                .socket()
                .close(ignored); // the pending write then fails: on_write ends it
        });
        net::async_write(*stream_, net::buffer(outgoing_),
                         [self = shared_from_this()](beast::error_code ec, std::size_t) { self->on_write(ec); });
    }

    void on_write(beast::error_code ec) {
        writing_ = false;
        send_deadline_.disarm();
        if (ec) {
            if (ec != net::error::operation_aborted) // our own cancel: the connection already ended
                log_event("SSE-013", token_, "event stream write failed: " + ec.message());
            end(transport_end::ungraceful);
            return;
        }
        if (!queue_.empty()) {
            do_write();
        } else if (close_requested_) {
            end(transport_end::graceful);
        }
    }

    void do_watch() {
        stream_->async_read_some(net::buffer(scratch_), [self = shared_from_this()](beast::error_code ec, std::size_t) {
            if (self->finished_) return;
            if (ec) {
                // SSE-013: the request ended: the connection ends with it.
                self->end(transport_end::ungraceful);
                return;
            }
            self->do_watch(); // nothing is expected from the client here
        });
    }

    void end(transport_end how) {
        if (finished_) return;
        finished_ = true;
        beast::error_code ignored;
        beast::get_lowest_layer(*stream_).socket().shutdown(tcp::socket::shutdown_both, ignored);
        beast::get_lowest_layer(*stream_).socket().close(ignored);
        strands_.on_hub(
            [self = shared_from_this(), how] { self->router_.transport_ended(self->token_, self.get(), how); });
    }

    std::optional<hubspec::net::http_stream> stream_; // from start() on
    endpoint_router& router_;
    session_strands strands_;
    std::string token_;
    std::shared_ptr<hub_connection> connection_;
    std::string early_input_;
    send_deadline send_deadline_;
    std::deque<std::string> queue_;
    std::string outgoing_;
    std::array<char, 512> scratch_{};
    bool writing_ = false;
    bool close_requested_ = false;
    bool finished_ = false;
};

} // namespace

void open_sse_transport(endpoint_router& router, sse_accept accept, const net::any_io_executor& hub,
                        const net::any_io_executor& session, std::function<hubspec::net::http_stream()> take_stream) {
    auto sse = std::make_shared<sse_session>(router, std::move(accept), hub, session);
    net::defer(session, [sse, take_stream = std::move(take_stream)] { sse->start(take_stream()); });
    sse->start_on_hub();
}

} // namespace hubspec::server::detail
