#include "hubspec/harness/probe_command.hpp"
#include "hubspec/harness/suite_commands.hpp"

#include "engine/credentials.hpp"
#include "engine/target_probe.hpp"

#include <hubspec/protocol/json_value.hpp>
#include <hubspec/protocol/target_settings.hpp>

#include <ostream>

namespace hubspec::harness {
namespace {

using detail::target_probe;
using protocol::value;

value text(std::string s) {
    return value{std::move(s)};
}

void put(protocol::map& m, std::string key, value v) {
    m.push_back({text(std::move(key)), std::move(v)});
}

value negotiate_json(const detail::negotiate_probe& n) {
    protocol::map m;
    put(m, "versionAsked", value{std::int64_t{n.version_asked}});
    if (!n.answered) {
        put(m, "failure", text(n.failure));
        return value{std::move(m)};
    }
    put(m, "status", value{std::int64_t{n.status}});
    if (n.parsed) {
        put(m, "negotiateVersion", value{n.parsed->negotiate_version.value_or(0)});
        put(m, "connectionToken", value{n.parsed->connection_token.has_value()});
        if (n.parsed->url) put(m, "redirect", text(*n.parsed->url));
        if (n.parsed->error) put(m, "error", text(*n.parsed->error));
    } else if (!n.problem.empty()) {
        put(m, "problem", text(n.problem));
        put(m, "requirement", text(n.problem_requirement));
    }
    return value{std::move(m)};
}

/// The command line that runs the suite with what the probe learned: the keep-alive interval the
/// target is configured with, so that the run need not measure it again.
/// The run line, with the TLS options the probe was given (credentials are the user's to add).
std::string suggested_run(const target_probe& p, const client::tls_options& tls) {
    std::string line = "hubspec run " + p.url;
    if (!tls.ca_file.empty()) line += " --ca-file " + tls.ca_file;
    if (tls.insecure) line += " --insecure";
    if (p.keep_alive) line += " --keepalive-ms " + std::to_string(detail::configured_keep_alive(*p.keep_alive).count());
    if (p.parallel_invocations && *p.parallel_invocations)
        line += " --parallel-invocations N"; // the probe sees more than one, not how many
    if (p.auth_required) line += " --endpoint token=URL-OF-YOUR-TOKEN-ENDPOINT";
    return line;
}

value probe_json(const target_probe& p, const client::tls_options& tls) {
    protocol::map m;
    put(m, "url", text(p.url));
    put(m, "answers", value{p.answers()});
    put(m, "server", text(p.server_header));
    put(m, "authRequired", value{p.auth_required});
    if (!p.v1.www_authenticate.empty()) put(m, "wwwAuthenticate", text(p.v1.www_authenticate));
    put(m, "negotiate", value{protocol::array{negotiate_json(p.v1), negotiate_json(p.v0)}});
    protocol::array transports;
    for (const auto& t : p.transports) {
        protocol::map o;
        put(o, "transport", text(t.name));
        protocol::array formats;
        for (const auto& f : t.formats)
            formats.push_back(text(f));
        put(o, "transferFormats", value{std::move(formats)});
        if (!t.defect.empty()) {
            put(o, "defect", text(t.defect));
            put(o, "requirement", text(t.defect_requirement));
        }
        transports.push_back(value{std::move(o)});
    }
    put(m, "transports", value{std::move(transports)});
    put(m, "statefulReconnect", p.stateful_reconnect ? value{*p.stateful_reconnect} : value{});
    protocol::array protocols;
    for (const auto& hp : p.protocols) {
        protocol::map o;
        put(o, "protocol", text(hp.name));
        put(o, "accepted", value{hp.accepted});
        put(o, "detail", text(hp.detail));
        protocols.push_back(value{std::move(o)});
    }
    put(m, "protocols", value{std::move(protocols)});
    put(m, "keepAliveMs", p.keep_alive ? value{std::int64_t{p.keep_alive->count()}} : value{});
    put(m, "keepAliveNote", text(p.keep_alive_note));
    put(m, "parallelInvocations", p.parallel_invocations ? value{*p.parallel_invocations} : value{});
    put(m, "parallelInvocationsNote", text(p.parallel_note));
    put(m, "run", text(suggested_run(p, tls)));
    return value{std::move(m)};
}

void print_negotiate(const detail::negotiate_probe& n, std::ostream& out) {
    out << "  version " << n.version_asked << ": ";
    if (!n.answered) {
        out << "no answer (" << n.failure << ")\n";
    } else if (n.parsed) {
        out << n.status << ", negotiateVersion " << n.parsed->negotiate_version.value_or(0)
            << (n.parsed->connection_token ? ", with connectionToken" : ", without connectionToken")
            << (n.parsed->url ? ", redirect to " + *n.parsed->url : std::string()) << "\n";
    } else if (!n.problem.empty()) {
        out << n.status << ", unusable: " << n.problem << "\n";
    } else {
        out << n.status << "\n";
    }
}

void print_human(const target_probe& p, const client::tls_options& tls, std::ostream& out) {
    out << "endpoint   " << p.url << "\n"
        << "server     " << (p.server_header.empty() ? "(no Server header)" : p.server_header) << "\n"
        << "negotiate\n";
    print_negotiate(p.v1, out);
    print_negotiate(p.v0, out);
    out << "auth       " << (p.auth_required ? "required (negotiate answered 401)" : "not required");
    if (p.auth_required && !p.v1.www_authenticate.empty()) out << "; WWW-Authenticate: " << p.v1.www_authenticate;
    out << "\n"
        << "transports";
    if (p.transports.empty()) out << " (none listed)";
    out << "\n";
    for (const auto& t : p.transports) {
        out << "  " << t.name << " [";
        for (std::size_t i = 0; i < t.formats.size(); ++i)
            out << (i ? ", " : "") << t.formats[i];
        out << "]";
        if (!t.defect.empty()) out << "  ! " << t.defect_requirement << ": " << t.defect;
        out << "\n";
    }
    out << "stateful   "
        << (p.stateful_reconnect ? (*p.stateful_reconnect ? "offered when asked (AllowStatefulReconnects on)"
                                                          : "not offered (AllowStatefulReconnects off)")
                                 : "unknown (no usable negotiate)")
        << "\n"
        << "protocols\n";
    for (const auto& hp : p.protocols)
        out << "  " << hp.name << ": " << (hp.accepted ? "accepted " : "not accepted: ") << hp.detail << "\n";
    out << "keep-alive ";
    if (p.keep_alive)
        out << p.keep_alive->count() << " ms (" << p.keep_alive_note << ")\n";
    else
        out << "unknown: " << p.keep_alive_note << "\n";
    out << "invocations ";
    if (p.parallel_invocations)
        out << (*p.parallel_invocations ? "run in parallel (MaximumParallelInvocationsPerClient > 1): "
                                        : "one at a time (MaximumParallelInvocationsPerClient = 1): ")
            << p.parallel_note << "\n";
    else
        out << "unknown: " << p.parallel_note << "\n";
    out << "\nrun with\n  " << suggested_run(p, tls) << "\n";
}

} // namespace

int probe_command(const probe_command_options& options, std::ostream& out, std::ostream& err) {
    detail::probe_options probe;
    probe.tls = options.tls;
    try {
        probe.headers =
            detail::credentials(options.headers, options.access_token, options.access_token_command).request_headers();
    } catch (const std::exception& e) { // the token command failed
        err << "hubspec: " << e.what() << "\n";
        return 2;
    }
    probe.timeout = options.timeout;
    probe.keep_alive_wait = options.keep_alive_wait;
    target_probe p;
    try {
        p = detail::probe_target(options.url, probe);
    } catch (const std::exception& e) { // a URL that is not one
        err << "hubspec: " << e.what() << "\n";
        return 2;
    }
    if (options.json)
        out << protocol::to_json(probe_json(p, options.tls)) << "\n";
    else if (p.answers())
        print_human(p, options.tls, out);
    if (!p.v1.answered) {
        err << "hubspec: no SignalR endpoint at " << options.url << ": POST negotiate got no answer (" << p.v1.failure
            << ")\n";
        return 2;
    }
    if (!p.answers()) {
        err << "hubspec: no SignalR endpoint at " << options.url << ": POST negotiate answered 404\n";
        return 2;
    }
    return 0;
}

} // namespace hubspec::harness
