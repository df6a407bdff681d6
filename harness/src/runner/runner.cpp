#include "hubspec/harness/runner.hpp"

#include "engine/cell_context.hpp"
#include "engine/embedded_server.hpp"
#include "engine/step_errors.hpp"
#include "engine/target.hpp"
#include "hubspec/harness/contract.hpp"
#include "hubspec/reports/expectations.hpp"
#include "steps/step_registry.hpp"

#include <algorithm>
#include <array>
#include <atomic>
#include <cctype>
#include <ctime>
#include <mutex>
#include <numeric>
#include <set>
#include <thread>

namespace hubspec::harness {
namespace {

/// `--filter a*,b*`: a scenario runs when any of the comma-separated globs matches its id.
bool matches_filter(std::string_view filter, std::string_view id) {
    for (;;) {
        const auto comma = filter.find(',');
        auto glob = filter.substr(0, comma);
        while (!glob.empty() && glob.front() == ' ')
            glob.remove_prefix(1); // "a*, b*" reads as meant
        while (!glob.empty() && glob.back() == ' ')
            glob.remove_suffix(1);
        if (glob_match(glob, id)) return true;
        if (comma == std::string_view::npos) return false;
        filter.remove_prefix(comma + 1);
    }
}

using namespace detail;
using std::chrono::milliseconds;

const std::vector<protocol::transport_type> all_transports{protocol::transport_type::websockets,
                                                           protocol::transport_type::server_sent_events,
                                                           protocol::transport_type::long_polling};
const std::vector<protocol_name> all_protocols{protocol_name::json, protocol_name::messagepack};

template <class T>
bool allowed(const std::vector<T>& list, T item) {
    return list.empty() || std::find(list.begin(), list.end(), item) != list.end();
}

std::string iso_now() {
    const auto now = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
    std::tm tm{};
    gmtime_r(&now, &tm);
    char text[32];
    std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &tm);
    return text;
}

/// The time a cell must sit out whatever the target does: its silences (`for_ms`, numbers or
/// timing names). Cells that wait longest start first, so that they do not end a run alone.
milliseconds waits_of(const scenario& sc, const protocol::target_settings& t) {
    milliseconds total{0};
    for (const auto& s : sc.steps) {
        const auto* wait = s.params.find("for_ms");
        if (!wait) continue;
        if (const auto* n = wait->get_if<std::int64_t>()) {
            total += milliseconds(*n);
        } else if (const auto* text = wait->as_string(); text && text->size() > 2 && text->front() == '{') {
            total += timing_named(std::string_view(*text).substr(1, text->size() - 2), t).value_or(milliseconds{0});
        }
    }
    return total;
}

/// Whether a scenario sends to every connection of a hub (Clients.All, Clients.Others: the
/// contract's Broadcast and SendToOthers, the chat sample's SendMessage). All cells share the
/// target, so such a cell runs alone: its sends reach no other cell's connections, which may
/// be expecting silence or an exact poll body, and theirs reach none of its own.
bool reaches_other_cells(const scenario& sc) {
    static const std::array<std::string_view, 3> hub_wide{"Broadcast", "SendToOthers", "SendMessage"};
    auto hub_wide_method = [](std::string_view name) {
        return std::any_of(hub_wide.begin(), hub_wide.end(), [&](std::string_view m) {
            return std::equal(m.begin(), m.end(), name.begin(), name.end(),
                              [](unsigned char a, unsigned char b) { return std::tolower(a) == std::tolower(b); }); // MSG-019
        });
    };
    for (const auto& m : sc.methods)
        if (hub_wide_method(m)) return true;
    for (const auto& s : sc.steps) {
        const auto* method = s.params.find("method");
        if (method && method->as_string() && hub_wide_method(*method->as_string())) return true;
        const auto* message = s.params.find("message");
        const auto* target = message ? message->find("target") : nullptr;
        if (target && target->as_string() && hub_wide_method(*target->as_string())) return true;
    }
    return false;
}

/// The requirement a failing step charges, and whether breaking it is a failure or a SHOULD.
outcome severity(const std::string& requirement_id, const requirement_catalogue& catalogue) {
    const auto* r = catalogue.find(requirement_id);
    return r && r->level != requirement_level::must ? outcome::non_strict : outcome::fail;
}

std::string charged_requirement(const scenario& sc, const step& s) {
    if (const auto* id = s.params.find("requires"); id && id->as_string()) return *id->as_string();
    return sc.requires_ids.empty() ? std::string() : sc.requires_ids.front();
}

/// Why a cell cannot run on this target, before any step; empty if it can.
std::string applicability(const scenario& sc, const cell& c, target& t) {
    for (const auto& endpoint : sc.endpoints)
        if (!t.endpoint_present(endpoint))
            return "contract endpoint " + endpoint + " is absent at " + t.endpoint_url(endpoint);
    for (const auto& method : sc.methods)
        if (auto missing = t.method_missing(method); !missing.empty()) return missing;
    for (const auto& option : sc.options)
        if (option == "stateful_reconnect" && !t.offers_stateful_reconnect())
            return t.hub_url() +
                   " does not allow stateful reconnect (its negotiate omits useStatefulReconnect when asked)";
    if (sc.once) return {};
    if (c.transport == protocol::transport_type::server_sent_events && c.protocol == protocol_name::messagepack)
        return "ServerSentEvents carries text only; MessagePack needs a binary transport (SSE-009)";
    // The main hub's offer decides: scenarios on other endpoints (conformance-nows) test fallback from it.
    const auto offered = t.offered_transports("");
    if (offered && std::find(offered->begin(), offered->end(), c.transport) == offered->end())
        return std::string(protocol::transport_name(c.transport)) + " is not offered by " + t.hub_url();
    return {};
}

/// Which part of the contract the target has: the main hub's methods (probed once, the same
/// probe that skips cells), the endpoints the run's scenarios asked for, and the roles given.
profile_info profile_of(target& t, const std::vector<const scenario*>& scenarios) {
    profile_info profile;
    profile.method_roles = t.roles();
    const auto& probe = t.methods_of("");
    std::size_t main_hub_methods = 0;
    for (const auto& m : contract_methods()) {
        if (!m.endpoint.empty()) continue;
        ++main_hub_methods;
        if (probe.missing.count(t.method_name(std::string(m.name)))) profile.missing_methods.emplace_back(m.name);
    }
    std::set<std::string> endpoints;
    for (const auto* sc : scenarios)
        endpoints.insert(sc->endpoints.begin(), sc->endpoints.end());
    for (const auto& e : endpoints)
        if (!t.endpoint_present(e)) profile.missing_endpoints.push_back(e);
    if (!probe.problem.empty()) {
        profile.name = profile_name::unknown;
        profile.note = probe.problem;
    } else if (profile.missing_methods.empty()) {
        profile.name = profile.missing_endpoints.empty() ? profile_name::contract : profile_name::partial;
    } else {
        profile.name =
            profile.missing_methods.size() == main_hub_methods ? profile_name::contract_free : profile_name::partial;
    }
    return profile;
}

cell_result run_cell(const scenario& sc, const cell& c, target& t, const requirement_catalogue& catalogue) {
    cell_result result;
    result.scenario_id = sc.id;
    result.where = c;
    result.once = sc.once;
    const auto started = std::chrono::steady_clock::now();
    transcript log(started);
    if (auto reason = applicability(sc, c, t); !reason.empty()) {
        result.result = outcome::skip;
        result.reason = std::move(reason);
        return result;
    }
    int index = 0;
    auto fail = [&](int step_index, std::string step, const std::string& id, std::string expected, std::string seen) {
        log.add(transcript_direction::note, "harness", "failure", "expected " + expected + "; saw " + seen);
        failure what;
        what.step_index = step_index;
        what.step = std::move(step);
        what.expected = std::move(expected);
        what.seen = std::move(seen);
        what.requirement_id = id;
        if (const auto* r = catalogue.find(id)) what.requirement_text = r->text;
        result.result = severity(id, catalogue);
        result.failed = std::move(what);
    };
    {
        cell_context ctx(t, sc, c, log);
        try {
            for (const auto& s : sc.steps) {
                log.add(transcript_direction::note, "harness", "step", s.action + " (" + s.where.to_string() + ")");
                const auto executor = find_step_executor(s.action);
                if (!executor) throw script_error("unknown step `" + s.action + "`");
                try {
                    executor(s, ctx);
                } catch (const expectation_failed& f) {
                    const auto where = s.action + " (" + s.where.to_string() + ")";
                    // A framing defect seen before explains what went wrong after it (WS-011, SSE-007).
                    if (auto defect = ctx.wire_defect_seen())
                        fail(index, where, defect->requirement, defect->expected, defect->seen);
                    else
                        fail(index, where, f.requirement.empty() ? charged_requirement(sc, s) : f.requirement,
                             f.expected, f.seen);
                    break;
                }
                ++index;
            }
            // The reader reassembles records across transport messages: a defect there breaks no step.
            if (!result.failed)
                if (auto defect = ctx.wire_defect_seen())
                    fail(index - 1, "after the last step", defect->requirement, defect->expected, defect->seen);
        } catch (const not_applicable& n) {
            result.result = outcome::skip;
            result.reason = n.reason;
        } catch (const std::exception& e) {
            result.result = outcome::error;
            result.reason = "step " + std::to_string(index + 1) + " (" +
                            sc.steps[static_cast<std::size_t>(index)].where.to_string() + "): " + e.what();
        }
    } // connections close here, inside the cell's time and transcript
    result.duration = std::chrono::duration_cast<milliseconds>(std::chrono::steady_clock::now() - started);
    result.transcript = log.entries();
    return result;
}

} // namespace

