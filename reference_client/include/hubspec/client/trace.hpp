#pragma once
// What a connection sends and receives, as it happens: the evidence the harness
// records in its transcripts (design §5). Called on the connection's I/O thread,
// so a handler must be quick and must not call back into the connection.

#include <chrono>
#include <functional>
#include <string_view>

namespace hubspec::client {

enum class trace_direction { outgoing, incoming, local };

enum class trace_kind {
    http_request,    // text: "POST http://host/hub/negotiate?negotiateVersion=1"; bytes: body
    http_response,   // text: "200 OK"; bytes: body
    transport_open,  // text: transport name and URL
    transport_data,  // bytes: what the transport carried (WebSocket message, SSE data, poll body, POST body)
    transport_close, // text: why it closed ("graceful", or the error)
    state,           // text: the connection's new state ("connected", "reconnecting", ...)
};

struct trace_event {
    std::chrono::system_clock::time_point time;
    trace_direction direction;
    trace_kind kind;
    std::string_view text;
    std::string_view bytes;
};

using trace_handler = std::function<void(const trace_event&)>;

} // namespace hubspec::client
