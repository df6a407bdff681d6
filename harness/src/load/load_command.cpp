// `hubspec load`: opens the driver's connections, runs its warm-up and measured windows, reads
// the server's /proc around the measured one, then prints and writes the figures.

#include "hubspec/harness/load_command.hpp"

#include "engine/credentials.hpp"
#include "engine/embedded_server.hpp"
#include "load/connection_set.hpp"
#include "load/load_driver.hpp"
#include "load/load_report.hpp"
#include "load/progress_line.hpp"

#include <hubspec/protocol/json_value.hpp>
#include <hubspec/protocol/negotiate.hpp>

#include <fstream>
#include <iostream>
#include <optional>

#include <sys/resource.h>
#include <unistd.h>

namespace hubspec::harness {
namespace {

using load::load_window;

constexpr std::string_view mode_names[] = {"echo", "rate", "broadcast", "connect", "stream"};

/// A thousand connections need more descriptors than the usual soft limit of 1024.
void raise_descriptor_limit() {
    rlimit limit{};
    if (getrlimit(RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur < limit.rlim_max) {
        limit.rlim_cur = limit.rlim_max;
        setrlimit(RLIMIT_NOFILE, &limit);
    }
}

load_window::clock::duration seconds(double s) {
    return std::chrono::duration_cast<load_window::clock::duration>(std::chrono::duration<double>(s));
}

std::unique_ptr<load::load_driver> make_driver(const load_options& options,
                                               const client::connection_options& connection_options) {
    switch (options.mode) {
    case load_mode::echo: return load::make_echo_driver(options);
    case load_mode::rate: return load::make_rate_driver(options);
    case load_mode::broadcast: return load::make_broadcast_driver(options);
    case load_mode::connect: return load::make_connect_driver(options, connection_options);
    case load_mode::stream: return load::make_stream_driver(options);
    }
    return nullptr;
}

/// Errors from a window that was not measured (connecting, the warm-up) still count.
void add_errors(load::load_result& result, const load_window& window) {
    result.errors += window.errors();
    if (result.first_error.empty()) result.first_error = window.first_error();
}

} // namespace

std::optional<load_mode> parse_load_mode(std::string_view name) noexcept {
    for (std::size_t i = 0; i < std::size(mode_names); ++i)
        if (mode_names[i] == name) return static_cast<load_mode>(i);
    return std::nullopt;
}

std::string_view load_mode_name(load_mode mode) noexcept {
    return mode_names[static_cast<std::size_t>(mode)];
}

std::optional<std::string> load_usage_problem(const load_options& o) {
    const auto mode = load_mode_name(o.mode);
    if (o.connections == 0) return "--connections must be at least 1";
    if (o.in_flight == 0) return "--in-flight must be at least 1";
    if (o.payload_bytes == 0) return "--payload-bytes must be at least 1";
    if (!(o.seconds > 0)) return "--seconds must be more than 0: every run is bounded in time";
    if (o.warmup_seconds < 0 || o.hold_seconds < 0 || o.drain_seconds < 0)
        return "--warmup-seconds, --hold-seconds and --drain-seconds cannot be negative";
    if ((o.mode == load_mode::rate || o.mode == load_mode::broadcast) && !(o.rate > 0))
        return "the " + std::string(mode) + " mode needs --rate, calls per second (more than 0)";
    if (o.rate < 0) return "--rate cannot be negative";
    if (o.mode == load_mode::broadcast && o.receivers == 0) return "--receivers must be at least 1";
    if (o.mode == load_mode::stream && o.stream_items == 0) return "--stream-items must be at least 1";
    for (const auto& [role, name] : o.method_roles)
        if (role != "Echo" && role != "Broadcast" && role != "Stream")
            return "--method " + role + "=" + name + ": hubspec load calls only echo, broadcast and stream";
    if (o.server_pid && !load::read_process_usage(*o.server_pid))
        return "--server-pid " + std::to_string(*o.server_pid) + ": no such process (or its /proc is unreadable)";
    return std::nullopt;
}

namespace load {

std::string method_for(const load_options& options, const std::string& role) {
    const auto it = options.method_roles.find(role);
    return it == options.method_roles.end() ? role : it->second;
}

void finish_window(load_window& window, const load_options& options) {
    const auto limit = std::max(load_window::clock::now(), window.deadline()) + seconds(options.drain_seconds);
    if (!window.wait_idle(limit))
        window.failed(std::to_string(window.in_flight()) + " calls unanswered " +
                          std::to_string(static_cast<int>(options.drain_seconds)) + " s after the window",
                      window.in_flight());
    window.close();
}

} // namespace load

int load_command(const load_options& options, std::ostream& out, std::ostream& err) {
    if (auto problem = load_usage_problem(options)) {
        err << "hubspec load: " << *problem << "\n";
        return 2;
    }
    raise_descriptor_limit();
    std::unique_ptr<detail::embedded_server> embedded;
    auto url = options.url;
    if (url.empty()) {
        embedded = std::make_unique<detail::embedded_server>(protocol::target_settings{});
        url = embedded->hub_url();
    }

    client::connection_options connection_options;
    connection_options.url = url;
    if (options.transport) connection_options.transports = {*options.transport};
    connection_options.protocol = options.protocol;
    detail::credentials access(options.headers, options.access_token, options.access_token_command);
    access.set_tls(options.tls);
    access.add_to(connection_options);

    load::load_result result;
    result.url = url;
    if (options.transport) result.transport = protocol::transport_name(*options.transport);

    // The windows outlive the connections: late callbacks still find them (closed).
    load_window connecting("connecting", std::chrono::seconds(60), 0);
    load_window warmup("warm-up", seconds(options.warmup_seconds), 0);
    load_window measured(std::string(load_mode_name(options.mode)), seconds(options.seconds), options.count);
    auto driver = make_driver(options, connection_options);
    std::optional<load::progress_line> progress;
    if (options.progress) progress.emplace(err);
    const auto watch = [&](const load_window* w) {
        if (progress) progress->watch(w);
    };
    load::connection_set connections(connection_options);

    if (const auto needed = driver->connections_needed(); needed > 0) {
        watch(&connecting);
        connecting.open();
        connections.open(needed, 0, connecting, connecting.deadline(),
                         [&](client::hub_connection& c) { driver->prepare(c); });
        connecting.close();
        result.connections_opened = connecting.completed();
        result.connection_failures = connecting.errors();
        add_errors(result, connecting);
        if (connecting.completed() == 0) {
            watch(nullptr);
            err << "hubspec load: no connection to " << url << " opened: " << connecting.first_error() << "\n";
            return 2;
        }
    }
    const auto open = connections.connected();
    if (options.warmup_seconds > 0) {
        watch(&warmup);
        driver->run(warmup, open);
        driver->after_window();
        add_errors(result, warmup);
    }
    if (options.server_pid) result.server_before = load::read_process_usage(*options.server_pid);
    const auto client_before = load::read_process_usage(getpid());
    watch(&measured);
    driver->run(measured, open);
    if (options.server_pid) result.server_after = load::read_process_usage(*options.server_pid);
    if (const auto client_after = load::read_process_usage(getpid()); client_before && client_after)
        result.client_cpu_seconds = client_after->cpu_seconds - client_before->cpu_seconds;
    watch(nullptr);
    driver->after_window();
    progress.reset();

    if (options.mode == load_mode::connect) {
        result.connections_opened = measured.completed();
        result.connection_failures = measured.errors();
    }
    result.seconds = std::chrono::duration<double>(measured.elapsed()).count();
    result.sent = measured.sent();
    result.completed = measured.completed();
    result.items = measured.items();
    result.expected = measured.expected();
    result.lost = measured.lost();
    result.latency = measured.latency();
    add_errors(result, measured);
    if (options.server_pid && !(result.server_before && result.server_after)) {
        ++result.errors;
        if (result.first_error.empty()) result.first_error = "the server process could not be read after the run";
    }

    print_load_table(options, result, options.json_file == "-" ? err : out);
    if (!options.json_file.empty()) {
        const auto json = protocol::to_json(load::load_json(options, result)) + "\n";
        if (options.json_file == "-") {
            out << json;
        } else {
            std::ofstream file(options.json_file);
            file << json;
            if (!file) {
                err << "hubspec load: cannot write " << options.json_file << "\n";
                return 2;
            }
        }
    }
    out.flush();
    return result.passed() ? 0 : 1;
}

} // namespace hubspec::harness
