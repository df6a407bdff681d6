#pragma once
// What a `hubspec load` run measured, and its two forms: a table for people and JSON with every
// figure (schema `hubspec-load/1`).

#include "load/latency_histogram.hpp"
#include "load/process_usage.hpp"

#include "hubspec/harness/load_command.hpp"

#include <hubspec/protocol/value.hpp>

#include <cstdint>
#include <iosfwd>
#include <optional>
#include <string>

namespace hubspec::harness::load {

struct load_result {
    std::string url;
    std::string transport; // the one asked for; "" = any the target offers, in the client's order
    std::uint64_t connections_opened = 0;
    std::uint64_t connection_failures = 0;
    double seconds = 0;          // the measured window, from its start to its last success
    std::uint64_t sent = 0;      // operations sent (invocations, broadcasts, connection starts, streams)
    std::uint64_t completed = 0; // successes (answers, deliveries, connections, whole streams)
    std::uint64_t items = 0;     // stream items
    std::uint64_t expected = 0;  // broadcast: the deliveries owed
    std::uint64_t lost = 0;
    std::uint64_t errors = 0; // every error: connecting, warm-up, the window
    std::string first_error;
    latency_histogram latency; // the measured window's successes, µs
    std::optional<process_usage> server_before;
    std::optional<process_usage> server_after;
    double client_cpu_seconds = 0; // this process during the measured window: is the load itself the bottleneck?

    /// What the mode counts per second: answers, deliveries, connections, or stream items.
    double throughput(load_mode mode) const;
    /// Exit status: 0 when something completed and nothing failed.
    bool passed() const { return errors == 0 && completed > 0; }
};

void print_load_table(const load_options& options, const load_result& result, std::ostream& out);
protocol::value load_json(const load_options& options, const load_result& result);

} // namespace hubspec::harness::load
