#pragma once
// Private to the server: what server_control reaches (the router, the I/O loop).

#include "http/endpoint_router.hpp"
#include "hub_strand.hpp"

#include "hubspec/server/control.hpp"

#include <atomic>
#include <functional>

namespace hubspec::server {

struct server_control::impl {
    impl(detail::endpoint_router& r, const detail::hub_strand& strand, const std::atomic<bool>& is_running)
        : router(r), hub(strand), running(is_running) {}

    /// Runs `work` on the hub strand and waits for it; inline when already there or
    /// when the loop does not run.
    void on_io(std::function<void()> work) const;

    detail::endpoint_router& router;
    detail::hub_strand hub;
    const std::atomic<bool>& running;
};

} // namespace hubspec::server
