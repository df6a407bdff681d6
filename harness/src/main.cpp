// The `hubspec` command line (design §5): run, probe, load, list, compare, decode, encode.

#include "hubspec/harness/backplane_check.hpp"
#include "hubspec/harness/codec_commands.hpp"
#include "hubspec/harness/load_command.hpp"
#include "hubspec/harness/probe_command.hpp"
#include "hubspec/harness/suite_commands.hpp"

#include <CLI/CLI.hpp>

#include <array>
#include <iostream>

namespace {

/// `--header NAME:VALUE` lines as pairs (the value's leading spaces dropped); false after
/// printing the usage error.
bool parse_headers(const std::vector<std::string>& lines, std::vector<std::pair<std::string, std::string>>& out) {
    for (const auto& line : lines) {
        const auto colon = line.find(':');
        if (colon == std::string::npos || colon == 0) {
            std::cerr << "hubspec: --header wants NAME:VALUE, got " << line << "\n";
            return false;
        }
        const auto value = line.find_first_not_of(' ', colon + 1);
        out.emplace_back(line.substr(0, colon), value == std::string::npos ? std::string() : line.substr(value));
    }
    return true;
}

/// How a command reaches its target: `--header` lines, an access token, TLS checks (issue 12).
/// One set of options for run, compare and probe.
struct target_access {
    std::vector<std::string> header_lines;
    std::vector<std::pair<std::string, std::string>> headers; // parsed by resolve()
    std::string access_token;
    std::string access_token_command;
    hubspec::client::tls_options tls;

    void add_to(CLI::App* command) {
        command->add_option("--header", header_lines,
                            "NAME:VALUE sent with every request and connection (repeatable; the value is redacted "
                            "from the reports)");
        auto* token = command->add_option("--access-token", access_token,
                                          "sent as Authorization: Bearer TOKEN (redacted from the reports)");
        command
            ->add_option("--access-token-command", access_token_command,
                         "a shell command run for each connection; its output is the access token")
            ->excludes(token);
        command->add_option("--ca-file", tls.ca_file, "PEM file of CAs trusted for https:// besides the system's")
            ->check(CLI::ExistingFile);
        command->add_flag("--insecure", tls.insecure,
                          "do not check an https:// target's certificate (self-signed test servers)");
    }
    /// Parses the header lines; false after printing the usage error.
    bool resolve() { return parse_headers(header_lines, headers); }
    /// Into run_options, probe_command_options or load_options, which name these the same.
    template <class Options>
    void apply(Options& options) const {
        options.headers = headers;
        options.access_token = access_token;
        options.access_token_command = access_token_command;
        options.tls = tls;
    }
};

} // namespace

