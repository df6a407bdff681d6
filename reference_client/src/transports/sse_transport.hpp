#pragma once
// The Server-Sent Events transport (SSE-008, SSE-011, SSE-012, NEG-033): one
// streaming GET for server data, POSTs for client data; text only (SSE-009).

#include "transport.hpp"

#include <memory>

namespace boost::asio {
class io_context;
}

namespace hubspec::client::detail {

std::shared_ptr<transport> make_sse_transport(boost::asio::io_context& io, transport_settings settings);

} // namespace hubspec::client::detail
