#pragma once
// Private to the Beast adapter: the sessions that carry a hub connection once
// the router accepted a WebSocket or an event stream. Each ends by telling the
// router how it ended (transport_ended); the router decides what follows.
// A session runs on its stream's strand; whatever it asks of the router or its hub
// connection is posted to the hub strand, and what the hub asks of it (the
// transport_sink calls, made on the hub strand) is posted back.

#include "http/endpoint_router.hpp"

#include <hubspec/net/http_stream.hpp>

#include <boost/asio/any_io_executor.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>

#include <functional>

namespace hubspec::server::detail {

/// WebSockets (WS-*), including the resume of a stateful connection (SR-011, SR-019).
void run_websocket_transport(hubspec::net::http_stream&& stream,
                             boost::beast::http::request<boost::beast::http::string_body> request,
                             endpoint_router& router, websocket_accept accept, const boost::asio::any_io_executor& hub);

/// Server-Sent Events (SSE-004..007, SSE-013); sends arrive by POST through the router. Called on the
/// hub strand where the router accepted the stream: the hub connection starts there and then, and
/// `take_stream` runs on `session`'s strand to hand the HTTP session's stream over.
void open_sse_transport(endpoint_router& router, sse_accept accept, const boost::asio::any_io_executor& hub,
                        const boost::asio::any_io_executor& session,
                        std::function<hubspec::net::http_stream()> take_stream);

} // namespace hubspec::server::detail