int main(int argc, char** argv) {
    using namespace hubspec::harness;

    CLI::App app{"hubspec: conformance testing for the SignalR protocol"};
    app.set_version_flag("--version", std::string("hubspec ") + HUBSPEC_VERSION);
    app.require_subcommand(1);

    run_command_options run;
    std::string scenarios_dir;
    std::vector<std::string> transports, protocols, endpoints;
    // The settings table's timings; 0 = not given: the target's default, or the embedded server's.
    const auto& table = hubspec::protocol::target_setting_table;
    std::array<long, table.size()> timing_ms{};
    auto* run_cmd =
        app.add_subcommand("run", "Run the conformance suite against URL (default: the embedded reference server)");
    auto* url_option =
        run_cmd->add_option("url", run.run.target_url, "the hub URL, e.g. http://127.0.0.1:5000/conformance");
    run_cmd
        ->add_option("--client", run.run.client_command,
                     "test a client instead of a server: COMMAND starts it through the client agent contract "
                     "(HUBSPEC_URL, HUBSPEC_TRANSPORT, HUBSPEC_PROTOCOL; exit 127 = unsupported); the harness plays "
                     "its server and runs the client-side scenarios (scenarios/client/)")
        ->excludes(url_option);
    run_cmd
        ->add_option("--client-negotiate-version", run.run.client_negotiate_version,
                     "with --client: the negotiate version the client speaks, 1 (default) or 0 for clients of the "
                     "ASP.NET Core 2.x era such as @aspnet/signalr 1.x")
        ->check(CLI::IsMember({0, 1}))
        ->needs("--client");
    run_cmd
        ->add_option("--transport", transports, "websockets, serversentevents, longpolling (repeatable; default all)")
        ->check(CLI::IsMember({"websockets", "serversentevents", "longpolling"}));
    run_cmd->add_option("--protocol", protocols, "json, messagepack (repeatable; default both)")
        ->check(CLI::IsMember({"json", "messagepack"}));
    run_cmd->add_option("--filter", run.run.filter, "run only scenarios whose id matches this glob (several: a*,b*)")
        ->capture_default_str();
    run_cmd->add_flag("--strict", run.run.strict, "a broken SHOULD fails the run too");
    run_cmd->add_option("--out", run.out_dir, "directory for results.json, junit.xml, summary.md, index.html")
        ->capture_default_str();
    run_cmd->add_option("--node", run.run.nodes,
                        "URL of the same hub on another node of the target's cluster (one backplane): the scale-out "
                        "scenarios spread connections over the nodes (repeatable)");
    run_cmd->add_option("--redis", run.run.redis_url,
                        "redis://HOST:PORT of the cluster's backplane: the scale-out fault scenarios drop its "
                        "subscriber connections (with --node)");
    run_cmd->add_option("--endpoint", endpoints,
                        "NAME=URL of a contract endpoint (conformance-nows, conformance-auth, token, redirect, chat)");
    std::vector<std::string> method_roles;
    run_cmd->add_option("--method", method_roles,
                        "ROLE=NAME: your hub's method NAME plays contract method ROLE, e.g. echo=MyEcho (repeatable; "
                        "harness/README.md lists the roles and what your method must do)");
    target_access run_access;
    run_access.add_to(run_cmd);
    run_cmd->add_option("--expect", run.expect_file, "known deviations: cells expected not to pass (design §5)");
    run_cmd->add_option("--write-expect", run.write_expect_file, "write an expectations file that makes this run pass");
    std::array<CLI::Option*, table.size()> declared_by{}; // configuration rows: given means declared
    std::array<std::size_t, table.size()> counts{};
    std::array<bool, table.size()> switches{};
    for (std::size_t i = 0; i < table.size(); ++i) {
        const auto& row = table[i];
        if (!row.in_run) continue;
        const auto help = "the target's " + std::string(row.dotnet_name);
        if (!row.in_server) { // configuration: detected unless declared here
            const auto flag = std::string(row.flag);
            declared_by[i] =
                row.toggle
                    ? run_cmd->add_flag(flag + ",!--no-" + flag.substr(2), switches[i], help + " (default: detected)")
                    : run_cmd->add_option(flag, counts[i], help + " (default: detected)")->check(CLI::PositiveNumber);
            continue;
        }
        if (row.size) { // a limit is the same for every target: bound directly, its default shown
            run_cmd->add_option(std::string(row.flag), run.run.timings.*row.size, help)->capture_default_str();
            continue;
        }
        run_cmd->add_option(std::string(row.flag), timing_ms[i],
                            help + " (default " + std::to_string(row.default_value()) +
                                "; embedded: " + std::to_string(row.embedded) + ")");
    }
    run_cmd->add_option("--parallel", run.run.parallel, "cells run at a time")->capture_default_str();
    long cell_deadline_ms = 0;
    run_cmd->add_option("--cell-deadline-ms", cell_deadline_ms,
                        "a cell still running after this long fails, naming the step it is stuck in "
                        "(default: from its steps' own waits)");
    run_cmd->add_option(
        "--scenarios", scenarios_dir,
        "directory of scenario files (default: $HUBSPEC_SCENARIOS, else PREFIX/share/hubspec/scenarios of an "
        "installed hubspec, else the source tree's scenarios/)");
    run_cmd->add_flag("--verbose,-v", run.verbose, "a line per cell instead of a character");

    run_command_options compare;
    std::vector<std::string> compare_targets;
    std::string compare_scenarios_dir;
    auto* compare_cmd =
        app.add_subcommand("compare", "Run the suite against several targets and write a side-by-side report");
    compare_cmd->add_option("targets", compare_targets, "hub URLs; `embedded` = the reference server")->required();
    compare_cmd->add_option("--filter", compare.run.filter,
                            "run only scenarios whose id matches this glob (several: a*,b*)");
    compare_cmd
        ->add_option("--out", compare.out_dir, "directory for comparison.md, comparison.html and each target's reports")
        ->capture_default_str();
    compare_cmd->add_option("--scenarios", compare_scenarios_dir, "directory of scenario files");
    target_access compare_access; // the same for every target (an `embedded` one ignores them)
    compare_access.add_to(compare_cmd);

    probe_command_options probe;
    long probe_wait_ms = 20'000;
    target_access probe_access;
    auto* probe_cmd = app.add_subcommand(
        "probe", "What the endpoint at URL offers and how it is configured, and the `hubspec run` line to use");
    probe_cmd->add_option("url", probe.url, "the hub URL, e.g. http://127.0.0.1:5000/conformance")->required();
    probe_cmd->add_flag("--json", probe.json, "one JSON object instead of text for people");
    probe_cmd->add_option("--keepalive-wait-ms", probe_wait_ms, "wait this long at most for the first keep-alive Ping")
        ->check(CLI::PositiveNumber)
        ->capture_default_str();
    probe_access.add_to(probe_cmd);

    load_options load;
    std::vector<std::string> load_words; // MODE and URL, in either order
    std::string load_mode_option, load_transport, load_protocol = "json";
    std::vector<std::string> load_method_roles;
    int load_server_pid = 0;
    target_access load_access;
    auto* load_cmd = app.add_subcommand(
        "load", "Load a hub through the reference client and measure it: throughput, latency percentiles, errors, "
                "the server's CPU and memory (default: the embedded reference server)");
    load_cmd
        ->add_option("mode-and-url", load_words,
                     "MODE (echo, rate, broadcast, connect, stream; default echo) and/or the hub URL")
        ->expected(0, 2);
    load_cmd->add_option("--mode", load_mode_option, "echo, rate, broadcast, connect or stream")
        ->check(CLI::IsMember({"echo", "rate", "broadcast", "connect", "stream"}));
    load_cmd->add_option("--transport", load_transport, "websockets, serversentevents or longpolling (default: any)")
        ->check(CLI::IsMember({"websockets", "serversentevents", "longpolling"}));
    load_cmd->add_option("--protocol", load_protocol, "json or messagepack")
        ->check(CLI::IsMember({"json", "messagepack"}))
        ->capture_default_str();
    load_cmd->add_option("--connections", load.connections, "connections (connect: how many to open and hold)")
        ->capture_default_str();
    load_cmd->add_option("--in-flight", load.in_flight, "echo, stream: calls outstanding on each connection")
        ->capture_default_str();
    load_cmd->add_option("--payload-bytes", load.payload_bytes, "echo, rate: length of the string Echo gets")
        ->capture_default_str();
    load_cmd->add_option("--rate", load.rate,
                         "rate, broadcast: calls per second in all (open loop); connect: connections per second "
                         "(default 0: at once)");
    load_cmd->add_option("--receivers", load.receivers, "broadcast: receiving connections")->capture_default_str();
    load_cmd->add_option("--stream-items", load.stream_items, "stream: the count of each Stream(count, 0)")
        ->capture_default_str();
    load_cmd->add_option("--seconds", load.seconds, "the measured window lasts this long at most")
        ->capture_default_str();
    load_cmd->add_option("--count", load.count,
                         "the measured window sends this many at most (invocations, broadcasts, streams; default: "
                         "bounded by --seconds only)");
    load_cmd->add_option("--warmup-seconds", load.warmup_seconds, "the same load first, not measured")
        ->capture_default_str();
    load_cmd->add_option("--hold-seconds", load.hold_seconds, "connect: how long the connections stay open, idle")
        ->capture_default_str();
    load_cmd
        ->add_option("--drain-seconds", load.drain_seconds,
                     "after the window, how long outstanding answers are awaited before they count as errors")
        ->capture_default_str();
    load_cmd->add_option("--method", load_method_roles,
                         "ROLE=NAME: your hub's method NAME plays echo, broadcast or stream (repeatable)");
    load_cmd
        ->add_option("--server-pid", load_server_pid,
                     "the server's process: its CPU seconds and RSS (/proc) before and after the measured window")
        ->check(CLI::PositiveNumber);
    load_cmd->add_option("--json", load.json_file, "write every figure as JSON to FILE (- = stdout)");
    load_cmd->add_flag("!--no-progress", load.progress, "no progress line on stderr");
    load_access.add_to(load_cmd);

    backplane_check_options backplane;
    long backplane_seconds = 0;
    auto* backplane_cmd = app.add_subcommand(
        "backplane-check",
        "Watch a Redis backplane (MONITOR) and check what its nodes send against ASP.NET Core's wire (RB-*)");
    backplane_cmd->add_option("redis", backplane.redis_url, "redis://HOST:PORT of the backplane's Redis");
    backplane_cmd
        ->add_option("--monitor-log", backplane.monitor_log, "check a `redis-cli MONITOR` log instead of watching")
        ->check(CLI::ExistingFile);
    backplane_cmd->add_option("--prefix", backplane.prefix, "the nodes' channel prefix (ChannelPrefix, RB-001)");
    backplane_cmd->add_option("--hub", backplane.hub,
                              "check only this hub key (the .NET hub class's full name); default every hub seen");
    backplane_cmd->add_option("--duration", backplane_seconds, "watch this many seconds; default until Ctrl-C")
        ->check(CLI::NonNegativeNumber);
    backplane_cmd->add_flag("--json", backplane.json, "one JSON object at the end instead of text");

    bool coverage = false;
    std::string list_scenarios_dir;
    auto* list_cmd = app.add_subcommand("list", "List every scenario with its requirement IDs");
    list_cmd->add_flag("--coverage", coverage,
                       "show which server-side MUST/SHOULD requirements no scenario covers (exit 1 if any)");
    list_cmd->add_option("--scenarios", list_scenarios_dir, "directory of scenario files");
    bool list_client = false;
    list_cmd->add_flag("--client", list_client,
                       "the client-side scenarios (scenarios/client/, for hubspec run --client); with --coverage, "
                       "the client-side requirements");

    codec_options decode_options;
    std::size_t max_message_size = 0;
    std::string handshake;
    auto* decode =
        app.add_subcommand("decode", "Read framed hub messages from stdin, print one JSON object per message");
    decode->add_option("--protocol", decode_options.protocol, "json or messagepack")
        ->check(CLI::IsMember({"json", "messagepack"}))
        ->capture_default_str();
    decode->add_flag("--hex", decode_options.hex, "stdin is hex text (e.g. \"7B 7D 1E\") rather than raw bytes");
    decode->add_option("--handshake", handshake, "a handshake record comes first: request or response")
        ->check(CLI::IsMember({"request", "response"}));
    decode->add_option("--max-message-size", max_message_size,
                       "reject records larger than this many bytes, as a server would (FRAME-009)");

    codec_options encode_options;
    auto* encode =
        app.add_subcommand("encode", "Read JSON lines (the decode format) from stdin, write framed hub messages");
    encode->add_option("--protocol", encode_options.protocol, "json or messagepack")
        ->check(CLI::IsMember({"json", "messagepack"}))
        ->capture_default_str();
    encode->add_flag("--hex", encode_options.hex, "write hex text instead of raw bytes");

    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        return app.exit(e) == 0 ? 0 : 2;
    }

    if (*compare_cmd) {
        compare.files = default_suite_files(compare_scenarios_dir);
        if (!compare_access.resolve()) return 2;
        compare_access.apply(compare.run);
        return compare_command(compare, compare_targets, std::cout, std::cerr);
    }
    if (*probe_cmd) {
        probe.keep_alive_wait = std::chrono::milliseconds(probe_wait_ms);
        if (!probe_access.resolve()) return 2;
        probe_access.apply(probe);
        return probe_command(probe, std::cout, std::cerr);
    }
    if (*load_cmd) {
        for (const auto& word : load_words) {
            if (auto mode = parse_load_mode(word)) {
                if (!load_mode_option.empty() && load_mode_option != word) {
                    std::cerr << "hubspec load: two modes given, " << load_mode_option << " and " << word << "\n";
                    return 2;
                }
                load_mode_option = word;
            } else if (load.url.empty()) {
                load.url = word;
            } else {
                std::cerr << "hubspec load: " << word << " is not a mode (echo, rate, broadcast, connect, stream)\n";
                return 2;
            }
        }
        if (!load_mode_option.empty()) load.mode = *parse_load_mode(load_mode_option);
        if (!load_transport.empty()) load.transport = hubspec::protocol::parse_transport_option(load_transport);
        load.protocol = load_protocol == "messagepack" ? hubspec::client::hub_protocol_kind::messagepack
                                                       : hubspec::client::hub_protocol_kind::json;
        for (const auto& r : load_method_roles) {
            if (auto problem = add_method_role(load.method_roles, r)) {
                std::cerr << "hubspec load: " << *problem << "\n";
                return 2;
            }
        }
        if (load_server_pid > 0) load.server_pid = load_server_pid;
        if (!load_access.resolve()) return 2;
        load_access.apply(load);
        return load_command(load, std::cout, std::cerr);
    }
    if (*backplane_cmd) {
        backplane.duration = std::chrono::seconds(backplane_seconds);
        return backplane_check_command(backplane, std::cout, std::cerr);
    }
    if (*list_cmd)
        return list_command(default_suite_files(list_scenarios_dir), coverage, list_client, std::cout, std::cerr);
    if (*run_cmd) {
        run.files = default_suite_files(scenarios_dir);
        if (!run_access.resolve()) return 2;
        run_access.apply(run.run);
        for (const auto& t : transports)
            run.run.transports.push_back(*hubspec::protocol::parse_transport_option(t));
        for (const auto& p : protocols)
            run.run.protocols.push_back(*parse_protocol_name(p));
        for (const auto& e : endpoints) {
            const auto eq = e.find('=');
            if (eq == std::string::npos) {
                std::cerr << "hubspec: --endpoint wants NAME=URL, got " << e << "\n";
                return 2;
            }
            run.run.endpoints[e.substr(0, eq)] = e.substr(eq + 1);
        }
        for (const auto& r : method_roles) {
            if (auto problem = add_method_role(run.run.method_roles, r)) {
                std::cerr << "hubspec: " << *problem << "\n";
                return 2;
            }
        }
        auto& timings = run.run.timings;
        for (const auto& row : table) {
            if (!row.duration) continue; // limits were bound directly and apply to the embedded server too
            if (run.run.target_url.empty()) row.set(timings, row.embedded); // short timings: a fast suite
        }
        for (std::size_t i = 0; i < table.size(); ++i) {
            if (table[i].duration && timing_ms[i] > 0) {
                table[i].set(timings, timing_ms[i]);
                run.run.declared.insert(std::string(table[i].name));
            }
            if (declared_by[i] && declared_by[i]->count() > 0) {
                table[i].set(timings, table[i].toggle ? std::int64_t{switches[i]} : std::int64_t(counts[i]));
                run.run.declared.insert(std::string(table[i].name));
            }
        }
        run.run.cell_deadline = std::chrono::milliseconds(cell_deadline_ms);
        return run_command(run, std::cout, std::cerr);
    }

    std::ios::sync_with_stdio(false);
    if (*decode) {
        if (handshake == "request") decode_options.handshake = handshake_role::request;
        if (handshake == "response") decode_options.handshake = handshake_role::response;
        if (max_message_size > 0) decode_options.max_message_size = max_message_size;
        return run_decode(decode_options, std::cin, std::cout, std::cerr);
    }
    return run_encode(encode_options, std::cin, std::cout, std::cerr);
}
