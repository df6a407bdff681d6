#pragma once
// One hub connection, sans-IO, for either role (h11's Connection): the handshake
// both ways (HS-*), framed hub messages through message_reader with the size limit
// (FRAME-009..011), keep-alive deadlines (KA-*) and the stateful-reconnect buffer
// (SR-*), with the lifecycle of connection_state.hpp.
//
// Theory. The owner feeds what the transport delivered (receive_data) and takes
// events (next_event) until need_data; it hands messages to send() and writes
// what take_data() returns, in order, one record a chunk. Time comes in as `now`;
// next_deadline() says when poll_ack()/poll_keep_alive() have something to say.
// Decisions that belong to the owner (texts of a Close, whether a due Ping goes
// out, what answers a failed handshake on the server) come back as values; after the
// handshake the connection never closes itself on a timeout or bad input, the owner does.

#include "hubspec/protocol/connection_state.hpp"
#include "hubspec/protocol/error.hpp"
#include "hubspec/protocol/handshake.hpp"
#include "hubspec/protocol/handshake_reader.hpp"
#include "hubspec/protocol/hub_message.hpp"
#include "hubspec/protocol/hub_protocol.hpp"
#include "hubspec/protocol/keep_alive.hpp"
#include "hubspec/protocol/message_reader.hpp"
#include "hubspec/protocol/stateful_reconnect.hpp"

#include <chrono>
#include <cstddef>
#include <deque>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace hubspec::protocol {

enum class role { server, client };

struct server_connection_options {
    std::vector<const hub_protocol*> protocols{&json_protocol(), &messagepack_protocol()};          // HS-005
    std::vector<transfer_format> transport_formats{transfer_format::text, transfer_format::binary}; // HS-006
    std::size_t max_handshake_size = no_size_limit; // the request, without RS, is cut here (HS-010)
    bool stateful_reconnect_granted = false;        // negotiate said useStatefulReconnect (NEG-026, SR-001)
    server_keep_alive_options timing;
};

struct client_connection_options {
    const hub_protocol* protocol = &json_protocol();
    bool stateful_reconnect = false; // negotiated and on a WebSocket: handshake version 2 (HS-003, SR-001)
    std::size_t max_handshake_size = default_max_handshake_response_size;
    client_keep_alive_options timing;
};

struct connection_options {
    std::size_t max_message_size = no_size_limit; // hub messages after the handshake (FRAME-009, FRAME-010)
    stateful_reconnect_options reconnect;         // used once SR-001 holds
};

// ---- events ------------------------------------------------------------------

struct need_data {}; // nothing more until more bytes arrive (FRAME-003)
/// Server: a well-formed request; answer it with accept_handshake() (HS-004..HS-007).
struct handshake_request_received {
    handshake_request request;
};
/// The handshake is done: hub messages follow (HS-007, HS-016).
struct handshake_completed {};
/// The handshake failed. Client: `error.message` is the start's error and the connection
/// is closed (HS-016). Server: the request was unreadable, `error` says how (HS-010 for
/// record_too_large, else HS-011); answer with reject_handshake() or end().
struct handshake_failed_event {
    protocol_error error;
};
struct message_received {
    hub_message message;
};
/// The peer broke the protocol after the handshake; nothing more is read.
struct peer_error {
    enum class kind {
        unreadable_message,  // the reader failed: FRAME-*, MSG-*
        reconnect_violation, // an Ack or Sequence naming what cannot be (SR-009, SR-015)
    };
    kind what;
    protocol_error error;
};

using connection_event = std::variant<need_data, handshake_request_received, handshake_completed,
                                      handshake_failed_event, message_received, peer_error>;

/// What happened to a message handed to send().
enum class send_status {
    queued,          // its bytes are in take_data()
    waiting_for_ack, // over the reconnect buffer's limit: queued once an Ack makes room (SR-010)
    held_for_resume, // the transport is lost: numbered and buffered, resume() replays it (SR-013)
    dropped,         // nothing will ever send it (not connected, or discarded)
};

class hub_connection {
public:
    using time_point = std::chrono::steady_clock::time_point;

    /// Server role: waits for the request; HandshakeTimeout counts from `now` (HS-009).
    hub_connection(const server_connection_options& server, const connection_options& options, time_point now);
    /// Client role: the request is in take_data() at once; timers start at `now` (HS-017).
    hub_connection(const client_connection_options& client, const connection_options& options, time_point now);

    role side() const noexcept { return std::holds_alternative<server_side>(side_) ? role::server : role::client; }
    connection_state state() const noexcept { return state_; }
    /// The hub protocol: the client's from the start, the server's once the handshake picked it.
    const hub_protocol* protocol() const noexcept { return protocol_; }
    /// Stateful reconnect is on (SR-001, SR-002).
    bool stateful() const noexcept { return reconnect_.has_value(); }

