#pragma once
// Stateful reconnect (SR-*): the message buffer each peer runs once SR-001 holds.
//
// Theory. Each side numbers the tracked messages (types 1-5, SR-004) it sends,
// and separately the ones it receives, 1, 2, 3, … for the life of the logical
// connection; a new transport does not reset either count (SR-005). Sent ones
// stay, as framed bytes, in a replay buffer until the peer's Ack(n) (SR-007,
// SR-009); received ones are counted so that a replay can be de-duplicated
// (SR-006). After a transport loss each side first sends Sequence(s), s being the
// number of the first message it is about to replay (SR-013), and the receiver
// rewinds its count to s (SR-015). Nothing here knows about transports, threads
// or clocks: the caller reports what it sends and receives, when the transport
// died and came back, passes `now`, and gets decisions back.

#include "hubspec/protocol/error.hpp"
#include "hubspec/protocol/hub_message.hpp"
#include "hubspec/protocol/hub_protocol.hpp"

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace hubspec::protocol {

/// ASP.NET Core's StatefulReconnectBufferSize default, in bytes (SR-010).
inline constexpr std::size_t default_stateful_reconnect_buffer_size = 100'000;
/// Delay between receiving new tracked messages and acknowledging them (SR-008).
inline constexpr std::chrono::milliseconds default_ack_delay{1'000};

/// True for types 1-5 only (SR-004): Ping, Close, Ack, Sequence and unknown types
/// are never numbered or buffered, nor is the handshake (not a hub_message, HS-019).
/// Client-result Completions are tracked like any Completion (CR-010).
bool is_sequence_tracked(const hub_message& message) noexcept;
bool is_sequence_tracked(std::int64_t type_code) noexcept;

/// What the receiver does with messages that arrive after a transport loss
/// and before the peer's Sequence (SR-014).
enum class resume_gate {
    none,           // .NET 8 GA server and client: process them, rely on SR-006
    until_sequence, // TS client: drop every message but Sequence until it arrives
};

struct stateful_reconnect_options {
    std::size_t buffer_size = default_stateful_reconnect_buffer_size; // StatefulReconnectBufferSize (SR-010)
    std::chrono::milliseconds ack_delay = default_ack_delay;          // SR-008
    resume_gate gate = resume_gate::none;                             // SR-014
};

/// Whether the logical connection currently has a working transport.
enum class link_state {
    connected,      // sends go out now
    transport_lost, // ungraceful loss: waiting for resume() (SR-011)
    ended,          // graceful close: no resume follows (SR-016)
};

enum class send_decision {
    send,            // write the bytes now
    wait_for_ack,    // buffered bytes exceed the limit: nothing recorded; offer it again after an Ack (SR-010)
    held_for_resume, // transport down, tracked: numbered and buffered; resume() sends it (SR-013)
    discard,         // transport down or connection ended, and nothing will ever send it
};

struct send_result {
    send_decision decision = send_decision::send;
    std::int64_t sequence_id = 0; // the message's number if it was tracked and recorded, else 0
};

enum class receive_decision {
    dispatch,               // hand it to the application (new tracked message, Ping, Close, unknown)
    handled,                // an Ack or Sequence, applied here: nothing more to do
    drop_duplicate,         // tracked and numbered at or below the highest processed (SR-006)
    drop_awaiting_sequence, // arrived after a loss before the peer's Sequence (resume_gate::until_sequence)
};

struct receive_result {
    receive_decision decision = receive_decision::dispatch;
    std::int64_t sequence_id = 0; // the number it was given if tracked and counted, else 0
};

/// What to write first on a re-established transport (SR-013, SR-014).
struct resume_plan {
    sequence_message sequence;        // s: the oldest un-acked number, or last sent + 1
    std::vector<std::string> records; // framed Sequence first, then each un-acked message in order
};

/// The message buffer of one peer for one logical connection. Plain data:
/// copyable, no callbacks, nothing shared.
class stateful_reconnect_buffer {
public:
    using time_point = std::chrono::steady_clock::time_point;

    explicit stateful_reconnect_buffer(stateful_reconnect_options options = {});

    // ---- outgoing --------------------------------------------------------

    /// Call before writing any hub message; `framed` is its record, exactly as it
    /// would be written. Tracked messages get the next number and a copy of their
    /// bytes is kept until acknowledged (SR-005, SR-007). A Close ends the
    /// connection (SR-016). Untracked messages never wait on the limit.
    send_result on_send(const hub_message& message, std::string_view framed);

    /// True while buffered bytes exceed the limit: tracked sends would wait (SR-010).
    bool must_wait_for_ack() const noexcept { return buffered_bytes_ > options_.buffer_size; }

    /// Applies the peer's Ack(n): drops buffered messages numbered <= n (SR-009)
    /// and returns how many. ack_id_too_high, with nothing changed, if n is above
    /// the last number sent. Ack(n <= 0) drops nothing.
    result<std::size_t> on_ack(std::int64_t sequence_id);

    /// Number the last tracked message sent got; 0 before the first.
    std::int64_t last_sent_id() const noexcept { return last_sent_id_; }
    /// The s of the next Sequence: the oldest un-acked number, or last sent + 1 (SR-013).
    std::int64_t resume_sequence_id() const noexcept;
    std::size_t buffered_bytes() const noexcept { return buffered_bytes_; }
    std::size_t buffered_count() const noexcept { return buffer_.size(); }

    // ---- incoming --------------------------------------------------------

    /// Call for every parsed incoming hub message, in arrival order. Tracked
    /// messages are numbered and duplicates reported (SR-006); an Ack or Sequence
    /// is applied (on_ack, on_sequence) and its error, if any, returned; a Close
    /// ends the connection (SR-016). Arms the Ack timer on new tracked messages.
    result<receive_result> on_receive(const hub_message& message, time_point now);

    /// Applies the peer's Sequence(s): the next incoming message is number s.
    /// sequence_id_too_high, with Microsoft's text and nothing changed, if s is
    /// above the next expected number (SR-015) *and* above latest_received_id() + 1.
    /// The two differ only mid-replay: after Sequence(s') rewound the count, our
    /// Ack of the highest number may reach the peer, which then rightly names a
    /// higher s after a second loss. Nothing was lost; Microsoft errs there.
    /// Also lifts the resume gate.
    result<void> on_sequence(std::int64_t sequence_id);

    /// The Ack to send now, if one is due: ack_delay after the first tracked
    /// message not yet acknowledged, and only if the highest processed number grew
    /// since the last Ack (SR-008) or a duplicate showed the peer missed that Ack.
    /// Nothing while the transport is down; a pending Ack waits for the resume.
    std::optional<ack_message> poll_ack(time_point now);
    /// When poll_ack will next have something to say; nullopt if nothing is pending.
    std::optional<time_point> next_ack_deadline() const noexcept;

    /// Highest incoming number processed (dispatched); 0 before the first.
    std::int64_t latest_received_id() const noexcept { return latest_received_id_; }
    /// Number the next incoming tracked message will get.
    std::int64_t next_expected_id() const noexcept { return next_expected_id_; }
    /// True after a loss until the peer's Sequence arrives.
    bool awaiting_sequence() const noexcept { return awaiting_sequence_; }

    // ---- the link --------------------------------------------------------

    /// The transport ended without a graceful close (WS-018): hold sends, keep
    /// the buffer, and (with resume_gate::until_sequence) gate receives. No-op
    /// once ended.
    void on_transport_lost() noexcept;

    /// A new transport is up: the records to write on it before anything else,
    /// framed with `protocol` (the connection's own). reconnect_after_close once
    /// the connection ended (SR-016). Calling it while connected is allowed: it
    /// replays again, which the peer's duplicate detection absorbs.
    result<resume_plan> resume(const hub_protocol& protocol);

    /// A graceful close (Close frame, stop()) ended the connection (SR-016).
    void end() noexcept;

    link_state state() const noexcept { return state_; }
    const stateful_reconnect_options& options() const noexcept { return options_; }

private:
    struct entry {
        std::int64_t sequence_id;
        std::string bytes;
    };

    stateful_reconnect_options options_;
    link_state state_ = link_state::connected;

    std::deque<entry> buffer_; // un-acked tracked messages, oldest first
    std::size_t buffered_bytes_ = 0;
    std::int64_t last_sent_id_ = 0;

    std::int64_t next_expected_id_ = 1;
    std::int64_t latest_received_id_ = 0;
    std::int64_t last_acked_id_ = 0;
    bool reack_ = false; // a duplicate arrived: our last Ack may have been lost with the transport
    bool awaiting_sequence_ = false;
    std::optional<time_point> ack_deadline_;
};

} // namespace hubspec::protocol
