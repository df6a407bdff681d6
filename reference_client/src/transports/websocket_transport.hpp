#pragma once
// The WebSockets transport on Beast (WS-002, WS-009, WS-010, WS-018, WS-019).

#include "transport.hpp"

#include <memory>

namespace boost::asio {
class io_context;
}

namespace hubspec::client::detail {

std::shared_ptr<transport> make_websocket_transport(boost::asio::io_context& io, transport_settings settings);

} // namespace hubspec::client::detail
