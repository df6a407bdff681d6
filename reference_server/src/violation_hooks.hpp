#pragma once
// The points where `hubspec-server --violate` bends the wire, one hook each
// (include/hubspec/server/violations.hpp lists the switches). A hook takes what a
// conforming server does at its point and returns, or rewrites in place, what goes
// out instead; with no switch on, every hook hands its input back unchanged. Code
// outside violation_hooks.cpp never tests a switch: it calls the hook of its point,
// once, where it decides. Get the hooks from fault_state::hooks().

#include "hubspec/protocol/handshake.hpp"
#include "hubspec/protocol/hub_message.hpp"
#include "hubspec/protocol/keep_alive.hpp"
#include "hubspec/protocol/negotiate.hpp"
#include "hubspec/server/violations.hpp"

#include <chrono>
#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace hubspec::server::detail {

struct http_reply; // http/endpoint_types.hpp

/// The HTTP replies of transport requests a switch can bend.
enum class transport_response {
    websocket_unknown_id,       // 404 to a WebSocket request with an unknown id (WS-003: no text)
    websocket_post,             // 405 to a POST on a WebSocket connection (WS-014: 200, body dropped)
    websocket_delete,           // 400 to a DELETE on a WebSocket connection (WS-015: 202, the connection goes on)
    websocket_conflict,         // 409 to a second WebSocket for an active connection (WS-004: 400)
    websocket_transport_change, // 400 to a WebSocket for a connection of another transport (WS-005: 409)
    websocket_unsupported,      // 404 to a WebSocket on an endpoint without WebSockets (WS-006: no text)
    poll,                       // every long poll's reply (LP-002: no Cache-Control, Pragma, Expires)
    poll_unknown_id,            // 404 to a poll with an unknown id (LP-012: 400)
    poll_timed_out,             // the empty 200 of a poll that timed out (LP-006: 204)
    poll_superseded,            // the 204 of a poll a newer poll ended (LP-008: empty 200)
    long_poll_delete,           // 202 to a DELETE of a long-polling connection (LP-017: 200)
    post_unknown_id,            // 404 to a POST with an unknown id (LP-014: 400)
    event_stream,               // the event stream's response head (SSE-004: no Pragma; text/plain)
    event_stream_conflict,      // 409 to a second event stream (SSE-003: 400)
    event_stream_missing_id,    // 400 to an event-stream GET without id (SSE-002: 404)
};

/// Transport messages that carry whole records, which a switch can cut inside a record.
enum class transport_message {
    websocket_message, // one WebSocket message (WS-011)
    event,             // one Server-Sent Event (SSE-007)
};

/// Timeouts a switch can turn off (a year: it never fires).
enum class timeout {
    client,         // the client timeout (KA-003)
    transport_send, // one write to a WebSocket or event stream (KA-011)
};

/// Records the spec requires the server to send, which a switch can hold back.
enum class record {
    ping,                     // keep-alive Ping (KA-001)
    ack,                      // stateful reconnect's Ack (SR-008)
    handshake_timeout_answer, // the handshake error response before the close on a handshake timeout (HS-009)
};

/// Outgoing messages a switch can bend.
enum class outgoing_message {
    stream_completion, // the Completion of a stream that ended, not canceled, without error (MSG-044: gets a null
                       // result)
    client_result_invocation, // an Invocation that asks the client for a result (MSG-017: id without "s")
    client_timeout_close,     // the Close sent on a client timeout (KA-004: allowReconnect false)
    abort_close,              // the Close sent after Context.Abort() (ERR-009: allowReconnect true)
    close,                    // every Close the server sends (MSG-070: its error dropped)
};

/// Rules the server keeps on what it receives, which a switch can break.
enum class rule {
    stream_id_in_use,      // a StreamInvocation whose id is in use is refused (MSG-100: it is accepted)
    cancel_invocation,     // a CancelInvocation ends its stream (MSG-051: ignored, the stream goes on)
    client_result_error,   // a client result's error reaches hub code (CR-006: taken as a null result)
    bytes_after_handshake, // bytes after the handshake's RS are hub messages (HS-013: dropped)
    ping_needs_no_reply,   // a Ping gets no answer (MSG-061: answered with a Ping)
};

class violation_hooks {
public:
    violation_hooks() noexcept = default; // no switch on
    explicit violation_hooks(violation_set on) noexcept : on_(on) {}

    /// True when no switch is on (every hook hands its input back).
    bool none() const noexcept { return on_.empty(); }

    // ---- negotiate (http/endpoint_router.cpp) ------------------------------------------------

    /// The method a negotiate request is taken as: its own (NEG-001: GET is taken as POST).
    std::string_view negotiate_method(std::string_view method) const noexcept;
    /// The negotiate reply, written for `response`: bends its status (NEG-008), content
    /// type (NEG-009) and fields (NEG-007, NEG-010). `response` is left as the client will
    /// read it, so that its connection token is the one registered.
    void negotiate_reply(const protocol::negotiate_request& asked, protocol::negotiate_response& response,
                         http_reply& reply) const;
    /// The ids of a new connection, given fresh random ones (NEG-012: a counter instead).
    protocol::connection_ids connection_ids(protocol::connection_ids fresh) const;