bool is_known_step(std::string_view action) {
    return detail::find_step_executor(action) != nullptr;
}

run_result run_scenarios(const std::vector<scenario>& scenarios, const requirement_catalogue& catalogue,
                         const run_options& options) {
    const auto started = std::chrono::steady_clock::now();
    run_result run;
    run.tool_version = HUBSPEC_VERSION;
    run.started_at = iso_now();
    run.strict = options.strict;
    run.catalogue = catalogue;

    std::optional<embedded_server> embedded;
    std::string hub_url = options.target_url;
    if (hub_url.empty()) {
        embedded.emplace(options.timings);
        hub_url = embedded->hub_url();
    }
    target t(hub_url, options.endpoints, options.timings);
    const auto offered = t.offered_transports("");
    if (!offered)
        throw unreachable_target("cannot negotiate with " + hub_url + " (POST " + hub_url +
                                 "/negotiate?negotiateVersion=1 did not answer 200 with a negotiate response)");
    t.set_method_roles(options.method_roles);
    run.target.url = hub_url;
    run.target.embedded = embedded.has_value();
    for (auto tt : *offered)
        run.target.transports.emplace_back(protocol::transport_name(tt));

    struct job {
        std::size_t scenario_index;
        cell where;
    };
    std::vector<job> jobs;
    for (const auto& sc : scenarios) {
        if (!matches_filter(options.filter, sc.id)) continue;
        run.scenarios.push_back({sc.id, sc.title, sc.requires_ids, {}});
        const auto index = run.scenarios.size() - 1;
        if (sc.once) {
            jobs.push_back({index, cell{}});
            continue;
        }
        for (auto tt : all_transports)
            for (auto p : all_protocols)
                if (allowed(sc.transports, tt) && allowed(options.transports, tt) && allowed(sc.protocols, p) &&
                    allowed(options.protocols, p))
                    jobs.push_back({index, cell{tt, p}});
    }
    std::vector<const scenario*> by_index;
    for (const auto& sc : scenarios)
        if (matches_filter(options.filter, sc.id)) by_index.push_back(&sc);

    std::vector<milliseconds> waits;
    for (const auto& j : jobs)
        waits.push_back(waits_of(*by_index[j.scenario_index], options.timings));
    std::vector<std::size_t> start_order(jobs.size());
    std::iota(start_order.begin(), start_order.end(), std::size_t{0});
    std::stable_sort(start_order.begin(), start_order.end(),
                     [&](std::size_t a, std::size_t b) { return waits[a] > waits[b]; });

    // Cells that reach other cells' connections run first, one at a time; the rest then in parallel.
    std::stable_partition(start_order.begin(), start_order.end(),
                          [&](std::size_t i) { return reaches_other_cells(*by_index[jobs[i].scenario_index]); });
    const auto alone = static_cast<std::size_t>(
        std::count_if(jobs.begin(), jobs.end(), [&](const job& j) { return reaches_other_cells(*by_index[j.scenario_index]); }));

    std::vector<cell_result> results(jobs.size());
    std::atomic<std::size_t> next{0};
    std::mutex report_mutex;
    auto run_job = [&](std::size_t n) {
        const auto i = start_order[n];
        const auto& j = jobs[i];
        results[i] = run_cell(*by_index[j.scenario_index], j.where, t, catalogue);
        if (options.on_cell) {
            std::lock_guard lock(report_mutex);
            options.on_cell(run.scenarios[j.scenario_index], results[i]);
        }
    };
    for (; next < alone; ++next)
        run_job(next);
    auto worker = [&] {
        for (auto n = next++; n < jobs.size(); n = next++)
            run_job(n);
    };
    std::vector<std::thread> workers;
    const auto count = std::max<std::size_t>(1, std::min(options.parallel, jobs.size() - alone));
    for (std::size_t i = 0; i < count; ++i)
        workers.emplace_back(worker);
    for (auto& w : workers)
        w.join();

    for (std::size_t i = 0; i < jobs.size(); ++i)
        run.scenarios[jobs[i].scenario_index].cells.push_back(std::move(results[i]));
    run.profile = profile_of(t, by_index);
    run.wall_time = std::chrono::duration_cast<milliseconds>(std::chrono::steady_clock::now() - started);
    return run;
}

} // namespace hubspec::harness
