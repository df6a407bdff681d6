#pragma once
// The lifecycle of one hub connection, for both roles, as one table.
//
// Rules the table keeps (h2's `_transitions`, h11's _state.py):
// - handshaking ends once: handshake_succeeded to connected, or
//   handshake_failed / ended to closed (HS-008, HS-009, HS-016).
// - A Close sent or received moves connected to closing (MSG-072..MSG-076):
//   messages may still flow until the transport ends.
// - Only a stateful connection loses its transport without ending (SR-011):
//   transport_lost, then transport_resumed (SR-013) or ended (SR-012, SR-016).
//   A resume while connected is the replacement of SR-019.
// - closed is final: every input there is refused.

#include <optional>
#include <string_view>

namespace hubspec::protocol {

enum class connection_state {
    handshaking,    // the first record, the handshake, has not been read yet (HS-*)
    connected,      // hub messages both ways
    transport_lost, // stateful reconnect: the transport dropped, a resume may come (SR-011, SR-012)
    closing,        // a Close went one way: what is in flight may still arrive (MSG-072)
    closed,         // nothing more is read or written
};

enum class connection_input {
    handshake_succeeded, // HS-007, HS-016
    handshake_failed,    // HS-004..HS-011, HS-016
    close_sent,          // MSG-072, ERR-007, KA-004
    close_received,      // MSG-073, MSG-075
    transport_lost,      // SR-011
    transport_resumed,   // SR-013, SR-019
    ended,               // the owner ends it: the transport gone for good (WS-018, LP-*), teardown,
                         // a timeout, a failed resume (SR-012, SR-017)
};

/// The state `input` leads to from `from`; nullopt when the table has no such row.
std::optional<connection_state> next_state(connection_state from, connection_input input) noexcept;

std::string_view to_string(connection_state state) noexcept;

} // namespace hubspec::protocol