    // ---- receiving -------------------------------------------------------------

    /// Bytes as the transport delivered them, in any split (FRAME-003, WS-010).
    void receive_data(std::string_view bytes, time_point now);
    /// The next event; need_data when the bytes received make no more. `now` is when
    /// it is taken: what the timers count a message at (KA-003).
    connection_event next_event(time_point now);
    /// Drops the bytes received but not yet read as messages.
    void discard_unread();

    // ---- the server's handshake --------------------------------------------------

    /// Answers a request (handshake_request_received): success writes `{}` (HS-007),
    /// anything else Microsoft's error response (HS-004..HS-006, HS-008) and closes.
    handshake_response accept_handshake(const handshake_request& request, time_point now);
    /// Writes an error response with `text` (HS-008..HS-011) and closes.
    void reject_handshake(std::string_view text);

    // ---- sending ---------------------------------------------------------------

    /// Frames `message` with the connection's protocol, through the reconnect buffer
    /// when on (SR-005..SR-010). A Close moves to closing (MSG-072).
    send_status send(const hub_message& message, time_point now);
    /// The same for a record framed already (a broadcast, GRP-001); `kind` stands for
    /// its message type, which is all the buffer looks at.
    send_status send_framed(const hub_message& kind, std::string record, time_point now);
    /// What to write, oldest first, one record (or the handshake) a chunk.
    std::vector<std::string> take_data();
    /// Tracked records held back by the buffer limit (SR-010).
    std::size_t waiting_for_ack() const noexcept { return waiting_for_ack_.size(); }

    // ---- time ------------------------------------------------------------------

    /// Earliest of next_keep_alive_deadline() and next_ack_deadline().
    std::optional<time_point> next_deadline() const noexcept;
    std::optional<time_point> next_keep_alive_deadline() const noexcept;
    std::optional<time_point> next_ack_deadline() const noexcept;
    /// The Ack due at `now`, if any (SR-008); the owner sends it.
    std::optional<ack_message> poll_ack(time_point now);
    /// What keep-alive finds due (KA-*, HS-009, HS-017). send_ping: the owner sends a
    /// Ping (counted as sent already); a timeout: the owner ends the connection.
    keep_alive_due poll_keep_alive(time_point now);

    // ---- the transport -----------------------------------------------------------

    /// The transport dropped without a goodbye. True when the connection waits for a
    /// resume (stateful and connected, SR-011): timers pause, a partial record is
    /// dropped (the peer replays it whole). False: the owner ends the connection.
    bool transport_lost();
    /// Whether resume() would take a new transport: stateful, and connected or waiting
    /// for a resume (SR-012, SR-016, SR-019).
    bool can_resume() const noexcept;
    /// A new transport carries the connection (SR-013, SR-019): the Sequence and the
    /// records to write first (Sequence, then the un-acked messages); what waited for
    /// an Ack follows in take_data(). reconnect_after_close when it cannot resume.
    result<resume_plan> resume(time_point now);
    /// incomplete_record when a record was begun and not finished (FRAME-011): what an
    /// end of the transport now would lose.
    result<void> finish_reading() const;
    /// The owner ends the connection (the transport ended for good, a timeout,
    /// teardown, a failed resume): closed.
    void end();

private:
    bool apply(connection_input input);
    connection_event next_handshake_event(time_point now);
    send_status route(const hub_message& kind, std::string record, time_point now);
    void queue(std::string bytes, time_point now);
    void release_waiting(time_point now);
    void on_handshake_done(std::size_t consumed, time_point now);

    struct server_side {
        server_connection_options options;
        server_keep_alive timers;
        std::optional<std::size_t> handshake_consumed; // the request was read; its answer is pending
    };
    struct client_side {
        client_connection_options options;
        client_keep_alive timers;
    };
    /// Runs `f` on the keep-alive timers of either role.
    template <class F>
    decltype(auto) with_timers(F&& f) {
        return std::visit([&](auto& side) -> decltype(auto) { return f(side.timers); }, side_);
    }

    std::variant<server_side, client_side> side_; // the role, with what only that role has
    connection_state state_ = connection_state::handshaking;
    connection_options options_;
    const hub_protocol* protocol_ = nullptr;

    std::string handshake_buffer_;
    std::optional<message_reader> reader_;
    bool reader_failed_ = false;
    std::optional<stateful_reconnect_buffer> reconnect_;
    std::deque<std::string> waiting_for_ack_; // tracked records over the buffer limit, in order (SR-010)
    std::deque<std::string> outgoing_;
};

} // namespace hubspec::protocol
