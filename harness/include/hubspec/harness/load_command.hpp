#pragma once
// `hubspec load [MODE] [URL]` (issue 16): load on a hub through the reference client's real
// transports, measured as throughput, a latency histogram, errors and, given the server's
// PID, its CPU and memory. Without URL the reference server runs in this process. Exit
// codes: 0 something completed and nothing failed, 1 an error occurred or nothing completed,
// 2 usage errors or no connection could be opened.

#include "hubspec/harness/contract.hpp"

#include <hubspec/client/options.hpp>

#include <cstdint>
#include <iosfwd>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace hubspec::harness {

enum class load_mode {
    echo,      // closed loop: C connections × W invocations of Echo in flight
    rate,      // open loop: a fixed aggregate rate of Echo, latency from each call's scheduled time
    broadcast, // one sender Broadcasts at a rate to N receivers: deliveries, delivery latency, losses
    connect,   // open connections at a rate, then hold them idle: connections/s, server memory each
    stream,    // Stream(count, 0) over C connections: items per second
};

std::optional<load_mode> parse_load_mode(std::string_view name) noexcept;
std::string_view load_mode_name(load_mode mode) noexcept;

struct load_options {
    load_mode mode = load_mode::echo;
    std::string url; // empty: the embedded reference server
    std::optional<client::transport_type> transport;
    client::hub_protocol_kind protocol = client::hub_protocol_kind::json;
    std::size_t connections = 1;    // echo, rate, stream: the load's connections; connect: how many to open
    std::size_t in_flight = 1;      // echo, stream: calls outstanding on each connection
    std::size_t payload_bytes = 32; // echo, rate: the string argument's length
    double rate = 0;                // rate, broadcast: calls per second; connect: connections per second (0: at once)
    std::size_t receivers = 10;     // broadcast
    std::size_t stream_items = 100; // stream: the count argument of each Stream(count, 0)
    double seconds = 10;            // the measured window's length at most
    std::uint64_t count = 0;        // the measured window's operations at most (0: bounded by time only)
    double warmup_seconds = 0;      // the same load before the measured window, not measured
    double hold_seconds = 5;        // connect: how long the connections stay open and idle
    double drain_seconds = 10;      // after the window: how long answers still outstanding are awaited
    method_role_map method_roles;   // --method echo=NAME, broadcast=NAME, stream=NAME
    std::optional<int> server_pid;  // read /proc/PID before and after the measured window
    std::string json_file;          // every figure as JSON; "-" = stdout
    bool progress = true;           // a line on stderr about once a second

    std::vector<std::pair<std::string, std::string>> headers; // --header NAME:VALUE
    std::string access_token;                                 // sent as Authorization: Bearer
    std::string access_token_command;                         // run for each connection
    client::tls_options tls;                                  // https://: --ca-file, --insecure
};

/// Checks `options` beyond what the command line parser knows; the problem, or nullopt.
std::optional<std::string> load_usage_problem(const load_options& options);

int load_command(const load_options& options, std::ostream& out, std::ostream& err);

} // namespace hubspec::harness
