#pragma once
// One hub connection, whatever its transport: the server's adapter over the
// sans-IO protocol::hub_connection (handshake, framing, keep-alive, stateful
// reconnect, lifecycle), with what is the server's own: the timers, Microsoft's
// server texts, the violation switches and the control API's faults; what the
// messages do in the hub is its hub_dispatcher's. It is fed bytes by its transport
// and writes whole records to it (WS-011) through a transport_writer; it runs on
// the I/O thread only, so it needs no locks.

#include "hub_dispatcher.hpp"
#include "hub_lifetime.hpp"
#include "hub_state.hpp"
#include "transport_sink.hpp"
#include "transport_writer.hpp"

#include "hubspec/protocol/hub_connection.hpp"
#include "hubspec/protocol/hub_message.hpp"
#include "hubspec/protocol/hub_protocol.hpp"
#include "hubspec/protocol/negotiate.hpp"

#include <any>
#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace hubspec::server::detail {

/// Who connected, as the transport request said.
struct connection_identity {
    std::string connection_id;
    std::optional<std::string> user_identifier;
    protocol::transport_type transport = protocol::transport_type::websockets;
    std::vector<std::pair<std::string, std::string>> headers;
    bool stateful_reconnect = false; // negotiate granted useStatefulReconnect (NEG-026, SR-001)
};

/// How a transport ended (WS-018): only an ungraceful end of a stateful
/// WebSocket connection leaves room for a resume (SR-011, SR-016).
enum class transport_end { graceful, ungraceful };

class hub_connection : public std::enable_shared_from_this<hub_connection> {
public:
    using clock = std::chrono::steady_clock;

    hub_connection(std::shared_ptr<hub_lifetime> lifetime, connection_identity identity,
                   std::weak_ptr<transport_sink> sink = {});

    /// The transport to write to; before start().
    void attach(std::weak_ptr<transport_sink> sink) { writer_->attach(std::move(sink)); }
    /// Arms the handshake timeout (HS-009); call once the transport is up.
    void start();
    /// Bytes from the transport, in any split (FRAME-003, WS-010).
    void on_data(std::string_view bytes);
    /// The transport ended. A stateful connection whose WebSocket dropped
    /// ungracefully waits for a resume (SR-011, SR-012): see awaiting_resume();
    /// anything else tears down without writing.
    void on_transport_closed(transport_end how = transport_end::graceful);

    // ---- stateful reconnect (SR-*) ------------------------------------------

    /// Stateful reconnect is on: negotiated, and the handshake asked version 2 (SR-001, SR-002).
    bool stateful() const noexcept { return core_.stateful(); }
    /// The transport dropped and a resume may still come (SR-012).
    bool awaiting_resume() const noexcept { return core_.state() == protocol::connection_state::transport_lost; }
    /// A new WebSocket carries this connection's token: it takes over, the previous
    /// transport (if any is left) is abandoned (SR-019), Sequence and the un-acked
    /// messages go out first (SR-013, SR-014). False if the connection cannot resume.
    bool resume(std::weak_ptr<transport_sink> sink);
    /// The disconnect timeout passed without a resume (SR-012): tear down.
    void expire();
    /// Whether `sink` is the transport currently attached (a replaced one is not).
    bool serves(const transport_sink* sink) const noexcept { return writer_->sink().get() == sink; }

    /// Context.Abort(): Close without error and without allowReconnect (ERR-009).
    void abort();
    /// The control API's close: a Close message as given, then the transport ends gracefully.
    void close(protocol::close_message close, std::string_view why);
    /// The control API's drop: the transport ends as on a network failure, no Close message.
    /// Returns the transport dropped (null when none was attached).
    const transport_sink* drop_transport();

    // ---- sending -----------------------------------------------------------

    void send_message(const protocol::hub_message& message);
    /// A broadcast already serialized for this connection's protocol (GRP-001).
    void send_encoded(const std::shared_ptr<const std::string>& records);
    /// Client result (CR-001): "s1", "s2", … (MSG-017).
    void invoke_client(std::string_view method, value_list arguments, std::function<void(client_result)> on_result) {
        dispatcher_.invoke_client(method, std::move(arguments), std::move(on_result));
    }

    /// Another node's client-result request (RB-064): `records` already carry `invocation_id`;
    /// `on_completion` gets the client's Completion, or nullopt if the connection ends first.
    void relay_client_result(const std::shared_ptr<const std::string>& records, std::string invocation_id,
                             std::function<void(std::optional<protocol::completion_message>)> on_completion);

    // ---- what hub code asks ------------------------------------------------

    const connection_identity& identity() const noexcept { return identity_; }
    const std::shared_ptr<hub_lifetime>& lifetime() const noexcept { return lifetime_; }
    std::map<std::string, std::any, std::less<>>& items() noexcept { return items_; }
    std::set<std::string>& groups() noexcept { return groups_; }
    const protocol::hub_protocol* protocol() const noexcept { return core_.protocol(); }
    bool closed() const noexcept { return core_.state() == protocol::connection_state::closed; }
    /// Past the handshake and not closed: what the hub sees as connected.
    bool open() const noexcept;
    /// Where --violate bends this connection's wire (violation_hooks.hpp).
    violation_hooks hooks() const noexcept { return lifetime_->faults().hooks(); }
    /// Where hub work completes (hub_context.cpp).
    hub_dispatcher& dispatcher() noexcept { return dispatcher_; }
    /// The client's Close (MSG-073): the transport ends gracefully, nothing to answer.
    void end_gracefully();

private:
    /// False when the connection ended while answering (HS-004..006, ERR-008).
    bool on_handshake_request(protocol::handshake_request request);
    void on_handshake_failed(const protocol::protocol_error& error);

    /// Sends Close (ERR-007, KA-004, ERR-009), then ends the transport.
    void close_with(protocol::close_message close, std::string_view requirement, std::string_view why);
    void fail_protocol(const protocol::protocol_error& e);
    void teardown();

    /// Logs the start of a wait for an Ack (SR-010), then writes what the core queued.
    void note_send(protocol::send_status status);
    void send_now(const outgoing_order::item& out); // one message, as outgoing_order lets it go
    /// Writes what the core has to send, in order.
    void flush();
    void rearm_timer();
    void on_timer();
    /// The HS-011 error of a handshake request that cannot be read, with `detail` when errors are detailed.
    std::string handshake_error_text(const std::string& detail) const;

    std::shared_ptr<hub_lifetime> lifetime_;
    connection_identity identity_;
    std::shared_ptr<transport_writer> writer_;
    protocol::hub_connection core_;
    outgoing_order order_; // what --violate does to the order of sends (MSG-103)
    timer_handle timer_;
    std::optional<clock::time_point> timer_deadline_;
    std::map<std::string, std::any, std::less<>> items_;
    std::set<std::string> groups_;
    hub_dispatcher dispatcher_;
};

} // namespace hubspec::server::detail
