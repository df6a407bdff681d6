#include "hubspec/harness/runner.hpp"

#include "engine/cell_context.hpp"
#include "engine/embedded_server.hpp"
#include "engine/step_errors.hpp"
#include "engine/target.hpp"
#include "engine/target_probe.hpp"
#include "hubspec/harness/contract.hpp"
#include "hubspec/reports/expectations.hpp"
#include "steps/step_registry.hpp"

#include <hubspec/protocol/detail/helpers.hpp>

#include <algorithm>
#include <array>
#include <atomic>
#include <cctype>
#include <condition_variable>
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
            return std::equal(m.begin(), m.end(), name.begin(), name.end(), [](unsigned char a, unsigned char b) {
                return std::tolower(a) == std::tolower(b);
            }); // MSG-019
        });
    };
    for (const auto& m : sc.methods)
        if (hub_wide_method(m)) return true;
    for (const auto& s : sc.steps) {
        if (s.action == "backplane_fault") return true; // the fault reaches every cell's connections
        const auto* method = s.params.find("method");
        if (method && method->as_string() && hub_wide_method(*method->as_string())) return true;
        const auto* message = s.params.find("message");
        const auto* target = message ? message->find("target") : nullptr;
        if (target && target->as_string() && hub_wide_method(*target->as_string())) return true;
    }
    return false;
}

/// Whether any step speaks MessagePack whatever the cell's protocol (`protocol: messagepack`, or a
/// handshake naming it): a run without MessagePack (`--protocol json`, a target without it) skips it.
bool speaks_messagepack(const protocol::value& v) {
    if (const auto* text = v.as_string()) return text->find("\"protocol\":\"messagepack\"") != std::string::npos;
    if (const auto* items = v.get_if<protocol::array>())
        return std::any_of(items->begin(), items->end(),
                           [](const protocol::value& i) { return speaks_messagepack(i); });
    if (const auto* entries = v.get_if<protocol::map>())
        for (const auto& e : *entries) {
            const auto* key = e.key.as_string();
            const auto* text = e.item.as_string();
            if (key && *key == "protocol" && text && *text == "messagepack") return true;
            if (speaks_messagepack(e.item)) return true;
        }
    return false;
}

bool speaks_messagepack(const scenario& sc) {
    return std::any_of(sc.steps.begin(), sc.steps.end(), [](const step& s) { return speaks_messagepack(s.params); });
}

/// A step's own stated wait (`within_ms`, `for_ms`, `timeout_ms`: numbers or timing names), 0 when none.
milliseconds stated_wait(const step& s, const protocol::target_settings& t) {
    milliseconds most{0};
    for (const char* key : {"within_ms", "for_ms", "timeout_ms"}) {
        const auto* wait = s.params.find(key);
        if (!wait) continue;
        if (const auto* n = wait->get_if<std::int64_t>()) {
            most = std::max(most, milliseconds(*n));
        } else if (const auto* text = wait->as_string(); text && text->size() > 2 && text->front() == '{') {
            most = std::max(
                most, timing_named(std::string_view(*text).substr(1, text->size() - 2), t).value_or(milliseconds{0}));
        }
    }
    return most;
}

