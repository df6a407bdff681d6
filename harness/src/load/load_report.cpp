#include "load/load_report.hpp"

#include <cstdio>
#include <ostream>
#include <vector>

namespace hubspec::harness::load {
namespace {

std::string_view unit_of(load_mode mode) {
    switch (mode) {
    case load_mode::echo:
    case load_mode::rate: return "answers";
    case load_mode::broadcast: return "deliveries";
    case load_mode::connect: return "connections";
    case load_mode::stream: return "items";
    }
    return "";
}

std::string_view latency_meaning(load_mode mode) {
    switch (mode) {
    case load_mode::echo: return "invocation round trip";
    case load_mode::rate: return "from each call's due time to its answer";
    case load_mode::broadcast: return "from the broadcast's due time to each delivery";
    case load_mode::connect: return "from due time to Connected (negotiate, transport, handshake)";
    case load_mode::stream: return "whole stream, request to completion";
    }
    return "";
}

std::string format(const char* pattern, double number) {
    char text[64];
    std::snprintf(text, sizeof text, pattern, number);
    return text;
}

std::string milliseconds(std::uint64_t micros) {
    return format("%.3f ms", static_cast<double>(micros) / 1000.0);
}

std::string megabytes(std::uint64_t bytes) {
    return format("%.1f MB", static_cast<double>(bytes) / 1e6);
}

double server_cpu_seconds(const load_result& r) {
    return r.server_before && r.server_after ? r.server_after->cpu_seconds - r.server_before->cpu_seconds : 0.0;
}

/// Units of work per server CPU-second (connect: none, its figure is memory).
double per_server_cpu_second(load_mode mode, const load_result& r) {
    const auto cpu = server_cpu_seconds(r);
    if (cpu <= 0 || mode == load_mode::connect) return 0.0;
    return static_cast<double>(mode == load_mode::stream ? r.items : r.completed) / cpu;
}

/// connect: the server's RSS with the connections open, less before, per connection.
double rss_per_connection(const load_result& r) {
    if (!r.server_before || !r.server_after || r.completed == 0) return 0.0;
    return (static_cast<double>(r.server_after->rss_bytes) - static_cast<double>(r.server_before->rss_bytes)) /
           static_cast<double>(r.completed);
}

using protocol::value;

void put(protocol::map& m, std::string key, value v) {
    m.push_back({value{std::move(key)}, std::move(v)});
}

value count(std::uint64_t n) {
    return value{static_cast<std::int64_t>(n)};
}

} // namespace

double load_result::throughput(load_mode mode) const {
    if (seconds <= 0) return 0.0;
    return static_cast<double>(mode == load_mode::stream ? items : completed) / seconds;
}

void print_load_table(const load_options& options, const load_result& r, std::ostream& out) {
    const auto mode = options.mode;
    std::vector<std::pair<std::string, std::string>> rows;
    const auto add = [&](std::string name, std::string figure) {
        rows.emplace_back(std::move(name), std::move(figure));
    };
    add("target", r.url + (r.transport.empty() ? ""
                                               : " (" + r.transport + ", " +
                                                     (options.protocol == client::hub_protocol_kind::json
                                                          ? std::string("json")
                                                          : std::string("messagepack")) +
                                                     ")"));
    add("connections",
        std::to_string(r.connections_opened) + " opened, " + std::to_string(r.connection_failures) + " failed");
    add("measured", format("%.2f s", r.seconds) +
                        (options.warmup_seconds > 0 ? format(" after a %.1f s warm-up", options.warmup_seconds) : ""));
    add("sent", std::to_string(r.sent));
    add(std::string(mode == load_mode::stream ? "streams completed" : unit_of(mode)), std::to_string(r.completed));
    if (mode == load_mode::stream) add("items", std::to_string(r.items));
    if (mode == load_mode::broadcast) add("lost", std::to_string(r.lost) + " of " + std::to_string(r.expected));
    add(std::string(unit_of(mode)) + " per second", format("%.1f", r.throughput(mode)));
    add("errors", std::to_string(r.errors) + (r.first_error.empty() ? "" : " (first: " + r.first_error + ")"));
    const auto& h = r.latency;
    add("latency", std::string(latency_meaning(mode)) + ", " + std::to_string(h.count()) + " samples");
    add("  p50", milliseconds(h.percentile(50)));
    add("  p90", milliseconds(h.percentile(90)));
    add("  p99", milliseconds(h.percentile(99)));
    add("  p99.9", milliseconds(h.percentile(99.9)));
    add("  max", milliseconds(h.max()));
    add("load CPU", format("%.2f s", r.client_cpu_seconds) + " (this process" +
                        (options.url.empty() ? ", the embedded server included)" : ")"));
    if (r.server_before && r.server_after) {
        add("server CPU", format("%.2f s", server_cpu_seconds(r)));
        add("server RSS", megabytes(r.server_before->rss_bytes) + " before, " + megabytes(r.server_after->rss_bytes) +
                              (mode == load_mode::connect ? " with the connections" : " after"));
        if (mode == load_mode::connect)
            add("server RSS per connection", format("%.1f KB", rss_per_connection(r) / 1000.0));
        else
            add(std::string(unit_of(mode)) + " per server CPU-second",
                per_server_cpu_second(mode, r) > 0 ? format("%.0f", per_server_cpu_second(mode, r))
                                                   : std::string("n/a (less CPU than the 10 ms /proc counts)"));
    }
    std::size_t width = 0;
    for (const auto& row : rows)
        width = std::max(width, row.first.size());
    out << "hubspec load " << load_mode_name(mode) << "\n";
    for (const auto& [name, figure] : rows)
        out << "  " << name << std::string(width - name.size() + 2, ' ') << figure << "\n";
}

value load_json(const load_options& options, const load_result& r) {
    const auto mode = options.mode;
    protocol::map m;
    put(m, "schema", value{"hubspec-load/1"});
    put(m, "mode", value{load_mode_name(mode)});
    put(m, "url", value{r.url});
    put(m, "transport", value{r.transport});
    put(m, "protocol", value{options.protocol == client::hub_protocol_kind::json ? "json" : "messagepack"});
    put(m, "connections", count(options.connections));
    put(m, "in_flight", count(options.in_flight));
    put(m, "payload_bytes", count(options.payload_bytes));
    put(m, "rate", value{options.rate});
    put(m, "receivers", count(options.receivers));
    put(m, "stream_items", count(options.stream_items));
    put(m, "count", count(options.count));
    put(m, "warmup_seconds", value{options.warmup_seconds});
    put(m, "connections_opened", count(r.connections_opened));
    put(m, "connection_failures", count(r.connection_failures));
    put(m, "seconds", value{r.seconds});
    put(m, "sent", count(r.sent));
    put(m, "completed", count(r.completed));
    put(m, "items", count(r.items));
    put(m, "expected", count(r.expected));
    put(m, "lost", count(r.lost));
    put(m, "errors", count(r.errors));
    put(m, "first_error", value{r.first_error});
    put(m, "unit", value{unit_of(mode)});
    put(m, "per_second", value{r.throughput(mode)});
    const auto& h = r.latency;
    protocol::map latency;
    put(latency, "meaning", value{latency_meaning(mode)});
    put(latency, "count", count(h.count()));
    put(latency, "min", count(h.min()));
    put(latency, "mean", value{h.mean()});
    put(latency, "p50", count(h.percentile(50)));
    put(latency, "p90", count(h.percentile(90)));
    put(latency, "p99", count(h.percentile(99)));
    put(latency, "p99_9", count(h.percentile(99.9)));
    put(latency, "max", count(h.max()));
    put(m, "latency_us", value{std::move(latency)});
    put(m, "client_cpu_seconds", value{r.client_cpu_seconds});
    if (r.server_before && r.server_after) {
        protocol::map server;
        put(server, "pid", value{options.server_pid.value_or(0)});
        put(server, "cpu_seconds", value{server_cpu_seconds(r)});
        put(server, "rss_before_bytes", count(r.server_before->rss_bytes));
        put(server, "rss_after_bytes", count(r.server_after->rss_bytes));
        const auto per_cpu = per_server_cpu_second(mode, r);
        put(server, "per_cpu_second", per_cpu > 0 ? value{per_cpu} : value{}); // null: under one 10 ms tick
        put(server, "rss_per_connection_bytes", value{mode == load_mode::connect ? rss_per_connection(r) : 0.0});
        put(m, "server", value{std::move(server)});
    } else {
        put(m, "server", value{});
    }
    put(m, "passed", value{r.passed()});
    return value{std::move(m)};
}

} // namespace hubspec::harness::load
