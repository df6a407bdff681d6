// Steps on the raw wire (scenarios/README.md): hand-made connections, bytes and
// hub messages written by the harness, the server's answers read record by record.

#include "engine/handshake_defect.hpp"
#include "engine/method_probe.hpp"
#include "engine/raw_actor.hpp"
#include "engine/step_errors.hpp"
#include "engine/value_match.hpp"
#include "hubspec/harness/message_json.hpp"
#include "steps/step_registry.hpp"

#include <hubspec/protocol/framing.hpp>
#include <hubspec/protocol/hex.hpp>
#include <hubspec/protocol/json_value.hpp>

namespace hubspec::harness::detail {
namespace {

using std::chrono::milliseconds;

const protocol::hub_protocol& wire_protocol(protocol_name n) {
    return n == protocol_name::json ? protocol::json_protocol() : protocol::messagepack_protocol();
}

/// A received message in hubspec's JSON view, as a value the matchers can read.
protocol::value message_value(const protocol::hub_message& m) {
    auto parsed = protocol::parse_json_value(message_to_json(m));
    return parsed ? std::move(*parsed) : protocol::value{};
}

bool is_ping(const protocol::hub_message& m) {
    return std::holds_alternative<protocol::ping_message>(m);
}

std::string describe(const raw_event& e) {
    struct {
        std::string operator()(const raw_handshake& h) const { return "the handshake response " + h.json; }
        std::string operator()(const protocol::hub_message& m) const { return message_to_json(m); }
        std::string operator()(const raw_closed& c) const { return "the transport closed (" + c.how + ")"; }
        std::string operator()(const raw_timeout&) const { return "nothing"; }
        std::string operator()(const raw_bad_bytes& b) const {
            return "bytes that are not a hub message: " + b.problem;
        }
    } visitor;
    return std::visit(visitor, e);
}

/// When `m` is the server's "Method does not exist." for a contract method (or a method standing in
/// for one), the cell cannot run on this target: why, for the skip. A method the scenario made up to
/// be unknown (ERR-001), or a contract method in another case (MSG-019), is not the contract's, so
/// its error stays a verdict.
std::optional<std::string> missing_contract_method(const protocol::hub_message& m, const target& t) {
    const auto* completion = std::get_if<protocol::completion_message>(&m);
    if (!completion || !completion->error || !says_method_missing(*completion->error)) return std::nullopt;
    const auto named = method_named_in(*completion->error);
    if (!named) return std::nullopt;
    // In its own case only: `echo` for Echo is the scenario asking MSG-019, whose answer is a verdict.
    const auto* in_contract = find_contract_method(*named);
    bool contract = in_contract != nullptr && in_contract->name == *named;
    for (const auto& [role, method] : t.roles())
        contract = contract || method == *named;
    if (!contract) return std::nullopt;
    return "contract method " + *named + " is missing at " + t.hub_url() + " (the server said: " + *completion->error +
           ")";
}

void skip_if_method_missing(const raw_event& e, const target& t) {
    if (const auto* m = std::get_if<protocol::hub_message>(&e))
        if (auto reason = missing_contract_method(*m, t)) throw not_applicable{std::move(*reason)};
}

/// `"target":"Echo"` in hand-written JSON records, renamed by --method roles.
std::string with_roles(std::string text, const target& t) {
    for (const auto& [role, method] : t.roles()) {
        const auto from = "\"target\":\"" + role + "\"";
        const auto to = "\"target\":\"" + method + "\"";
        for (auto at = text.find(from); at != std::string::npos; at = text.find(from, at + to.size()))
            text.replace(at, from.size(), to);
    }
    return text;
}

} // namespace

void run_raw_connect(const step& s, cell_context& ctx) {
    step_params p(s, ctx);
    raw_connect_options options;
    options.url = p.has("url") ? p.required_text("url") : ctx.tgt.endpoint_url(p.text("endpoint", ""));
    if (p.boolean("via_proxy", false)) options.url = ctx.through_proxy(options.url);
    options.transport = ctx.where.transport;
    if (p.has("transport")) {
        auto t = protocol::parse_transport_option(p.text("transport", ""));
        if (!t) throw script_error(p.describe() + ": unknown transport");
        options.transport = *t;
    }
    auto proto = ctx.where.protocol;
    if (p.has("protocol")) {
        auto n = parse_protocol_name(p.text("protocol", ""));
        if (!n) throw script_error(p.describe() + ": unknown protocol");
        proto = *n;
    }
    options.negotiate_version = static_cast<int>(p.integer("negotiate_version", 1));
    options.handshake = p.boolean("handshake", true);
    options.expect_handshake_reply = p.boolean("expect_handshake", true);
    options.extra_query = p.text("query", "");
    options.negotiate = p.boolean("negotiate", true);
    if (p.has("resume")) {
        // A transport re-attached by token starts with the peer's Sequence, not a handshake (SR-014).
        options.resume_token = p.required_text("resume");
        options.handshake = false;
        options.expect_handshake_reply = false;
    }
    if (auto headers = p.get("headers"); headers && headers->get_if<protocol::map>())
        for (const auto& e : *headers->get_if<protocol::map>())
            options.headers.emplace_back(e.key.as_string() ? *e.key.as_string() : show(e.key),
                                         e.item.as_string() ? *e.item.as_string() : show(e.item));
    if (!p.boolean("anonymous", false))
        options.headers = ctx.tgt.creds().request_headers(options.headers); // the run's --header and token
    options.tls = ctx.tgt.creds().tls();
    const auto name = p.actor();
    std::unique_ptr<raw_actor> actor;
    try {
        actor = raw_connect(name, options, wire_protocol(proto), ctx.log);
    } catch (const raw_refused& refused) {
        if (auto wanted = p.get("expect_status")) {
            if (auto why = mismatch(*wanted, protocol::value{refused.status}))
                throw expectation_failed{"the transport refused with status " + show(*wanted), refused.what()};
            return;
        }
        throw expectation_failed{"the " + std::string(protocol::transport_name(options.transport)) + " transport opens",
                                 refused.what()};
    } catch (const raw_negotiate_unusable& e) {
        throw expectation_failed{"a negotiate response to connect with", e.what(), e.requirement};
    } catch (const std::exception& e) {
        throw expectation_failed{"a raw " + std::string(protocol::transport_name(options.transport)) + " connection",
                                 e.what()};
    }
    if (p.has("expect_status"))
        throw expectation_failed{"the transport refused with status " + show(*p.get("expect_status")), "it opened"};
    ctx.variables[name + ".id"] = protocol::value{actor->connection_id};
    ctx.variables[name + ".token"] = protocol::value{actor->connection_token};
    if (options.handshake && options.expect_handshake_reply && p.boolean("check_handshake", true)) {
        const auto within = milliseconds(p.integer("within_ms", 10'000));
        auto event = actor->next(clock::now() + within);
        const auto* reply = std::get_if<raw_handshake>(&event);
        if (!reply) throw expectation_failed{"the handshake response `{}`", describe(event)};
        // The reply is what came before the first separator: other records glued to it mean a missing one.
        if (auto seen = handshake_without_separator(reply->json + protocol::record_separator))
            throw expectation_failed{"the handshake response `{}` followed by the record separator", *seen, "HS-007"};
        auto parsed = protocol::parse_json_value(reply->json);
        if (!parsed || !parsed->get_if<protocol::map>())
            throw expectation_failed{"the handshake response `{}`", reply->json, "HS-007"};
        if (parsed->find("error")) throw expectation_failed{"the handshake response `{}`", reply->json};
    }
    ctx.add_raw(name, std::move(actor));
}

void run_raw_send(const step& s, cell_context& ctx) {
    step_params p(s, ctx);
    auto& actor = ctx.raw(p.actor());
    std::string bytes;
    auto encode = [&](protocol::value message) {
        if (auto* fields = message.get_if<protocol::map>())
            for (auto& e : *fields)
                if (e.key.as_string() && *e.key.as_string() == "target" && e.item.as_string())
                    e.item = protocol::value{ctx.tgt.method_name(*e.item.as_string())}; // --method roles
        auto parsed = message_from_json(protocol::to_json(message));
        if (!parsed) throw script_error(p.describe() + ": not a hub message: " + parsed.error().to_string());
        return actor.protocol().encode(*parsed);
    };
    if (auto message = p.get("message")) {
        bytes = encode(std::move(*message));
    } else if (auto messages = p.get("messages")) {
        const auto* list = messages->get_if<protocol::array>();
        if (!list || list->empty()) throw script_error(p.describe() + ": `messages` is a list of hub messages");
        for (const auto& m : *list) // records side by side: one WebSocket message or POST
            bytes += encode(m);
    } else if (p.has("text")) {
        bytes = with_roles(p.required_text("text"), ctx.tgt);
    } else if (p.has("hex")) {
        auto decoded = protocol::parse_hex(p.required_text("hex"));
        if (!decoded) throw script_error(p.describe() + ": `hex` is not hex");
        bytes = std::move(*decoded);
    } else {
        throw script_error(p.describe() + ": needs `message`, `messages`, `text` or `hex`");
    }
    // A flood of big records (a stalled reader, KA-011) without a script of hundreds of steps.
    const auto repeat = p.integer("repeat", 1);
    if (repeat < 1 || repeat > 100'000) throw script_error(p.describe() + ": `repeat` must be 1 to 100000");
    try {
        actor.send_repeated(bytes, static_cast<int>(repeat));
    } catch (const std::exception& e) {
        throw expectation_failed{"the transport accepts the bytes", e.what()};
    }
}

void run_raw_expect(const step& s, cell_context& ctx) {
    step_params p(s, ctx);
    auto& actor = ctx.raw(p.actor());
    const auto within = p.integer("within_ms", 5'000);
    const auto deadline = clock::now() + milliseconds(within);
    if (auto wanted = p.get("handshake")) {
        auto event = actor.next(deadline);
        const auto* reply = std::get_if<raw_handshake>(&event);
        if (!reply) throw expectation_failed{"a handshake response " + show(*wanted), describe(event)};
        auto parsed = protocol::parse_json_value(reply->json);
        if (!parsed) throw expectation_failed{"a JSON handshake response", reply->json};
        if (auto why = mismatch(*wanted, *parsed))
            throw expectation_failed{"a handshake response " + show(*wanted), *why};
        return;
    }
    const auto wanted = p.get("message").value_or(protocol::value{protocol::map{}});
    const auto* type = wanted.find("type");
    const bool want_ping = type && type->as_string() && *type->as_string() == "Ping";
    const bool skip_unmatched = p.boolean("skip_unmatched", false);
    for (;;) {
        auto event = actor.next(deadline);
        const auto* message = std::get_if<protocol::hub_message>(&event);
        if (!message)
            throw expectation_failed{"a message " + show(wanted) + " within " + std::to_string(within) + " ms",
                                     describe(event)};
        if (is_ping(*message) && !want_ping) continue;
        const auto seen = message_value(*message);
        if (auto why = mismatch(wanted, seen)) {
            skip_if_method_missing(event, ctx.tgt);
            if (skip_unmatched) continue; // e.g. broadcasts from other cells on a shared hub
            throw expectation_failed{"a message " + show(wanted), message_to_json(*message) + " (" + *why + ")"};
        }
        if (auto capture = p.get("capture"); capture && capture->get_if<protocol::map>())
            for (const auto& e : *capture->get_if<protocol::map>()) {
                const auto key = e.item.as_string() ? *e.item.as_string() : show(e.item);
                const auto* field = seen.find(key);
                ctx.variables[e.key.as_string() ? *e.key.as_string() : show(e.key)] =
                    field ? *field : protocol::value{};
            }
        return;
    }
}

void run_raw_expect_closed(const step& s, cell_context& ctx) {
    step_params p(s, ctx);
    auto& actor = ctx.raw(p.actor());
    const auto within = p.integer("within_ms", 10'000);
    const auto deadline = clock::now() + milliseconds(within);
    std::optional<protocol::value> close_message;
    std::optional<std::string> missing; // a contract method the target lacks: the end may never come
    std::string how;
    for (;;) {
        auto event = actor.next(deadline);
        if (const auto* closed = std::get_if<raw_closed>(&event)) {
            how = closed->how;
            break;
        }
        if (const auto* message = std::get_if<protocol::hub_message>(&event)) {
            if (std::holds_alternative<protocol::close_message>(*message)) close_message = message_value(*message);
            if (!missing) missing = missing_contract_method(*message, ctx.tgt);
            continue; // messages before the end are allowed
        }
        if (std::holds_alternative<raw_bad_bytes>(event) && close_message) break;
        if (missing) throw not_applicable{*missing};
        throw expectation_failed{"the server ends the connection within " + std::to_string(within) + " ms",
                                 describe(event)};
    }
    if (auto wanted = p.get("how")) {
        if (how.empty())
            throw expectation_failed{"the transport ends as " + show(*wanted),
                                     "unreadable bytes after the Close message"};
        if (auto why = mismatch(*wanted, protocol::value{how}))
            throw expectation_failed{"the transport ends as " + show(*wanted), how};
    }
    if (auto wanted = p.get("close")) {
        if (!close_message) {
            if (!wanted->is_null())
                throw expectation_failed{"a Close message " + show(*wanted) + " before the end",
                                         "the transport ended without one"};
            return;
        }
        // `requires_of: {close: ID}`: a Close of the wrong shape breaks ID, over the step's own.
        const auto requires_of = p.get("requires_of").value_or(protocol::value{});
        const auto* shape_id = requires_of.find("close");
        if (auto why = mismatch(*wanted, *close_message))
            throw expectation_failed{"a Close message " + show(*wanted), *why,
                                     shape_id && shape_id->as_string() ? *shape_id->as_string() : std::string()};
    }
}

void run_raw_expect_silence(const step& s, cell_context& ctx) {
    step_params p(s, ctx);
    auto& actor = ctx.raw(p.actor());
    const auto for_ms = p.integer("for_ms", 300);
    const bool ignore_pings = p.boolean("ignore_pings", true);
    const auto allowed = p.get("allow"); // messages the silence tolerates, e.g. the server's Acks
    const auto deadline = clock::now() + milliseconds(for_ms);
    for (;;) {
        auto event = actor.next(deadline);
        if (std::holds_alternative<raw_timeout>(event)) return;
        if (const auto* message = std::get_if<protocol::hub_message>(&event)) {
            if (ignore_pings && is_ping(*message)) continue;
            if (allowed && !mismatch(*allowed, message_value(*message))) continue;
        }
        skip_if_method_missing(event, ctx.tgt);
        throw expectation_failed{"nothing from the server for " + std::to_string(for_ms) + " ms", describe(event)};
    }
}

void run_raw_expect_frames(const step& s, cell_context& ctx) {
    step_params p(s, ctx);
    auto& actor = ctx.raw(p.actor());
    const bool binary_protocol = actor.protocol().format() == protocol::transfer_format::binary;
    const auto kind = p.text("kind", binary_protocol ? "binary" : "text");
    if (kind != "text" && kind != "binary") throw script_error(p.describe() + ": `kind` is text or binary");
    const auto tally = actor.frames();
    if (!tally) throw script_error(p.describe() + ": only WebSocket connections have frames");
    const auto wrong = kind == "text" ? tally->binary : tally->text;
    const auto right = kind == "text" ? tally->text : tally->binary;
    if (wrong != 0 || right == 0)
        throw expectation_failed{"every WebSocket message from the server in a " + kind + " frame",
                                 std::to_string(tally->text) + " text and " + std::to_string(tally->binary) +
                                     " binary"};
}

void run_raw_pause(const step& s, cell_context& ctx) {
    step_params p(s, ctx);
    auto& actor = ctx.raw(p.actor());
    const bool paused = p.boolean("paused", true);
    if (!actor.pause_reading(paused))
        throw script_error(p.describe() + ": only WebSocket connections can stop reading");
    ctx.log.add(transcript_direction::note, actor.name(), "reading", paused ? "stopped reading" : "reading again");
}

void run_raw_close(const step& s, cell_context& ctx) {
    step_params p(s, ctx);
    ctx.raw(p.actor()).close();
}

} // namespace hubspec::harness::detail
