#pragma once
// The long polling transport (LP-004, LP-007, LP-010, LP-013, LP-015, LP-018..021):
// GET polls for server data, POSTs for client data, DELETE to end it.

#include "transport.hpp"

#include <memory>

namespace boost::asio {
class io_context;
}

namespace hubspec::client::detail {

std::shared_ptr<transport> make_long_polling_transport(boost::asio::io_context& io, transport_settings settings);

} // namespace hubspec::client::detail
