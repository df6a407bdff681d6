#pragma once
// One connect attempt, as start() and each automatic reconnect attempt make it
// (RC-006): negotiate with redirects (NEG-018, NEG-019), the offered transports in
// order with a fresh negotiate before each fallback (NEG-030, NEG-031), then the
// handshake (HS-016, HS-017). It ends once, in `done`: with the link it
// established or the error that ends the start. Runs on the connection's io
// thread; the connection hands it its transport's bytes and end until then.

#include "http/cookie_jar.hpp"
#include "http/http_request.hpp"
#include "http/tracer.hpp"
#include "transports/transport.hpp"
#include "transports/transport_selection.hpp"

#include "hubspec/client/options.hpp"

#include <hubspec/protocol/hub_connection.hpp>
#include <hubspec/protocol/hub_protocol.hpp>

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace hubspec::client::detail {

/// What a connect attempt established: a transport past the handshake.
struct established_link {
    std::shared_ptr<transport> carrier;
    protocol::transport_type type = protocol::transport_type::websockets;
    protocol::hub_connection conn; // past the handshake; may hold records that came with its response
    std::string transport_url;     // the transport's URL with its id: what a stateful resume re-opens (SR-011)
    std::optional<std::string> access_token; // the attempt's, after redirects (NEG-018)
    cookie_jar cookies;                      // set by negotiate: they go with every later request (affinity)
};

/// Where a transport's events go: bound by the connection, which routes them.
struct transport_events {
    transport::receive_handler on_data;
    transport::closed_handler on_closed;
};

/// The user's headers and, when there is one, `Authorization: Bearer` (NEG-032).
header_list request_headers(const connection_options& options, const std::optional<std::string>& access_token,
                            const cookie_jar& cookies);

/// What every transport of a connection is started with: those headers, the token, the
/// connection's timeout, TLS, trace and violation switches.
transport_settings settings_for_transport(const connection_options& options,
                                          const std::optional<std::string>& access_token, const cookie_jar& cookies,
                                          tracer trace);

class connect_attempt : public std::enable_shared_from_this<connect_attempt> {
public:
    using outcome = std::variant<established_link, std::string>; // the link, or the start's error
    struct handlers {
        transport_events events; // the started transport's bytes and end (the connection routes them back here)
        std::function<void(std::optional<std::string>)> on_connection_id; // known after negotiate (none: skipped)
        std::function<void(outcome)> done;                                // runs once, unless canceled
    };

    connect_attempt(boost::asio::io_context& io, const connection_options& options,
                    const protocol::hub_protocol& protocol, tracer trace, handlers on);

    void run();
    /// Opens `url` (a previous link's transport URL, id included) without negotiating:
    /// violation::reconnect_without_negotiate only.
    void run_reopening(protocol::transport_type type, std::string url);
    /// Drops whatever is in flight; `done` never runs.
    void cancel();

    /// The transport's bytes while the handshake is read; after handshake_completed the
    /// rest stays in the link's protocol connection for its new owner.
    void receive(std::string_view bytes);
    /// The transport ended before the handshake completed.
    void closed(const transport_closed& closed);

private:
    using clock = std::chrono::steady_clock;

    void negotiate(std::string url, int redirects);
    void start_transport(protocol::transport_type type, std::string url, bool more_candidates);
    void on_transport_started(std::optional<std::string> error, protocol::transport_type type, bool more_candidates);
    void arm_handshake_timer();
    void fail(std::string error);
    void release();

    boost::asio::io_context& io_;
    const connection_options options_;
    const protocol::hub_protocol& protocol_;
    const tracer trace_;
    handlers on_;
    bool finished_ = false;

    std::optional<std::string> access_token_;
    cookie_jar cookies_;
    std::shared_ptr<http_operation> http_;
    std::vector<transport_failure> transport_failures_; // for fallback (NEG-031)
    std::string negotiated_url_;                        // after redirects: where a fallback negotiates again
    std::vector<protocol::available_transport> offered_transports_;
    bool stateful_negotiated_ = false; // the reply said useStatefulReconnect (NEG-026)
    std::string transport_url_;
    std::shared_ptr<transport> transport_;
    protocol::transport_type transport_type_ = protocol::transport_type::websockets;
    std::optional<protocol::hub_connection> conn_; // from the transport's start on
    boost::asio::steady_timer handshake_timer_;
};

} // namespace hubspec::client::detail
