#pragma once
// Opening a client WebSocket (WS-001): resolve, connect, then the upgrade request with
// User-Agent and the caller's headers. Written once for the client's transport and the
// harness's raw step. A Beast header: included by .cpp files that use Beast.

#include "http_connection.hpp"

#include <hubspec/protocol/url.hpp>

#include <boost/beast/websocket/stream.hpp>

#include <chrono>
#include <functional>
#include <string_view>

namespace hubspec::client::detail {

using websocket_stream = boost::beast::websocket::stream<boost::beast::tcp_stream>;

/// Where opening stopped: `ec` tells why (websocket::error::upgrade_declined: `response` has the answer).
enum class websocket_step { resolve, connect, upgrade };
using websocket_opened = std::function<void(websocket_step step, boost::beast::error_code ec)>; // no ec: open

/// Connects within `timeout`, then upgrades within `timeout` too; the stream then sends no
/// WebSocket pings (liveness is the hub's Pings, KA-005) and takes messages of any size.
/// `resolver`, `ws` and `response` live until `opened` runs.
void async_open_websocket(websocket_stream& ws, boost::asio::ip::tcp::resolver& resolver, const protocol::http_url& url,
                          const header_list& headers, std::string_view user_agent, std::chrono::milliseconds timeout,
                          boost::beast::websocket::response_type& response, websocket_opened opened);

} // namespace hubspec::client::detail
