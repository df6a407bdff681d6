#pragma once
// What a client under test sends, seen from inside the server: every HTTP request
// and every byte a hub connection receives. The harness's client-under-test mode
// (hubspec run --client) judges the client from these. Both callbacks run on the
// server's I/O thread and must not block; unset ones cost nothing.

#include <functional>
#include <string>
#include <string_view>

namespace hubspec::server {

struct tapped_request {
    std::string method;             // "POST", "GET", "DELETE"
    std::string target;             // path and query, as sent
    bool websocket_upgrade = false; // a WebSocket upgrade request
    bool authorization = false;     // carried an Authorization header
    std::string accept;             // the Accept header ("text/event-stream" opens SSE)
};

struct wire_tap {
    std::function<void(const tapped_request&)> on_request;
    /// A negotiate created a connection: its id and the token transport requests must carry
    /// as `id` (the same as the id for negotiate version 0).
    std::function<void(std::string_view connection_id, std::string_view token)> on_negotiated;
    /// Bytes from the client's transport, handshake included, before the server reads them.
    std::function<void(std::string_view connection_id, std::string_view bytes)> on_received;
};

} // namespace hubspec::server
