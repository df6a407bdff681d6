// hubspec-server: the reference server's CLI (design §3 contract).
//   hubspec-server --listen HOST:PORT [--keepalive-ms N] [--client-timeout-ms N]
//                  [--handshake-timeout-ms N] [--disconnect-timeout-ms N] [--long-poll-timeout-ms N]
//                  [--transport-send-timeout-ms N]
//                  [--max-message-size BYTES] [--stateful-reconnect-buffer-size BYTES] [--detailed-errors]
//                  [--tls-cert FILE --tls-key FILE] [--control] [--violate NAME]... [--list-violations]
//                  [--threads N]
//                  [--redis HOST:PORT [--redis-channel-prefix P] [--hub-type-name [PATH=]NAME]...]
// The first stdout line is `listening on http://HOST:PORT` (https:// with --tls-cert) with the bound port;
// SIGINT or SIGTERM stops it.
#include "hubspec/protocol/backplane.hpp"
#include "hubspec/server/conformance_hub.hpp"
#include "hubspec/server/server.hpp"
#include "hubspec/server/violations.hpp"

#include <CLI/CLI.hpp>

#include <algorithm>
#include <array>
#include <cstdint>
#include <exception>
#include <iomanip>
#include <iostream>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

namespace {

/// "HOST:PORT" of option `flag`; false (with the reason on stderr) when it is not one.
bool parse_host_port(std::string_view flag, const std::string& text, std::string& host, std::uint16_t& port) {
    const auto colon = text.rfind(':');
    if (colon == std::string::npos) {
        std::cerr << "hubspec-server: " << flag << " wants HOST:PORT, got '" << text << "'\n";
        return false;
    }
    host = text.substr(0, colon);
    try {
        const int parsed = std::stoi(text.substr(colon + 1));
        if (parsed < 0 || parsed > 65535) throw std::out_of_range("port");
        port = static_cast<std::uint16_t>(parsed);
    } catch (const std::exception&) {
        std::cerr << "hubspec-server: bad port in " << flag << " '" << text << "'\n";
        return false;
    }
    return true;
}

} // namespace

