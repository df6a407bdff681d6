// The steps of client-side scenarios (scenarios/client/, hubspec run --client): start
// the client under test through its agent, act as its server (send, invoke, faults),
// and judge what it did: its agent's events, its requests and the messages it sent.

#include "engine/client_under_test.hpp"
#include "engine/step_errors.hpp"
#include "engine/value_match.hpp"
#include "steps/step_registry.hpp"

#include <hubspec/protocol/json_value.hpp>
#include <hubspec/server/control.hpp>

#include <future>

namespace hubspec::harness::detail {
namespace {

using clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

clock::time_point deadline_of(const step_params& p, std::string_view key, std::int64_t fallback_ms) {
    return clock::now() + milliseconds(p.integer(key, fallback_ms));
}

/// The agent, or a script error: the scenario forgot `start_client`.
agent_process& agent_of(client_under_test& cut, const step_params& p) {
    if (!cut.agent) throw script_error(p.describe() + ": no client yet; start it with `start_client` first");
    return *cut.agent;
}

/// An agent that exited 127 said "unsupported": the cell does not apply (the contract's rule).
void skip_if_unsupported(client_under_test& cut) {
    if (!cut.agent) return;
    const auto code = cut.agent->wait_exit(clock::now());
    if (!code || *code != 127) return;
    std::string reason = "the client does not support " +
                         (cut.transport.empty() ? "its default transport" : cut.transport) + " with " + cut.protocol +
                         " (its agent exited 127)";
    for (const auto& e : cut.agent->events())
        if (e.name == "unsupported") reason += ": " + e.text;
    throw not_applicable{reason};
}

std::string events_seen(const client_under_test& cut) {
    std::string seen;
    for (const auto& e : cut.agent->events())
        seen += (seen.empty() ? "" : ", ") + e.text;
    if (seen.empty()) seen = "no event";
    if (auto code = cut.agent->wait_exit(clock::now())) seen += "; the client exited with " + std::to_string(*code);
    return seen;
}

std::string requests_seen(const client_under_test& cut, std::size_t from) {
    const auto all = cut.server->requests();
    std::string seen;
    for (auto i = from; i < all.size(); ++i)
        seen += (seen.empty() ? "" : ", ") + all[i].describe();
    return seen.empty() ? "no request" : seen;
}

std::string messages_seen(const client_under_test& cut, std::size_t from) {
    const auto all = cut.server->messages();
    std::string seen;
    for (auto i = from; i < all.size() && seen.size() < 2000; ++i)
        seen += (seen.empty() ? "" : ", ") + all[i].text;
    for (const auto& bad : cut.server->unreadable())
        seen += "; unreadable: " + bad;
    return seen.empty() ? "no message" : seen;
}

/// The text of a field of a JSON object value, if it is a string.
std::optional<std::string> field_text(const protocol::value& object, std::string_view name) {
    const auto* m = object.get_if<protocol::map>();
    if (!m) return std::nullopt;
    for (const auto& entry : *m)
        if (const auto* key = entry.key.as_string(); key && *key == name)
            if (const auto* text = entry.item.as_string()) return *text;
    return std::nullopt;
}

/// The connection a server step acts on: `connection` if given, else the newest live one.
std::string connection_for(client_under_test& cut, const step_params& p) {
    if (p.has("connection")) return p.required_text("connection");
    auto live = cut.server->control().connections();
    if (live.empty()) throw expectation_failed{"a live connection of the client to act on", "none is open"};
    // Ids are random: the newest is the one whose requests came last.
    const auto requests = cut.server->requests();
    for (auto r = requests.rbegin(); r != requests.rend(); ++r)
        for (const auto& c : live)
            if (!r->id.empty() && (r->id == c.connection_id)) return c.connection_id;
    return live.back().connection_id;
}

/// Everything recorded so far is history for the steps after a server fault.
void mark_now(client_under_test& cut) {
    cut.request_cursor = cut.server->requests().size();
    cut.message_cursor = cut.server->messages().size();
    cut.last_fault = clock::now();
}

/// `kind` as a step gives it: one name or a list; "transport" is any request that opens or
/// carries a transport's downlink (websocket, sse, poll).
/// A wait of the observed server or the agent (`wait(deadline)`), cut short once the agent has
/// exited and half a second has passed for what it sent last: a client that is gone sends nothing
/// more, and a failing expectation should not sit out its whole timeout.
template <class Wait>
auto wait_while_client_runs(client_under_test& cut, clock::time_point deadline, Wait wait) {
    for (;;) {
        auto found = wait(std::min(deadline, clock::now() + milliseconds(200)));
        if (found || clock::now() >= deadline) return found;
        if (cut.agent && cut.agent->wait_exit(clock::now()))
            return wait(std::min(deadline, clock::now() + milliseconds(500)));
    }
}

/// A transport request that carried the connectionId where the connectionToken belongs breaks
/// NEG-021, and what the client expected from that request fails with it: when an expectation
/// fails, this names the cause instead of the symptom.
void blame_connection_id_as_token(const client_under_test& cut) {
    for (const auto& r : cut.server->requests())
        if (r.id_kind == "connection id")
            throw expectation_failed{"every request's id to be the connectionToken negotiate gave", r.describe(),
                                     "NEG-021"};
}

bool kind_matches(const protocol::value& wanted, const std::string& kind) {
    auto one = [&](const std::string& name) {
        return name == kind || (name == "transport" && (kind == "websocket" || kind == "sse" || kind == "poll"));
    };
    if (const auto* name = wanted.as_string()) return one(*name);
    if (const auto* list = wanted.get_if<protocol::array>())
        for (const auto& item : *list)
            if (item.as_string() && one(*item.as_string())) return true;
    return false;
}

/// Whether request `r` is what the step describes (kind, query values, id, hub path).
std::optional<std::string> request_mismatch(const observed_request& r, const step_params& p) {
    if (auto kind = p.get("kind"); kind && !kind_matches(*kind, r.kind)) return "a " + r.kind + " request";
    if (p.has("id") && r.id != p.required_text("id")) return "id " + r.id;
    if (p.has("not_id") && r.id == p.required_text("not_id")) return "the old id " + r.id;
    if (p.has("hub") && r.hub_path != p.required_text("hub")) return "hub " + r.hub_path;
    if (p.has("authorization") && r.authorization != p.boolean("authorization", true))
        return r.authorization ? "an Authorization header" : "no Authorization header";
    if (auto query = p.get("query")) {
        protocol::map actual;
        for (const auto& [k, v] : r.query)
            actual.push_back({protocol::value{k}, protocol::value{v}});
        if (auto why = mismatch(*query, protocol::value{std::move(actual)})) return "query " + *why;
    }
    return std::nullopt;
}

} // namespace

void run_start_client(const step& s, cell_context& ctx) {
    step_params p(s, ctx);
    auto& cut = ctx.cut();
    if (cut.agent) throw script_error(p.describe() + ": the client was started already");
    const auto endpoint = p.text("endpoint", "conformance");
    // A once-scenario leaves the choice to the client (its default transport, NEG-030).
    cut.transport = p.has("transport")
                        ? p.text("transport", "")
                        : (ctx.sc.once ? std::string() : std::string(protocol::transport_name(ctx.where.transport)));
    if (cut.transport == "default") cut.transport.clear();
    cut.protocol = p.text("protocol", ctx.where.protocol == protocol_name::messagepack ? "messagepack" : "json");
    const auto& t = ctx.tgt.timings();
    std::map<std::string, std::string> environment{
        {"HUBSPEC_URL", cut.server->origin() + "/" + endpoint},
        {"HUBSPEC_TRANSPORT", cut.transport},
        {"HUBSPEC_PROTOCOL", cut.protocol},
        {"HUBSPEC_SCENARIO", ctx.sc.id + " [" + cell_label(ctx.where, ctx.sc.once) + "]"},
        // Short timings paired as KA-007 says; the client gives up on the server first (half the
        // server's client timeout), so that a silent server is the client's verdict, not the server's.
        {"HUBSPEC_KEEPALIVE_MS", std::to_string(t.keep_alive.count())},
        {"HUBSPEC_SERVER_TIMEOUT_MS", std::to_string(t.client_timeout.count() / 2)},
    };
    ctx.log.add(transcript_direction::note, "harness", "client",
                "starting the client under test: " + cut.command + " (HUBSPEC_URL=" + environment["HUBSPEC_URL"] +
                    ", HUBSPEC_TRANSPORT=" + cut.transport + ", HUBSPEC_PROTOCOL=" + cut.protocol + ")");
    cut.agent = std::make_unique<agent_process>(cut.command, environment, [&ctx](const std::string& line) {
        ctx.log.add(transcript_direction::note, "client", "agent", line);
    });
}

void run_expect_client_event(const step& s, cell_context& ctx) {
    step_params p(s, ctx);
    auto& cut = ctx.cut();
    auto& agent = agent_of(cut, p);
    // One event name, or a list of the ones that would do (`[reconnecting, closed]`).
    std::vector<std::string> names;
    if (const auto listed = p.get("event"); listed && listed->get_if<protocol::array>()) {
        for (const auto& item : *listed->get_if<protocol::array>())
            if (item.as_string()) names.push_back(*item.as_string());
        if (names.empty()) throw script_error(p.describe() + ": `event` lists no event name");
    } else {
        names.push_back(p.required_text("event"));
    }
    std::string name = names.front();
    for (std::size_t i = 1; i < names.size(); ++i)
        name += "` or `" + names[i];
    const auto within = p.integer("within_ms", 10'000);
    const auto found = wait_while_client_runs(cut, deadline_of(p, "within_ms", 10'000), [&](clock::time_point until) {
        return agent.wait_event(cut.event_cursor, names, until);
    });
    if (!found) {
        skip_if_unsupported(cut);
        blame_connection_id_as_token(cut);
        throw expectation_failed{"the client to report `" + name + "` within " + std::to_string(within) + " ms",
                                 events_seen(cut) + "; requests: " + requests_seen(cut, 0)};
    }
    const auto events = agent.events();
    const auto& event = events[*found];
    if (auto with = p.get("with"))
        if (auto why = mismatch(*with, event.line))
            throw expectation_failed{"`" + name + "` with " + show(*with), event.text + " (" + *why + ")"};
    cut.event_cursor = *found + 1;
    cut.last_event = event.at;
    if (auto capture = p.get("capture"); capture && capture->get_if<protocol::map>())
        for (const auto& entry : *capture->get_if<protocol::map>())
            if (entry.key.as_string() && entry.item.as_string()) {
                auto text = field_text(event.line, *entry.key.as_string());
                if (!text) throw expectation_failed{"`" + name + "` with a " + *entry.key.as_string(), event.text};
                ctx.variables[*entry.item.as_string()] = protocol::value{*text};
            }
}

void run_expect_no_client_event(const step& s, cell_context& ctx) {
    step_params p(s, ctx);
    auto& cut = ctx.cut();
    auto& agent = agent_of(cut, p);
    const auto name = p.required_text("event");
    const auto found = wait_while_client_runs(cut, deadline_of(p, "for_ms", 2'000), [&](clock::time_point until) {
        return agent.wait_event(cut.event_cursor, name, until);
    });
    if (found)
        throw expectation_failed{"no `" + name + "` from the client for " + std::to_string(p.integer("for_ms", 2'000)) +
                                     " ms",
                                 agent.events()[*found].text};
}

void run_expect_client_exit(const step& s, cell_context& ctx) {
    step_params p(s, ctx);
    auto& cut = ctx.cut();
    auto& agent = agent_of(cut, p);
    const auto within = p.integer("within_ms", 10'000);
    const auto code = agent.wait_exit(deadline_of(p, "within_ms", 10'000));
    if (!code)
        throw expectation_failed{"the client to exit within " + std::to_string(within) + " ms", events_seen(cut)};
    if (*code == 127) skip_if_unsupported(cut);
    const auto wanted = p.integer("code", 0);
    if (*code != wanted)
        throw expectation_failed{"exit status " + std::to_string(wanted),
                                 std::to_string(*code) + "; " + events_seen(cut)};
}

void run_server_send(const step& s, cell_context& ctx) {
    step_params p(s, ctx);
    auto& cut = ctx.cut();
    const auto id = connection_for(cut, p);
    const auto method = p.required_text("method");
    // No mark: a reply to an earlier send may come in while this one goes out.
    if (!cut.server->control().send(id, method, p.list("args")))
        throw expectation_failed{"connection " + id + " to be open for " + method, "it ended"};
}

void run_server_invoke(const step& s, cell_context& ctx) {
    step_params p(s, ctx);
    auto& cut = ctx.cut();
    const auto id = connection_for(cut, p);
    const auto method = p.required_text("method");
    auto answered = std::make_shared<std::promise<server::client_result>>();
    auto future = answered->get_future();
    if (!cut.server->control().invoke(id, method, p.list("args"),
                                      [answered](server::client_result r) { answered->set_value(std::move(r)); }))
        throw expectation_failed{"connection " + id + " to be open for " + method, "it ended"};
    const auto within = p.integer("within_ms", 5'000);
    if (future.wait_until(deadline_of(p, "within_ms", 5'000)) != std::future_status::ready)
        throw expectation_failed{"the client's Completion for " + method + " within " + std::to_string(within) + " ms",
                                 "none; the client sent " + messages_seen(cut, cut.message_cursor)};
    const auto result = future.get();
    if (auto error = p.get("expect_error")) {
        if (!result.error) throw expectation_failed{"an error Completion " + show(*error), "a result"};
        if (auto why = mismatch(*error, protocol::value{*result.error}))
            throw expectation_failed{"an error Completion " + show(*error), *result.error};
        return;
    }
    if (result.error) throw expectation_failed{"a result Completion", "the error " + *result.error};
    if (auto expected = p.get("expect"))
        if (auto why = mismatch(*expected, result.result.value_or(protocol::value{})))
            throw expectation_failed{"the result " + show(*expected), *why};
}

void run_server_fault(const step& s, cell_context& ctx) {
    step_params p(s, ctx);
    auto& cut = ctx.cut();
    auto& control = cut.server->control();
    bool acted = false;
    if (p.has("refuse_websockets")) control.refuse_websockets(p.boolean("refuse_websockets", true)), acted = true;
    if (p.has("pings")) control.pings(p.boolean("pings", true)), acted = true;
    if (p.has("delay_ms")) control.delay_outgoing(milliseconds(p.integer("delay_ms", 0))), acted = true;
    if (p.boolean("drop", false)) {
        const auto id = connection_for(cut, p);
        mark_now(cut);
        if (!control.drop(id)) throw expectation_failed{"connection " + id + " to drop", "it had ended"};
        ctx.log.add(transcript_direction::note, "server", "fault", "dropped connection " + id);
        acted = true;
    }
    if (auto close = p.get("close")) {
        const auto id = connection_for(cut, p);
        const auto* fields = close->get_if<protocol::map>();
        bool allow = false;
        std::optional<std::string> error;
        if (fields)
            for (const auto& entry : *fields) {
                const auto* key = entry.key.as_string();
                if (key && *key == "allow_reconnect" && entry.item.get_if<bool>()) allow = *entry.item.get_if<bool>();
                if (key && *key == "error" && entry.item.as_string()) error = ctx.resolve_text(*entry.item.as_string());
            }
        mark_now(cut);
        if (!control.close(id, allow, error))
            throw expectation_failed{"connection " + id + " to close", "it had ended"};
        ctx.log.add(transcript_direction::note, "server", "fault",
                    "closed connection " + id + (allow ? " with allowReconnect" : " without allowReconnect"));
        acted = true;
    }
    // Scripted replies: the next negotiate (an error, a redirect, a legacy server), the next
    // handshake; a value is written as JSON, a string as it is.
    auto bytes_of = [](const protocol::value& v) { return v.as_string() ? *v.as_string() : protocol::to_json(v); };
    if (auto reply = p.get("negotiate_reply")) {
        const auto* fields = reply->get_if<protocol::map>();
        if (!fields) throw script_error(p.describe() + ": negotiate_reply needs {status, body}");
        unsigned status = 200;
        std::string body;
        for (const auto& entry : *fields) {
            const auto* key = entry.key.as_string();
            if (key && *key == "status" && entry.item.as_int64())
                status = static_cast<unsigned>(*entry.item.as_int64());
            if (key && *key == "body") body = bytes_of(entry.item);
        }
        control.script_negotiate(status, body);
        ctx.log.add(transcript_direction::note, "server", "fault",
                    "the next negotiate gets " + std::to_string(status) + " " + body);
        acted = true;
    }
    if (p.has("negotiate_v0")) {
        control.negotiate_version_zero(p.boolean("negotiate_v0", true));
        acted = true;
    }
    if (auto reply = p.get("handshake_reply")) {
        auto bytes = bytes_of(*reply);
        if (!reply->as_string()) bytes += '\x1e'; // a JSON handshake record (HS-007)
        control.script_handshake_reply(bytes);
        ctx.log.add(transcript_direction::note, "server", "fault", "the next handshake gets " + bytes);
        acted = true;
    }
    if (auto raw = p.get("send_raw")) {
        const auto id = connection_for(cut, p);
        if (!control.send_raw(id, bytes_of(*raw)))
            throw expectation_failed{"connection " + id + " to send raw bytes on", "it had ended"};
        acted = true;
    }
    if (!acted)
        throw script_error(p.describe() +
                           ": needs one of drop, close, refuse_websockets, pings, delay_ms, negotiate_reply, "
                           "negotiate_v0, handshake_reply, send_raw");
}

void run_expect_client_request(const step& s, cell_context& ctx) {
    step_params p(s, ctx);
    auto& cut = ctx.cut();
    const bool next = p.boolean("next", false);
    const auto kind_value = p.get("kind");
    const auto kind =
        kind_value ? (kind_value->as_string() ? *kind_value->as_string() : show(*kind_value)) : std::string();
    // Sends run beside everything: `next` looks past them unless they are the subject.
    auto incidental = [&](const observed_request& r) { return r.kind == "send" && kind != "send"; };
    std::optional<std::string> refused;
    const auto found = wait_while_client_runs(cut, deadline_of(p, "within_ms", 10'000), [&](clock::time_point until) {
        return cut.server->wait_request(
            cut.request_cursor,
            [&](const observed_request& r) {
                if (refused) return false;
                auto why = request_mismatch(r, p);
                if (!why) return true;
                if (next && !incidental(r)) refused = r.describe() + ": " + *why;
                return false;
            },
            until);
    });
    const auto what = (kind.empty() ? std::string("a request") : "a " + kind + " request") +
                      (p.has("query") ? " with query " + show(*p.get("query")) : std::string()) +
                      (p.has("id") ? " with id " + p.required_text("id") : std::string()) +
                      (p.has("not_id") ? " with another id than " + p.required_text("not_id") : std::string()) +
                      (p.has("id_kind") ? " whose id is a " + p.required_text("id_kind") : std::string());
    if (!found) {
        skip_if_unsupported(cut);
        blame_connection_id_as_token(cut);
        throw expectation_failed{(next ? "next, " : "") + what + " within " +
                                     std::to_string(p.integer("within_ms", 10'000)) + " ms",
                                 refused ? *refused : requests_seen(cut, cut.request_cursor)};
    }
    const auto r = cut.server->requests()[*found];
    cut.request_cursor = *found + 1;
    // The id is judged on the request found, on its own requirement: the token rule (NEG-021).
    if (p.has("id_kind") && r.id_kind != p.required_text("id_kind"))
        throw expectation_failed{"the request's id to be a " + p.required_text("id_kind"), r.describe(), "NEG-021"};
    auto bound_since = [&](const char* param, clock::time_point since, const std::string& anchor) {
        if (!p.has(param)) return;
        const auto limit = p.integer(param, 0);
        const auto took = std::chrono::duration_cast<milliseconds>(r.at - since).count();
        if (took > limit)
            throw expectation_failed{what + " at most " + std::to_string(limit) + " ms after " + anchor,
                                     r.describe() + " " + std::to_string(took) + " ms after it"};
    };
    bound_since("within_ms_of_fault", cut.last_fault, "the server's fault");
    bound_since("within_ms_of_event", cut.last_event, "the client's last matched event");
    if (p.has("capture")) ctx.variables[p.required_text("capture")] = protocol::value{r.id};
}

void run_expect_client_connects(const step& s, cell_context& ctx) {
    step_params p(s, ctx);
    auto& cut = ctx.cut();
    agent_of(cut, p);
    const bool stateful = p.boolean("stateful", false);
    if (stateful && cut.negotiate_version == 0)
        throw not_applicable{"stateful reconnect needs negotiate version 1; the client speaks 0 (declared)"};
    const auto within = p.integer("within_ms", 10'000);
    const auto deadline = clock::now() + milliseconds(within);
    auto give_up = [&](std::string expected, std::string seen, std::string requirement) {
        skip_if_unsupported(cut);
        blame_connection_id_as_token(cut);
        throw expectation_failed{std::move(expected), std::move(seen), std::move(requirement)};
    };
    // NEG-003 (and NEG-025 when the endpoint allows stateful reconnect): what negotiate asks.
    const auto negotiate = wait_while_client_runs(cut, deadline, [&](clock::time_point until) {
        return cut.server->wait_request(
            cut.request_cursor, [](const observed_request& r) { return r.kind == "negotiate"; }, until);
    });
    if (!negotiate)
        give_up("a negotiate request within " + std::to_string(within) + " ms", requests_seen(cut, cut.request_cursor),
                "NEG-002");
    const auto requests = [&] { return cut.server->requests(); };
    const auto asked = requests()[*negotiate];
    const auto asked_version = asked.query.find("negotiateVersion");
    if (cut.negotiate_version == 0) {
        // A client of the 2.x era, as declared: it sends no version, or 0.
        if (asked_version != asked.query.end() && asked_version->second != "0")
            give_up("negotiate without negotiateVersion (--client-negotiate-version 0)", asked.describe(), "NEG-003");
    } else if (asked_version == asked.query.end() || asked_version->second != "1") {
        give_up("negotiate with negotiateVersion=1", asked.describe(), "NEG-003");
    }
    if (stateful)
        if (auto it = asked.query.find("useStatefulReconnect"); it == asked.query.end() || it->second != "true")
            give_up("negotiate with useStatefulReconnect=true (the client was asked for stateful reconnect)",
                    asked.describe(), "NEG-025");
    // NEG-021: the transport carries the connectionToken.
    const auto opened = wait_while_client_runs(cut, deadline, [&](clock::time_point until) {
        return cut.server->wait_request(
            *negotiate + 1,
            [](const observed_request& r) { return r.kind == "websocket" || r.kind == "sse" || r.kind == "poll"; },
            until);
    });
    if (!opened) give_up("a transport request after negotiate", requests_seen(cut, *negotiate + 1), "NEG-021");
    const auto transport = requests()[*opened];
    if (transport.id_kind != "token")
        give_up("the transport request's id to be the connectionToken negotiate gave", transport.describe(), "NEG-021");
    cut.request_cursor = *opened + 1;
    if (p.has("capture_token")) ctx.variables[p.required_text("capture_token")] = protocol::value{transport.id};
    // HS-001, HS-003: the handshake request, version 2 only with stateful reconnect.
    protocol::map handshake_type{{protocol::value{"type"}, protocol::value{"Handshake"}}};
    const protocol::value handshake_view{std::move(handshake_type)};
    const auto handshake = wait_while_client_runs(cut, deadline, [&](clock::time_point until) {
        return cut.server->wait_message(
            cut.message_cursor, [&](const observed_message& m) { return !mismatch(handshake_view, m.view); }, until);
    });
    if (!handshake)
        give_up("the handshake request (JSON, then the record separator)", messages_seen(cut, cut.message_cursor),
                "HS-001");
    const auto request = cut.server->messages()[*handshake];
    const std::int64_t version = stateful ? 2 : 1;
    protocol::map wanted{{protocol::value{"protocol"}, protocol::value{cut.protocol}},
                         {protocol::value{"version"}, protocol::value{version}}};
    if (auto why = mismatch(protocol::value{std::move(wanted)}, request.view))
        give_up("the handshake for " + cut.protocol + ", version " + std::to_string(version),
                request.text + " (" + *why + ")", "HS-003");
    cut.message_cursor = *handshake + 1;
    const auto connected = wait_while_client_runs(cut, deadline, [&](clock::time_point until) {
        return cut.agent->wait_event(cut.event_cursor, "connected", until);
    });
    if (!connected) give_up("the client to report `connected`", events_seen(cut), "");
    const auto event = cut.agent->events()[*connected];
    cut.event_cursor = *connected + 1;
    if (p.has("capture")) {
        auto id = field_text(event.line, "connectionId");
        if (!id) throw expectation_failed{"`connected` with a connectionId", event.text};
        ctx.variables[p.required_text("capture")] = protocol::value{*id};
    }
}

void run_expect_no_client_request(const step& s, cell_context& ctx) {
    step_params p(s, ctx);
    auto& cut = ctx.cut();
    const auto found = wait_while_client_runs(cut, deadline_of(p, "for_ms", 2'000), [&](clock::time_point until) {
        return cut.server->wait_request(
            cut.request_cursor, [&](const observed_request& r) { return !request_mismatch(r, p); }, until);
    });
    if (found)
        throw expectation_failed{"no " + p.text("kind", "such") + " request for " +
                                     std::to_string(p.integer("for_ms", 2'000)) + " ms",
                                 cut.server->requests()[*found].describe()};
}

void run_expect_client_message(const step& s, cell_context& ctx) {
    step_params p(s, ctx);
    auto& cut = ctx.cut();
    const auto expected = p.get("message");
    if (!expected) throw script_error(p.describe() + ": needs `message` (a partial message in hubspec's JSON view)");
    const auto connection = p.text("connection", "");
    const auto found = wait_while_client_runs(cut, deadline_of(p, "within_ms", 10'000), [&](clock::time_point until) {
        return cut.server->wait_message(
            cut.message_cursor,
            [&](const observed_message& m) {
                return (connection.empty() || m.connection_id == connection) && !mismatch(*expected, m.view);
            },
            until);
    });
    if (!found) {
        skip_if_unsupported(cut);
        blame_connection_id_as_token(cut);
        throw expectation_failed{"the client to send " + show(*expected) + " within " +
                                     std::to_string(p.integer("within_ms", 10'000)) + " ms",
                                 messages_seen(cut, cut.message_cursor)};
    }
    cut.message_cursor = *found + 1;
}

void run_expect_no_client_message(const step& s, cell_context& ctx) {
    step_params p(s, ctx);
    auto& cut = ctx.cut();
    const auto expected = p.get("message");
    if (!expected) throw script_error(p.describe() + ": needs `message`");
    const auto found = wait_while_client_runs(cut, deadline_of(p, "for_ms", 2'000), [&](clock::time_point until) {
        return cut.server->wait_message(
            cut.message_cursor, [&](const observed_message& m) { return !mismatch(*expected, m.view); }, until);
    });
    if (found)
        throw expectation_failed{"no " + show(*expected) + " from the client for " +
                                     std::to_string(p.integer("for_ms", 2'000)) + " ms",
                                 cut.server->messages()[*found].text};
}

} // namespace hubspec::harness::detail
