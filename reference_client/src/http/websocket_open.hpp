#pragma once
// Opening a client WebSocket (WS-001): resolve, connect, TLS for wss://, then the upgrade
// request with User-Agent and the caller's headers. Written once for the client's transport and the
// harness's raw step. A Beast header: included by .cpp files that use Beast.

#include "http_connection.hpp"

#include <hubspec/protocol/url.hpp>

#include <boost/beast/websocket/stream.hpp>

#include <chrono>
#include <functional>
#include <string>
#include <string_view>

namespace hubspec::client::detail {

using websocket_stream = boost::beast::websocket::stream<net::http_stream>;

/// Where opening stopped: before the upgrade, `failure` names the problem; at the upgrade,
/// `ec` tells why (websocket::error::upgrade_declined: `response` has the answer). No ec: open.
enum class websocket_step { resolve, connect, tls, upgrade };
using websocket_opened =
    std::function<void(websocket_step step, boost::beast::error_code ec, const std::string& failure)>;

/// Connects within `timeout`, then upgrades within `timeout` too; the stream then sends no
/// WebSocket pings (liveness is the hub's Pings, KA-005) and takes messages of any size.
/// `resolver`, `ws` and `response` live until `opened` runs.
void async_open_websocket(websocket_stream& ws, boost::asio::ip::tcp::resolver& resolver, const protocol::http_url& url,
                          const tls_options& tls, const header_list& headers, std::string_view user_agent,
                          std::chrono::milliseconds timeout, boost::beast::websocket::response_type& response,
                          websocket_opened opened);

} // namespace hubspec::client::detail