    // ---- transports (http/, adapter/) -------------------------------------------------------

    /// The reply `which`, as a conforming server writes it (WS-003, WS-014, WS-015, LP-002, SSE-004).
    void transport_reply(transport_response which, http_reply& reply) const;
    /// Whether a WebSocket carries records in binary frames: as the hub protocol says (WS-007:
    /// always binary).
    bool binary_frames(bool binary_protocol) const noexcept;
    /// The configured timeout, or a year when a switch turns it off (KA-003, KA-011).
    std::chrono::milliseconds timeout_of(timeout which, std::chrono::milliseconds configured) const noexcept;
    /// How many of `size` bytes of whole records go out in the first transport message `which`:
    /// all of them (WS-011, SSE-007: half, so that the message ends inside a record).
    std::size_t first_message_size(transport_message which, std::size_t size) const noexcept;
    /// How a transport keeps itself alive: as the spec says (LP-019: long polling gets Pings).
    protocol::transport_keep_alive keep_alive(protocol::transport_keep_alive conforming) const noexcept;

    // ---- the hub connection (hub/hub_connection.cpp, hub/hub_dispatcher.cpp) -----------------

    /// The handshake request as the server reads it (HS-005: an unknown protocol is taken as
    /// json; HS-004: a version above 2 is taken as 1).
    void handshake_request(protocol::handshake_request& request) const;
    /// The bytes of a successful handshake response (HS-007: without the record separator).
    std::string handshake_answer(std::string conforming) const;
    /// The text that opens a handshake error response (HS-011: "Handshake failed.").
    std::string_view handshake_error_text(std::string_view conforming) const noexcept;
    /// The largest message read after the handshake (FRAME-010: no limit; FRAME-009: one byte less).
    std::size_t message_size_limit(std::size_t configured) const noexcept;

    /// Whether `which` is sent when due (KA-001, SR-008, HS-009).
    bool sends(record which) const noexcept;
    /// `message`, about to be sent as `which` (MSG-044, MSG-017, KA-004). Call it before the
    /// message's id is kept anywhere: the id may change.
    void outgoing(outgoing_message which, protocol::completion_message& message) const;
    void outgoing(outgoing_message which, protocol::invocation_message& message) const;
    void outgoing(outgoing_message which, protocol::close_message& message) const;
    /// The error text of a Completion that fails an invocation for `requirement`'s reason
    /// (ERR-001, ERR-002, ERR-004, MSG-091, MSG-092, MSG-095, MSG-098, MSG-099, MSG-101: another text).
    std::string completion_error(std::string_view requirement, std::string conforming) const;
    /// Whether the server keeps `which` (MSG-100, MSG-051, CR-006, HS-013, MSG-061).
    bool keeps(rule which) const noexcept;
    /// Whether a hub method declared as `declared` serves the (case-insensitively equal)
    /// `target`: yes (MSG-019: only in the same case).
    bool serves_target(std::string_view declared, std::string_view target) const noexcept;

    // ---- who a hub send reaches (hub/hub_lifetime.cpp) ---------------------------------------

    /// The key a group is kept under: its name (GRP-003: folded to lower case).
    std::string group_key(const std::string& name) const;
    /// Who a send to the others of `caller` leaves out: the caller (GRP-006: no one).
    std::string_view excluded(std::string_view caller) const noexcept;
    /// How many of the `found` connections of a user a send reaches: all (GRP-004: one).
    std::size_t user_recipients(std::size_t found) const noexcept;

    // ---- scale-out (hub/scaleout.cpp) ----------------------------------------------------

    /// Whether a published send also goes straight to local clients: no (RB-023: yes, twice).
    bool backplane_local_copy() const noexcept { return on(violation::backplane_local_copy); }
    /// Whether a group change for another node's connection is published: yes (RB-053: dropped).
    bool publishes_remote_group_changes() const noexcept {
        return !on(violation::backplane_drops_remote_group_changes);
    }

private:
    friend class outgoing_order;
    bool on(violation v) const noexcept { return on_.contains(v); }

    violation_set on_;
};

/// One connection's outgoing hub messages in the order they go out: as sent (MSG-103: the
/// 30th Invocation lost, sent twice, or held back behind the 31st). One per connection.
class outgoing_order {
public:
    /// A message, or the records of one encoded once for many connections (always an Invocation).
    using item = std::variant<protocol::hub_message, std::shared_ptr<const std::string>>;

    explicit outgoing_order(violation_hooks hooks) noexcept : hooks_(hooks) {}

    /// What goes out now in place of `next`: usually just it.
    std::vector<item> pass(item next);

private:
    static constexpr std::size_t faulty_invocation = 30;

    violation_hooks hooks_;
    std::size_t invocations_ = 0;
    std::optional<item> held_;
};

} // namespace hubspec::server::detail
