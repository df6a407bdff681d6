#pragma once
// A transport moves framed bytes between the client and the hub (WS-*, SSE-*, LP-*).
// Every member is called on the connection's io thread, and every handler runs there.

#include "http/http_request.hpp"
#include "http/tracer.hpp"

#include "hubspec/client/violations.hpp"

#include <hubspec/protocol/hub_protocol.hpp>
#include <hubspec/protocol/negotiate.hpp>

#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

namespace hubspec::client::detail {

/// How a transport's connection ended: no error = graceful (a Close frame, WS-018).
struct transport_closed {
    std::optional<std::string> error;
};

struct transport_settings {
    header_list headers; // user headers and `Authorization: Bearer` (NEG-032)
    std::optional<std::string>
        access_token; // also `access_token` in the SSE URL, as Microsoft's JS client does (NEG-033)
    std::chrono::milliseconds connect_timeout{30'000};
    tls_options tls; // https:// and wss://
    tracer trace;    // HTTP exchanges, open, close and every payload, when set
    violation_set violations;
};

class transport {
public:
    using started_handler = std::function<void(std::optional<std::string> error)>;
    using receive_handler = std::function<void(std::string_view bytes)>;
    using closed_handler = std::function<void(transport_closed)>;

    virtual ~transport() = default;

    /// Connects to `url` (its `id` already added, NEG-035). `started` runs once: with
    /// an error if the transport could not start, then nothing else runs. After a
    /// successful start, `receive` gets bytes as they arrive and `closed` runs once.
    virtual void start(const std::string& url, protocol::transfer_format format, started_handler started,
                       receive_handler receive, closed_handler closed) = 0;

    /// Queues bytes holding whole records (FRAME-004); they go out in order.
    virtual void send(std::string bytes) = 0;

    /// Ends the transport gracefully once queued sends are written; `closed` follows.
    /// Before the start completed, `started` gets an error instead.
    virtual void stop() = 0;

    /// Ends it at once without a close handshake (used on bad server input).
    virtual void abort() = 0;

    virtual protocol::transport_type type() const noexcept = 0;
};

} // namespace hubspec::client::detail
