#pragma once
// The hub strand: where the router, the hubs, their timers, the backplane and the
// control API run, one handler at a time, whichever pool thread runs it. Sockets
// run on strands of their own and cross to it by posting (README: Threads).

#include <boost/asio/io_context.hpp>
#include <boost/asio/strand.hpp>

namespace hubspec::server::detail {

using hub_strand = boost::asio::strand<boost::asio::io_context::executor_type>;

} // namespace hubspec::server::detail
