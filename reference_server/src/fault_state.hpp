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
#include <optional>
#include <string>

namespace hubspec::server::detail {

/// A reply the control API scripts for the next request of its kind.
struct scripted_reply {
    unsigned status = 200;
    std::string body;
};

struct fault_state {
    std::atomic<bool> refuse_websockets{false};      // upgrades get 503 while negotiate still offers WebSockets
    std::atomic<bool> pings{true};                   // false: keep-alive Pings are skipped (KA-001 stalled)
    std::atomic<std::int64_t> delay_ms{0};           // every outgoing transport message waits this long, in order
    std::atomic<bool> negotiate_version_zero{false}; // every negotiate answers as version 0 (no connectionToken)
    // One-shot, set and taken on the I/O thread: what a client under test meets once.
    std::optional<scripted_reply> next_negotiate; // the next negotiate's reply; no connection is made
    // Sent instead of the next handshake response, then the end; mutable: hub connections see the
    // faults as const and take it (the one field they change).
    mutable std::optional<std::string> next_handshake_reply;

    violation_set violations; // --violate: fixed before the server runs, read without locks
    wire_tap tap;             // fixed before the server runs: what clients send, for the harness

    /// The points where the switches bend the wire; the only way code outside
    /// violation_hooks.cpp should see them.
    violation_hooks hooks() const noexcept { return violation_hooks{violations}; }
    std::chrono::milliseconds delay() const noexcept { return std::chrono::milliseconds{delay_ms.load()}; }
};

} // namespace hubspec::server::detail
