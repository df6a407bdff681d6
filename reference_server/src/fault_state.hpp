#pragma once
// The faults the control API switches on for the whole server (refused WebSockets,
// no Pings, delayed sends). Atomics: the control API may set them from any thread;
// the I/O thread reads them when it decides. The --violate switches are read
// through hooks() (violation_hooks.hpp).

#include "violation_hooks.hpp"

#include "hubspec/server/violations.hpp"
#include "hubspec/server/wire_tap.hpp"

#include <atomic>
#include <chrono>
#include <cstdint>

namespace hubspec::server::detail {

struct fault_state {
    std::atomic<bool> refuse_websockets{false}; // upgrades get 503 while negotiate still offers WebSockets
    std::atomic<bool> pings{true};              // false: keep-alive Pings are skipped (KA-001 stalled)
    std::atomic<std::int64_t> delay_ms{0};      // every outgoing transport message waits this long, in order

    violation_set violations; // --violate: fixed before the server runs, read without locks
    wire_tap tap;             // fixed before the server runs: what clients send, for the harness

    /// The points where the switches bend the wire; the only way code outside
    /// violation_hooks.cpp should see them.
    violation_hooks hooks() const noexcept { return violation_hooks{violations}; }
    std::chrono::milliseconds delay() const noexcept { return std::chrono::milliseconds{delay_ms.load()}; }
};

} // namespace hubspec::server::detail