int main(int argc, char** argv) {
    using namespace hubspec::server;
    CLI::App app{"hubspec-server: the hubspec reference SignalR server"};
    std::string listen = "127.0.0.1:0";
    // The settings table's options, bound by row: durations as signed, sizes as unsigned (their help's type).
    const auto& table = hubspec::protocol::target_setting_table;
    hubspec::protocol::target_settings target;
    std::array<std::int64_t, table.size()> durations{};
    for (std::size_t i = 0; i < table.size(); ++i)
        if (table[i].duration) durations[i] = table[i].get(target);
    bool detailed_errors = false;
    bool control = false;
    unsigned threads = std::max(1u, std::thread::hardware_concurrency());
    std::vector<std::string> violate;
    bool list_violations = false;
    app.add_option("--listen", listen, "HOST:PORT to listen on; port 0 picks a free one")->capture_default_str();
    for (std::size_t i = 0; i < table.size(); ++i) {
        const auto& row = table[i];
        if (!row.in_server) continue; // configuration the harness detects, not served here
        const auto help =
            std::string(row.dotnet_name) + (row.size ? " in bytes (" : " (") + std::string(row.requirements) + ")";
        auto* option = row.duration ? app.add_option(std::string(row.flag), durations[i], help)
                                    : app.add_option(std::string(row.flag), target.*row.size, help);
        option->check(CLI::PositiveNumber);
    }
    app.add_flag("--detailed-errors", detailed_errors, "EnableDetailedErrors (ERR-003)");
    app.add_option("--threads", threads,
                   "I/O threads: sockets spread over them, the hubs run on one strand (default: the cores)")
        ->check(CLI::Range(1u, 256u))
        ->capture_default_str();
    app.add_flag("--control", control,
                 "Serve the control API for tests of clients (never in production):\n"
                 "  GET  /control/connections[?hub=PATH]   JSON list of connections\n"
                 "  GET  /control/faults                   JSON of the switches below\n"
                 "  POST /control/drop?connectionId=ID|all drop the transport, no Close\n"
                 "  POST /control/close?connectionId=ID[&allowReconnect=true|false][&error=TEXT]\n"
                 "  POST /control/refuse-websockets?on=true|false   WebSocket upgrades get 503\n"
                 "  POST /control/pings?on=true|false      stop/resume keep-alive Pings\n"
                 "  POST /control/delay?ms=N               delay every outgoing message (0 = off)\n"
                 "Unknown connection: 404; bad query: 400. Without --control these paths are 404.");
    app.add_option("--violate", violate,
                   "Break one requirement on purpose, to test a conformance harness (repeatable; never in "
                   "production); --list-violations names them")
        ->check([](const std::string& name) {
            return find_violation(name) ? std::string{} : "unknown violation '" + name + "' (see --list-violations)";
        });
    std::string tls_cert, tls_key;
    auto* cert_option =
        app.add_option("--tls-cert", tls_cert, "PEM certificate chain: serve https:// and wss:// only (with --tls-key)")
            ->check(CLI::ExistingFile);
    auto* key_option = app.add_option("--tls-key", tls_key, "PEM private key of --tls-cert")->check(CLI::ExistingFile);
    cert_option->needs(key_option);
    key_option->needs(cert_option);
    std::string redis, redis_prefix;
    std::vector<std::string> hub_type_names;
    auto* redis_option = app.add_option("--redis", redis,
                                        "HOST:PORT or redis://[[USER]:PASSWORD@]HOST:PORT of a Redis server: scale out "
                                        "over ASP.NET Core's Redis backplane (wire-compatible with "
                                        "Microsoft.AspNetCore.SignalR.StackExchangeRedis)");
    app.add_option("--redis-channel-prefix", redis_prefix, "The backplane's channel prefix (ChannelPrefix, RB-001)")
        ->needs(redis_option);
    app.add_option("--hub-type-name", hub_type_names,
                   "PATH=NAME: key the hub at PATH by NAME on the backplane, as an ASP.NET Core node keys a hub "
                   "by its class's Type.FullName (RB-002); a bare NAME is for /conformance. Defaults: "
                   "Hubspec.ConformanceHub, Hubspec.ChatHub (repeatable)")
        ->needs(redis_option);
    app.add_flag("--list-violations", list_violations, "Print the --violate names, requirement IDs and what they do");
    CLI11_PARSE(app, argc, argv);

    if (list_violations) {
        for (const auto& v : violation_table) {
            std::cout << std::left << std::setw(36) << v.name << ' ' << std::setw(9) << v.requirement << ' '
                      << v.description << '\n';
        }
        return 0;
    }

    std::string host;
    std::uint16_t port = 0;
    if (!parse_host_port("--listen", listen, host, port)) return 2;

    server_options options;
    for (std::size_t i = 0; i < table.size(); ++i)
        if (table[i].duration) table[i].set(target, durations[i]);
    apply_target_settings(target, options);
    options.hub.enable_detailed_errors = detailed_errors;
    options.control_endpoints = control;
    options.io_threads = threads;
    options.tls_certificate_file = tls_cert;
    options.tls_private_key_file = tls_key;
    if (!redis.empty()) {
        auto& backplane = options.backplane;
        const auto where = hubspec::protocol::backplane::parse_redis_url(redis);
        if (!where) {
            std::cerr << "hubspec-server: --redis wants HOST:PORT or redis://[[USER]:PASSWORD@]HOST:PORT, got '"
                      << redis << "'\n";
            return 2;
        }
        backplane.redis_host = where->host;
        backplane.redis_port = where->port;
        backplane.redis_user = where->user;
        backplane.redis_password = where->password;
        backplane.channel_prefix = redis_prefix;
        for (const auto& entry : hub_type_names) {
            const auto equals = entry.find('=');
            const std::string path = equals == std::string::npos ? "/conformance" : entry.substr(0, equals);
            backplane.hub_type_names[path] = equals == std::string::npos ? entry : entry.substr(equals + 1);
        }
    }
    for (const auto& name : violate) {
        options.violations.insert(*find_violation(name));
        const auto& v = info(*find_violation(name));
        std::cerr << "hubspec-server: violating " << v.requirement << " on purpose: " << v.description << '\n';
    }

    try {
        server s(options);
        add_contract_endpoints(s);
        const std::uint16_t bound = s.listen(host, port);
        std::cout << "listening on " << (tls_cert.empty() ? "http" : "https") << "://" << host << ':' << bound
                  << std::endl;
        s.run(/*stop_on_signals=*/true);
    } catch (const std::exception& e) {
        std::cerr << "hubspec-server: " << e.what() << '\n';
        return 1;
    }
    return 0;
}
