#pragma once
// A connection of a scenario made by hand on the raw wire: the harness writes the
// bytes (valid or not) and reads what the server sends, record by record, so that
// steps can check the server's side of the protocol without a client in between.
// Transports (raw_websocket.cpp, ...) feed received bytes in; the base decodes them.

#include "hubspec/reports/transcript.hpp"

#include <hubspec/client/tls_options.hpp>
#include <hubspec/protocol/hub_message.hpp>
#include <hubspec/protocol/hub_protocol.hpp>
#include <hubspec/protocol/message_reader.hpp>
#include <hubspec/protocol/negotiate.hpp>

#include <chrono>
#include <condition_variable>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <variant>

namespace hubspec::harness::detail {

using clock = std::chrono::steady_clock;

/// The handshake response record's JSON body (HS-012: JSON even on MessagePack connections).
struct raw_handshake {
    std::string json;
};
struct raw_closed {
    std::string how; // "close frame 1000", "end of stream", "HTTP 204", ...
};
struct raw_timeout {};
struct raw_bad_bytes {
    std::string problem; // the protocol core's error, with its requirement ID
};
using raw_event = std::variant<raw_handshake, protocol::hub_message, raw_closed, raw_timeout, raw_bad_bytes>;

/// A defect of the server's framing that steps cannot see, because the reader reassembles
/// records across transport messages anyway: a message that ended inside a record (WS-011, SSE-007).
struct wire_defect {
    std::string requirement;
    std::string expected;
    std::string seen;
};

/// How many WebSocket messages of each frame type the server sent so far (WS-007).
struct frame_tally {
    std::size_t text = 0, binary = 0;
};

class raw_actor {
public:
    raw_actor(std::string name, const protocol::hub_protocol& protocol, transcript& log);
    virtual ~raw_actor();

    /// Sends bytes as they are (one WebSocket message, one POST body).
    virtual void send(const std::string& bytes) = 0;
    /// Sends the same bytes `times` times in a row; the transcript shows the first and counts the rest
    /// (a flood of big records must not swell the reports).
    void send_repeated(const std::string& bytes, int times);
    /// Ends the transport gracefully (WebSocket Close, DELETE for long polling).
    virtual void close() = 0;
    /// The frame types received so far; none on transports without frames.
    virtual std::optional<frame_tally> frames() const { return std::nullopt; }
    /// Stops (true) or resumes reading from the socket, as a client that stalls does:
    /// the kernel's buffers fill and the server's writes block (KA-011). False where
    /// the transport cannot do it.
    virtual bool pause_reading(bool /*paused*/) { return false; }

    /// What the server sent next: the handshake response (first, when one is expected),
    /// a hub message, or how the wait ended.
    raw_event next(std::chrono::steady_clock::time_point deadline);

    const std::string& name() const { return name_; }
    /// The first wire defect seen on this connection, if any.
    std::optional<wire_defect> defect() const;
    const protocol::hub_protocol& protocol() const { return protocol_; }

    /// The connection's id and token from its negotiate, for URLs in later steps.
    std::string connection_id, connection_token;

protected:
    /// Called by the transport's reader with bytes as they arrive, and once when it ends.
    void deliver(std::string_view bytes);
    void deliver_closed(std::string how);
    /// Called by the transport after delivering one whole transport message (`what`: "WebSocket
    /// message", "event"): `requirement` is broken when the message ended inside a record.
    void message_ended(std::string_view requirement, std::string_view what);
    void expect_handshake_response() { handshake_pending_ = true; }
    /// False while send_repeated() is past its first copy: transports then log failures only.
    bool log_sent_payloads_ = true;

    std::string name_;
    const protocol::hub_protocol& protocol_;
    transcript& log_;

private:
    mutable std::mutex mutex_;
    std::condition_variable changed_;
    protocol::message_reader reader_;
    // Fed what reader_ is fed and drained at once: bytes left at a message's end are a partial record.
    protocol::message_reader alignment_;
    bool alignment_unreadable_ = false;
    std::size_t messages_ = 0;
    std::optional<wire_defect> defect_;
    std::string handshake_buffer_;
    bool handshake_pending_ = false;
    std::optional<std::string> handshake_reply_;
    std::optional<std::string> closed_;
};

struct raw_connect_options {
    std::string url; // the endpoint URL (http://host/hub)
    protocol::transport_type transport = protocol::transport_type::websockets;
    int negotiate_version = 1;
    bool negotiate = true;
    std::string resume_token; // re-attach to this connection token: no negotiate, no handshake (SR-011, SR-014)
    bool handshake = true;    // send the handshake request
    bool expect_handshake_reply =
        true; // read the first record as the handshake response (even when a step sends the request)
    std::string extra_query;
    std::vector<std::pair<std::string, std::string>> headers;
    client::tls_options tls; // https:// targets
    std::chrono::milliseconds timeout{10'000};
};

/// Negotiates (unless told not to), opens the transport and sends the handshake.
/// Throws std::runtime_error naming what failed; an HTTP refusal of the transport
/// throws raw_refused with its status.
std::unique_ptr<raw_actor> raw_connect(const std::string& name, const raw_connect_options& options,
                                       const protocol::hub_protocol& protocol, transcript& log);

struct raw_refused : std::runtime_error {
    raw_refused(int s, const std::string& what) : std::runtime_error(what), status(s) {}
    int status;
};

/// raw_connect got a negotiate reply it cannot connect with; `requirement` is the one it breaks.
struct raw_negotiate_unusable : std::runtime_error {
    raw_negotiate_unusable(std::string r, const std::string& what)
        : std::runtime_error(what), requirement(std::move(r)) {}
    std::string requirement;
};

} // namespace hubspec::harness::detail
