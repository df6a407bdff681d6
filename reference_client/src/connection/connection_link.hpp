#pragma once
// One established link: a transport past the handshake and its sans-IO
// protocol::hub_connection. It reads (hub messages to its owner; a Close is its
// own, MSG-075), writes, keeps the Ping, server-timeout and Ack timers (KA-005,
// KA-006, SR-008), and when stateful resumes after an ungraceful WebSocket drop
// (SR-011..SR-017). It ends once, in on_lost. Runs on the connection's io thread.

#include "connect_attempt.hpp"
#include "http/tracer.hpp"
#include "transports/transport.hpp"

#include "hubspec/client/options.hpp"

#include <hubspec/protocol/hub_connection.hpp>
#include <hubspec/protocol/hub_message.hpp>

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace hubspec::client::detail {

class connection_link : public std::enable_shared_from_this<connection_link> {
public:
    struct handlers {
        transport_events events;                                 // a resumed transport's (the owner routes them back)
        std::function<void(protocol::hub_message&&)> on_message; // every hub message from the server but Close
        /// Once, when the link ends: the error (none: a graceful end) and whether the
        /// server's Close allowed a reconnect (MSG-075, MSG-076).
        std::function<void(std::optional<std::string> error, bool allows_reconnect)> on_lost;
    };

    connection_link(boost::asio::io_context& io, const connection_options& options, tracer trace,
                    established_link established, handlers on);

    /// Writes what the handshake left queued (HS-018) and arms the keep-alive timers (KA-006).
    void start();
    /// Reads what came with the handshake response.
    void read_pending();
    /// The transport's bytes and end.
    void receive(std::string_view bytes);
    void closed(const transport_closed& closed);

    /// A hub message out (KA-006), through the reconnect buffer when stateful; false if it cannot go.
    bool write(const protocol::hub_message& message);
    /// stop(): a Close (MSG-072), then the transport ends gracefully; no resume after it (SR-016).
    void close();
    /// Drops the transport at once; on_lost never runs.
    void abandon();
    /// No Close sent or received yet.
    bool open() const noexcept { return !ended_ && !closing_; }

private:
    using clock = std::chrono::steady_clock;

    void read_events();
    void on_close_message(const protocol::close_message& message);
    /// Sends what the protocol connection has to send, in order.
    void flush();
    /// The end: the transport is dropped if still there, then on_lost.
    void lost(std::optional<std::string> error);
    void release();
    void arm_keep_alive();
    void on_keep_alive_timer();
    void arm_ack_timer();
    bool try_resume(const transport_closed& closed);
    void on_resume_started(std::optional<std::string> error);

    boost::asio::io_context& io_;
    const connection_options options_;
    const tracer trace_;
    handlers on_;
    std::shared_ptr<transport> transport_;
    protocol::transport_type type_;
    std::optional<protocol::hub_connection> conn_;
    std::string transport_url_;               // what a stateful resume re-opens (SR-011)
    std::optional<std::string> access_token_; // the attempt's, for the resume (NEG-018)
    cookie_jar cookies_;                      // negotiate's, for the resume (affinity)
    boost::asio::steady_timer keep_alive_timer_;
    boost::asio::steady_timer ack_timer_;
    bool closing_ = false; // a Close went either way (MSG-072..MSG-076)
    bool ended_ = false;
    std::optional<std::string> close_error_; // what a Close said (MSG-075)
    bool close_allows_reconnect_ = true;     // false after a Close without allowReconnect (MSG-075)
};

} // namespace hubspec::client::detail
