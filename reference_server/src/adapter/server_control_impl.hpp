#pragma once
// Private to the server: what server_control reaches (the router, the I/O loop).

#include "http/endpoint_router.hpp"

#include "hubspec/server/control.hpp"

#include <boost/asio/io_context.hpp>

#include <atomic>
#include <functional>

namespace hubspec::server {

struct server_control::impl {
    impl(detail::endpoint_router& r, boost::asio::io_context& context, const std::atomic<bool>& is_running)
        : router(r), io(context), running(is_running) {}

    /// Runs `work` on the I/O thread and waits for it; inline when already there or
    /// when the loop does not run.
    void on_io(std::function<void()> work) const;

    detail::endpoint_router& router;
    boost::asio::io_context& io;
    const std::atomic<bool>& running;
};

} // namespace hubspec::server