/// How long a cell may take before it counts as stuck: each step its stated wait plus the 20 s
/// a step may spend connecting and closing, and the target's own silences.
milliseconds cell_deadline(const scenario& sc, const protocol::target_settings& t) {
    milliseconds total{10'000};
    for (const auto& s : sc.steps)
        total += stated_wait(s, t) + milliseconds(20'000);
    return total;
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

/// What the main hub's negotiate said, shared by every cell: the offer, or why it is unusable.
struct main_offer {
    std::optional<std::vector<protocol::transport_type>> transports; // nullopt: unknown (unusable or 401)
    std::map<protocol::transport_type, transport_offer> entries;     // misspelt ones too
    failure negotiate_broken;        // set (requirement_id non-empty) when no cell can negotiate
    std::string messagepack_refused; // the handshake's refusal of MessagePack, when the target has none
    /// 0 when the target answers version 0 to negotiateVersion=1 (servers before ASP.NET Core 3.0).
    std::int64_t negotiate_version = 1;
};

/// Why a cell cannot run on this target, before any step; empty if it can.
std::string applicability(const scenario& sc, const cell& c, target& t, const main_offer& offer) {
    for (const auto& endpoint : sc.endpoints)
        if (!t.endpoint_present(endpoint))
            return "contract endpoint " + endpoint + " is absent at " + t.endpoint_url(endpoint);
    for (const auto& method : sc.methods)
        if (auto missing = t.method_missing(method); !missing.empty()) return missing;
    for (const auto& need : sc.configuration) {
        if (need == "stateful_reconnect" && !t.timings().stateful_reconnect)
            return "the target does not allow stateful reconnect (AllowStatefulReconnects; see the run's target "
                   "configuration)";
        if (need == "one_invocation_at_a_time" && t.timings().parallel_invocations > 1)
            return "the target runs a connection's invocations in parallel (MaximumParallelInvocationsPerClient " +
                   std::to_string(t.timings().parallel_invocations) + "); MSG-102 applies at 1";
        if (need == "cluster" && t.node_count() < 2)
            return "needs a cluster: give the other nodes of the target's backplane with --node URL (scale-out)";
        if (need == "backplane_redis" && t.redis_url().empty())
            return "breaks the cluster's backplane: give its Redis with --redis redis://HOST:PORT";
        if (need == "negotiate_v1" && offer.negotiate_version < 1)
            return "the target speaks negotiate version 0 only (no connectionToken, as before ASP.NET Core 3.0; see "
                   "the "
                   "run's target configuration)";
    }
    // MessagePack is optional for a server (HS-005): a target without it is configured so, not wrong.
    if (!offer.messagepack_refused.empty() &&
        ((!sc.once && c.protocol == protocol_name::messagepack) || speaks_messagepack(sc)))
        return "the target does not accept MessagePack (its handshake answered: " + offer.messagepack_refused +
               "; see the run's target configuration)";
    if (sc.once) return {};
    if (c.transport == protocol::transport_type::server_sent_events && c.protocol == protocol_name::messagepack)
        return "ServerSentEvents carries text only; MessagePack needs a binary transport (SSE-009)";
    // The main hub's offer decides: scenarios on other endpoints (conformance-nows) test fallback from it.
    const auto& offered = offer.transports;
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
        if (!m.endpoint.empty() || m.scale_out) continue;
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

/// A defect of the main hub's negotiate that every cell on the transport meets before its first
/// step: a verdict on the requirement it breaks, not a skip (issue 11).
std::optional<failure> offer_defect(const scenario& sc, const cell& c, const main_offer& offer) {
    if (sc.once) return std::nullopt; // scenarios about negotiate itself make their own requests
    if (!offer.negotiate_broken.requirement_id.empty()) return offer.negotiate_broken;
    const auto it = offer.entries.find(c.transport);
    if (it == offer.entries.end() || it->second.defect.empty()) return std::nullopt;
    failure f;
    f.step = "negotiate (the target's offer)";
    f.expected =
        "availableTransports lists " + std::string(protocol::transport_name(c.transport)) + " as NEG-013/NEG-014 say";
    f.seen = it->second.defect;
    f.requirement_id = it->second.defect_requirement;
    return f;
}

/// What a cell's thread and the runner share: the runner reads the step a stuck cell is in.
struct cell_progress {
    std::chrono::steady_clock::time_point started = std::chrono::steady_clock::now();
    transcript log{started};
    std::atomic<int> step{-1};
};

void charge(failure& what, const requirement_catalogue& catalogue, cell_result& result) {
    if (const auto* r = catalogue.find(what.requirement_id)) what.requirement_text = r->text;
    result.result = severity(what.requirement_id, catalogue);
    result.failed = std::move(what);
}

cell_result run_cell(const scenario& sc, const cell& c, target& t, const requirement_catalogue& catalogue,
                     const main_offer& offer, cell_progress& progress) {
    cell_result result;
    result.scenario_id = sc.id;
    result.where = c;
    result.once = sc.once;
    const auto started = progress.started;
    auto& log = progress.log;
    if (auto reason = applicability(sc, c, t, offer); !reason.empty()) {
        result.result = outcome::skip;
        result.reason = std::move(reason);
        return result;
    }
    if (auto defect = offer_defect(sc, c, offer)) {
        log.add(transcript_direction::note, "harness", "failure",
                "expected " + defect->expected + "; saw " + defect->seen);
        charge(*defect, catalogue, result);
        result.duration = std::chrono::duration_cast<milliseconds>(std::chrono::steady_clock::now() - started);
        result.transcript = log.entries();
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
        charge(what, catalogue, result);
    };
    {
        cell_context ctx(t, sc, c, log);
        try {
            for (const auto& s : sc.steps) {
                progress.step = index;
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

main_offer read_offer(const target_probe& probe) {
    main_offer offer;
    if (probe.auth_required) return offer; // present; a token would tell more
    if (probe.v1.status != 200) {
        offer.negotiate_broken.step = "negotiate (the target's offer)";
        offer.negotiate_broken.expected = "POST negotiate answers 200 with a negotiate response";
        offer.negotiate_broken.seen = "HTTP " + std::to_string(probe.v1.status) + ": " + probe.v1.body.substr(0, 200);
        offer.negotiate_broken.requirement_id = "NEG-009";
        return offer;
    }
    if (!probe.v1.parsed) {
        offer.negotiate_broken.step = "negotiate (the target's offer)";
        offer.negotiate_broken.expected = "a usable version 1 negotiate response";
        offer.negotiate_broken.seen = probe.v1.problem + ": " + probe.v1.body.substr(0, 200);
        offer.negotiate_broken.requirement_id =
            probe.v1.problem_requirement.empty() ? "NEG-009" : probe.v1.problem_requirement;
        return offer;
    }
    offer.negotiate_version = probe.v1.parsed->negotiate_version.value_or(0);
    if (probe.v1.parsed->url) return offer; // a redirect: the transports are the other endpoint's
    offer.transports.emplace();
    for (const auto& o : probe.transports) {
        if (!o.type) continue;
        offer.transports->push_back(*o.type);
        offer.entries.emplace(*o.type, o);
    }
    return offer;
}

/// A plain-HTTP request to a TLS port answered with a 400 that says so (nginx, hubspec-server):
/// a usage mistake to stop at, not a target failing every cell.
bool speaks_tls_only(const std::string& hub_url, const negotiate_probe& v1) {
    if (!hub_url.starts_with("http://") || v1.status != 400) return false;
    const auto body = protocol::detail::to_lower(v1.body);
    return body.find("https") != std::string::npos || body.find("tls") != std::string::npos ||
           body.find("ssl") != std::string::npos;
}

/// The configuration the run goes by: declared settings as given, the others detected on the wire
/// where it tells (the same probe as `hubspec probe`), else ASP.NET Core's defaults. Listed in `items`.
target_probe learn_configuration(const std::string& hub_url, bool embedded, const run_options& options,
                                 const credentials& creds, protocol::target_settings& timings,
                                 std::vector<configuration_item>& items) {
    const auto declared = [&](std::string_view name) { return options.declared.contains(std::string(name)); };
    probe_options probe_opts;
    probe_opts.headers = creds.request_headers();
    probe_opts.tls = creds.tls();
    probe_opts.handshakes = !embedded; // which hub protocols it accepts
    probe_opts.timeout = milliseconds(10'000);
    probe_opts.keep_alive = !embedded && !declared("keepalive_ms");
    probe_opts.keep_alive_wait = 2 * timings.keep_alive + milliseconds(2'000);
    probe_opts.invocations = !embedded && !declared("parallel_invocations");
    auto probe = probe_target(hub_url, probe_opts);
    const auto source_of = [&](std::string_view name) -> std::string {
        if (declared(name)) return "declared";
        return embedded ? "embedded" : "default";
    };

    configuration_item stateful{"stateful_reconnect", "", source_of("stateful_reconnect"), ""};
    if (!declared("stateful_reconnect") && probe.stateful_reconnect) {
        timings.stateful_reconnect = *probe.stateful_reconnect;
        stateful.source = "detected";
        stateful.note = "negotiate with useStatefulReconnect=true";
    }
    stateful.value = timings.stateful_reconnect ? "on" : "off";
    if (!timings.stateful_reconnect)
        stateful.note += (stateful.note.empty() ? "" : "; ") + std::string("scenarios that need it skip");
    items.push_back(stateful);

    configuration_item parallel{"parallel_invocations", "", source_of("parallel_invocations"), ""};
    if (!declared("parallel_invocations") && probe.parallel_invocations) {
        timings.parallel_invocations = *probe.parallel_invocations ? 2 : 1;
        parallel.source = "detected";
    }
    parallel.note = probe.parallel_note;
    parallel.value = parallel.source == "detected" && timings.parallel_invocations > 1
                         ? "more than 1"
                         : std::to_string(timings.parallel_invocations);
    if (timings.parallel_invocations > 1)
        parallel.note += (parallel.note.empty() ? "" : "; ") + std::string("MSG-102 ordering scenarios skip");
    items.push_back(parallel);

    configuration_item keep_alive{"keepalive_ms", "", source_of("keepalive_ms"), ""};
    if (probe_opts.keep_alive) {
        keep_alive.note = probe.keep_alive_note;
        if (probe.keep_alive) {
            const auto measured = *probe.keep_alive;
            timings.keep_alive = detail::configured_keep_alive(measured);
            keep_alive.source = "detected";
            keep_alive.note = "first Ping after " + std::to_string(measured.count()) + " ms on an idle connection";
        }
    }
    keep_alive.value = std::to_string(timings.keep_alive.count());
    items.push_back(keep_alive);

    if (probe.v1.parsed && !probe.v1.parsed->url) {
        const auto version = probe.v1.parsed->negotiate_version.value_or(0);
        configuration_item negotiate{"negotiate_version", std::to_string(version), "detected",
                                     "the answer to negotiateVersion=1"};
        if (version < 1) negotiate.note += "; tokens are connection ids and scenarios about version 1 skip";
        items.push_back(negotiate);
    }

    if (const auto* reply = probe.handshake("messagepack"); reply && (reply->accepted || !reply->refusal.empty())) {
        configuration_item messagepack{"messagepack", reply->accepted ? "accepted" : "refused", "detected",
                                       "a handshake asking for it"};
        if (!reply->accepted)
            messagepack.note += " (\"" + reply->refusal + "\"); cells and scenarios that speak it skip";
        items.push_back(messagepack);
    }

    for (const auto& row : protocol::target_setting_table) {
        if (row.name == "keepalive_ms" || !row.in_server || !declared(row.name)) continue;
        items.push_back({std::string(row.name), std::to_string(row.get(timings)), "declared", ""});
    }
    return probe;
}

/// `result` with the run's secrets blanked out of what the reports print besides the transcript.
cell_result redacted(cell_result result, const credentials& creds) {
    result.reason = creds.redact(std::move(result.reason));
    if (result.failed) {
        result.failed->expected = creds.redact(std::move(result.failed->expected));
        result.failed->seen = creds.redact(std::move(result.failed->seen));
    }
    return result;
}

/// Runs the cell on its own thread and waits at most `deadline`: a cell still running then is a
/// verdict on the step it is stuck in, and is left to end by itself (it owns what it reads).
cell_result run_cell_within(milliseconds deadline, std::shared_ptr<const std::vector<scenario>> suite,
                            std::size_t index, cell where, std::shared_ptr<target> t,
                            std::shared_ptr<const requirement_catalogue> catalogue,
                            std::shared_ptr<const main_offer> offer) {
    struct shared_state {
        cell_progress progress;
        std::mutex mutex;
        std::condition_variable done_changed;
        std::optional<cell_result> result;
    };
    auto state = std::make_shared<shared_state>();
    if (t->creds().has_secrets()) state->progress.log.redact_with(t->creds().secrets());
    std::thread runner([state, suite, index, where, t, catalogue, offer] {
        auto result = run_cell((*suite)[index], where, *t, *catalogue, *offer, state->progress);
        std::lock_guard lock(state->mutex);
        state->result = std::move(result);
        state->done_changed.notify_all();
    });
    {
        std::unique_lock lock(state->mutex);
        if (state->done_changed.wait_for(lock, deadline, [&] { return state->result.has_value(); })) {
            lock.unlock();
            runner.join();
            return redacted(std::move(*state->result), t->creds());
        }
    }
    runner.detach();
    const auto& sc = (*suite)[index];
    cell_result result;
    result.scenario_id = sc.id;
    result.where = where;
    result.once = sc.once;
    const auto step_index = std::max(0, state->progress.step.load());
    const auto& s = sc.steps[static_cast<std::size_t>(step_index)];
    failure what;
    what.step_index = step_index;
    what.step = s.action + " (" + s.where.to_string() + ")";
    what.expected = "the cell to end within its deadline of " + std::to_string(deadline.count()) + " ms";
    what.seen = "still in this step at the deadline: the target never completed it";
    what.requirement_id = charged_requirement(sc, s);
    state->progress.log.add(transcript_direction::note, "harness", "failure",
                            "the cell passed its deadline of " + std::to_string(deadline.count()) + " ms in " +
                                what.step);
    charge(what, *catalogue, result);
    result.duration =
        std::chrono::duration_cast<milliseconds>(std::chrono::steady_clock::now() - state->progress.started);
    result.transcript = state->progress.log.entries();
    return redacted(std::move(result), t->creds());
}

/// Expands the scenarios into cells and runs them (those that reach other cells first, one at a
/// time; the rest in parallel), filling `run.scenarios`.
void run_cells(const std::vector<scenario>& scenarios, const requirement_catalogue& catalogue,
               const run_options& options, const std::shared_ptr<target>& t,
               const std::shared_ptr<const main_offer>& offer, run_result& run) {
    const auto& timings = t->timings();
    struct job {
        std::size_t scenario_index;
        cell where;
    };
    std::vector<job> jobs;
    // The cells' own copies: a cell stuck past its deadline is left running and must not outlive what it reads.
    auto suite = std::make_shared<std::vector<scenario>>();
    const auto shared_catalogue = std::make_shared<const requirement_catalogue>(catalogue);
    for (const auto& sc : scenarios) {
        if (!matches_filter(options.filter, sc.id)) continue;
        suite->push_back(sc);
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

    std::vector<milliseconds> waits;
    for (const auto& j : jobs)
        waits.push_back(waits_of((*suite)[j.scenario_index], timings));
    std::vector<std::size_t> start_order(jobs.size());
    std::iota(start_order.begin(), start_order.end(), std::size_t{0});
    std::stable_sort(start_order.begin(), start_order.end(),
                     [&](std::size_t a, std::size_t b) { return waits[a] > waits[b]; });

    // Cells that reach other cells' connections run first, one at a time; the rest then in parallel.
    std::stable_partition(start_order.begin(), start_order.end(),
                          [&](std::size_t i) { return reaches_other_cells((*suite)[jobs[i].scenario_index]); });
    const auto alone = static_cast<std::size_t>(std::count_if(
        jobs.begin(), jobs.end(), [&](const job& j) { return reaches_other_cells((*suite)[j.scenario_index]); }));

    std::vector<cell_result> results(jobs.size());
    std::atomic<std::size_t> next{0};
    std::mutex report_mutex;
    auto run_job = [&](std::size_t n) {
        const auto i = start_order[n];
        const auto& j = jobs[i];
        const auto& sc = (*suite)[j.scenario_index];
        const auto deadline = options.cell_deadline.count() > 0 ? options.cell_deadline : cell_deadline(sc, timings);
        results[i] = run_cell_within(deadline, suite, j.scenario_index, j.where, t, shared_catalogue, offer);
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
}

/// `hubspec run --client COMMAND`: each cell meets its own server (observed_server.hpp) and
/// starts the client through its agent; no target to probe.
run_result run_client_scenarios(const std::vector<scenario>& scenarios, const requirement_catalogue& catalogue,
                                const run_options& options, run_result run) {
    const auto started = std::chrono::steady_clock::now();
    auto timings = options.timings;
    // The client's server timeout is half of this (start_client): twice the embedded default keeps
    // both above KA-007's floor and the server's own timeout out of the client's way.
    if (!options.declared.count("client_timeout_ms")) timings.client_timeout = 2 * timings.client_timeout;
    const auto t = std::make_shared<target>("client:" + options.client_command, options.endpoints, timings);
    t->set_client_command(options.client_command);
    t->set_client_negotiate_version(options.client_negotiate_version);
    if (options.client_negotiate_version == 0)
        run.target_configuration.push_back(
            {"negotiate_version", "0", "declared",
             "--client-negotiate-version 0: the client negotiates without negotiateVersion (NEG-003 expects none, "
             "NEG-020: its connectionId is the id); stateful reconnect needs version 1, so its scenarios skip"});
    run.target.url = "client under test: " + options.client_command;
    run.target.client_under_test = true;
    run.target.embedded = true;
    for (auto tt : all_transports)
        run.target.transports.emplace_back(protocol::transport_name(tt));
    run_cells(scenarios, catalogue, options, t, std::make_shared<const main_offer>(), run);
    run.wall_time = std::chrono::duration_cast<milliseconds>(std::chrono::steady_clock::now() - started);
    return run;
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

    if (!options.client_command.empty()) return run_client_scenarios(scenarios, catalogue, options, std::move(run));
    std::optional<embedded_server> embedded;
    std::string hub_url = options.target_url;
    if (hub_url.empty()) {
        embedded.emplace(options.timings);
        hub_url = embedded->hub_url();
    }
    auto timings = options.timings;
    credentials creds(options.headers, options.access_token, options.access_token_command);
    creds.set_tls(options.tls);
    target_probe probe;
    try {
        probe = learn_configuration(hub_url, embedded.has_value(), options, creds, timings, run.target_configuration);
    } catch (const std::runtime_error& e) { // the token command failed
        throw unauthorized_target(e.what());
    }
    if (!probe.v1.answered) {
        // A TLS port that gets plain HTTP (Kestrel) just ends the connection: say what that usually means.
        const bool ended = probe.v1.failure.find("end of stream") != std::string::npos ||
                           probe.v1.failure.find("reset by peer") != std::string::npos;
        throw unreachable_target("no answer from " + hub_url + " (" + probe.v1.failure + ")" +
                                 (ended && hub_url.starts_with("http://")
                                      ? "; the server ended the connection unanswered: if the port serves TLS, "
                                        "use https://"
                                      : ""));
    }
    if (!probe.answers())
        throw unreachable_target("no SignalR endpoint at " + hub_url + " (POST " + hub_url +
                                 "/negotiate?negotiateVersion=1 answered 404)");
    if (speaks_tls_only(hub_url, probe.v1))
        throw unreachable_target("POST " + hub_url + "/negotiate answered " + std::to_string(probe.v1.status) + ": " +
                                 probe.v1.body.substr(0, 200) + " (an http:// URL for a TLS port: use https://)");
    if (probe.auth_required) {
        const bool given = creds.has_secrets();
        throw unauthorized_target(
            "POST " + hub_url + "/negotiate answered " + std::to_string(probe.v1.status) +
            (given ? ": the target refuses the credentials given"
                   : ": the target wants credentials; pass --access-token TOKEN, --access-token-command CMD or "
                     "--header 'NAME: VALUE'") +
            (probe.v1.www_authenticate.empty() ? "" : " (WWW-Authenticate: " + probe.v1.www_authenticate + ")"));
    }
    auto offered = read_offer(probe);
    if (const auto* reply = probe.handshake("messagepack")) offered.messagepack_refused = reply->refusal;
    const auto offer = std::make_shared<const main_offer>(std::move(offered));
    const auto t = std::make_shared<target>(hub_url, options.endpoints, timings);
    t->set_method_roles(options.method_roles);
    t->set_credentials(creds);
    t->set_nodes(options.nodes);
    t->set_redis(options.redis_url);
    if (!options.nodes.empty()) {
        std::string nodes = hub_url;
        for (const auto& n : options.nodes)
            nodes += ", " + n;
        run.target_configuration.push_back(
            {"nodes", std::to_string(t->node_count()) + " (" + nodes + ")", "declared", "--node: one backplane"});
    }
    run.target.url = hub_url;
    run.target.embedded = embedded.has_value();
    for (const auto& o : probe.transports)
        run.target.transports.push_back(o.name);

    run_cells(scenarios, catalogue, options, t, offer, run);
    std::vector<const scenario*> ran;
    for (const auto& sc : scenarios)
        if (matches_filter(options.filter, sc.id)) ran.push_back(&sc);
    run.profile = profile_of(*t, ran);
    run.wall_time = std::chrono::duration_cast<milliseconds>(std::chrono::steady_clock::now() - started);
    return run;
}

} // namespace hubspec::harness
