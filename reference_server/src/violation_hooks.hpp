#pragma once
// The points where `hubspec-server --violate` bends the wire, one hook each
// (include/hubspec/server/violations.hpp lists the switches). A hook takes what a
// conforming server does at its point and returns, or rewrites in place, what goes
// out instead; with no switch on, every hook hands its input back unchanged. Code
// outside violation_hooks.cpp never tests a switch: it calls the hook of its point,
// once, where it decides. Get the hooks from fault_state::hooks().

#include "hubspec/protocol/handshake.hpp"
#include "hubspec/protocol/hub_message.hpp"
#include "hubspec/protocol/negotiate.hpp"
#include "hubspec/server/violations.hpp"

#include <chrono>
#include <cstddef>
#include <string>
#include <string_view>

namespace hubspec::server::detail {

struct http_reply; // http/endpoint_types.hpp

/// The HTTP replies of transport requests a switch can bend.
enum class transport_response {
    websocket_unknown_id, // 404 to a WebSocket request with an unknown id (WS-003: no text)
    websocket_post,       // 405 to a POST on a WebSocket connection (WS-014: 200, body dropped)
    websocket_delete,     // 400 to a DELETE on a WebSocket connection (WS-015: 202, the connection goes on)
    poll,                 // every long poll's reply (LP-002: no Cache-Control, Pragma, Expires)
    event_stream,         // the event stream's response head, as headers (SSE-004: no Pragma)
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
};

/// Rules the server keeps on what it receives, which a switch can break.
enum class rule {
    stream_id_in_use,      // a StreamInvocation whose id is in use is refused (MSG-100: it is accepted)
    cancel_invocation,     // a CancelInvocation ends its stream (MSG-051: ignored, the stream goes on)
    client_result_error,   // a client result's error reaches hub code (CR-006: taken as a null result)
    bytes_after_handshake, // bytes after the handshake's RS are hub messages (HS-013: dropped)
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

    // ---- transports (http/, adapter/) -------------------------------------------------------

    /// The reply `which`, as a conforming server writes it (WS-003, WS-014, WS-015, LP-002, SSE-004).
    void transport_reply(transport_response which, http_reply& reply) const;
    /// Whether a WebSocket carries records in binary frames: as the hub protocol says (WS-007:
    /// always binary).
    bool binary_frames(bool binary_protocol) const noexcept;
    /// The configured timeout, or a year when a switch turns it off (KA-003, KA-011).
    std::chrono::milliseconds timeout_of(timeout which, std::chrono::milliseconds configured) const noexcept;

    // ---- the hub connection (hub/hub_connection.cpp, hub/hub_dispatcher.cpp) -----------------

    /// The handshake request as the server reads it (HS-005: an unknown protocol is taken as
    /// json; HS-004: a version above 2 is taken as 1).
    void handshake_request(protocol::handshake_request& request) const;
    /// The text that opens a handshake error response (HS-011: "Handshake failed.").
    std::string_view handshake_error_text(std::string_view conforming) const noexcept;
    /// The largest message read after the handshake (FRAME-010: no limit).
    std::size_t message_size_limit(std::size_t configured) const noexcept;
    /// Whether `which` is sent when due (KA-001, SR-008, HS-009).
    bool sends(record which) const noexcept;
    /// `message`, about to be sent as `which` (MSG-044, MSG-017, KA-004). Call it before the
    /// message's id is kept anywhere: the id may change.
    void outgoing(outgoing_message which, protocol::completion_message& message) const;
    void outgoing(outgoing_message which, protocol::invocation_message& message) const;
    void outgoing(outgoing_message which, protocol::close_message& message) const;
    /// Whether the server keeps `which` (MSG-100, MSG-051, CR-006, HS-013).
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

private:
    bool on(violation v) const noexcept { return on_.contains(v); }

    violation_set on_;
};

} // namespace hubspec::server::detail
