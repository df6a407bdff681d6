// Steps through the reference client (scenarios/README.md, "Steps through the reference client").

#include "engine/method_probe.hpp"
#include "engine/step_errors.hpp"
#include "engine/value_match.hpp"
#include "steps/step_registry.hpp"

#include <hubspec/client/retry_policy.hpp>

#include <condition_variable>
#include <future>
#include <mutex>

namespace hubspec::harness::detail {
namespace {

using std::chrono::milliseconds;

milliseconds ms(std::int64_t n) {
    return milliseconds(n);
}

std::string error_text(std::exception_ptr e) {
    try {
        std::rethrow_exception(e);
    } catch (const std::exception& ex) {
        return ex.what();
    } catch (...) {
        return "an unknown exception";
    }
}

protocol::value arguments_value(const client::arguments& args) {
    return protocol::value{args.to_array()};
}

/// Checks an error text against `expect_error`, or fails because there was one.
/// The requirement the target broke when the reference client gives up for a reason of its
/// own words: charged over the step's, which was about something else. Empty if none.
std::string requirement_in_client_error(std::string_view error) {
    static constexpr std::pair<std::string_view, std::string_view> known[] = {
        {"The Server-Sent Events response has Content-Type", "SSE-004"},
    };
    for (const auto& [text, requirement] : known)
        if (error.find(text) != std::string_view::npos) return std::string(requirement);
    return {};
}

void check_error(const step_params& p, const std::string& what, const std::string& error) {
    auto wanted = p.get("expect_error");
    if (says_method_missing(error) && (!wanted || mismatch(*wanted, protocol::value{error})))
        throw not_applicable{what + ": the method is missing (the server said: " + error + ")"};
    if (!wanted) throw expectation_failed{what + " succeeds", "error: " + error, requirement_in_client_error(error)};
    if (auto why = mismatch(*wanted, protocol::value{error}))
        throw expectation_failed{what + " fails with " + show(*wanted), "error: " + error};
}

void check_result(const step_params& p, const std::string& what, const protocol::value& result) {
    if (p.has("expect_error"))
        throw expectation_failed{what + " fails with " + show(*p.get("expect_error")), "result: " + show(result)};
    if (auto wanted = p.get("expect"))
        if (auto why = mismatch(*wanted, result)) throw expectation_failed{what + " returns " + show(*wanted), *why};
}

protocol::transport_type transport_of(const step_params& p, const cell_context& ctx) {
    if (!p.has("transport")) return ctx.where.transport;
    auto t = protocol::parse_transport_option(p.text("transport", ""));
    if (!t) throw script_error(p.describe() + ": unknown transport `" + p.text("transport", "") + "`");
    return *t;
}

protocol_name protocol_of(const step_params& p, const cell_context& ctx) {
    if (!p.has("protocol")) return ctx.where.protocol;
    auto n = parse_protocol_name(p.text("protocol", ""));
    if (!n) throw script_error(p.describe() + ": unknown protocol `" + p.text("protocol", "") + "`");
    return *n;
}

} // namespace

void run_connect(const step& s, cell_context& ctx) {
    step_params p(s, ctx);
    client::connection_options options;
    const auto node = p.integer("node", 1); // scale-out: which node of the cluster (--node)
    if (node < 1 || static_cast<std::size_t>(node) > ctx.tgt.node_count())
        throw script_error(p.describe() + ": node " + std::to_string(node) + ", but the run knows " +
                           std::to_string(ctx.tgt.node_count()) + " node(s) (--node URL adds one)");
    options.url = p.has("url") ? p.required_text("url")
                               : ctx.tgt.endpoint_url_on(static_cast<std::size_t>(node), p.text("endpoint", ""));
    if (p.boolean("via_proxy", false)) options.url = ctx.through_proxy(options.url);
    options.transports = {transport_of(p, ctx)};
    if (p.has("transports")) { // the client's own choice and fallback among these (NEG-030, NEG-031)
        options.transports.clear();
        for (const auto& name : p.list("transports")) {
            auto t = name.as_string() ? protocol::parse_transport_option(*name.as_string()) : std::nullopt;
            if (!t) throw script_error(p.describe() + ": unknown transport " + show(name));
            options.transports.push_back(*t);
        }
    }
    options.protocol = protocol_of(p, ctx) == protocol_name::json ? client::hub_protocol_kind::json
                                                                  : client::hub_protocol_kind::messagepack;
    if (auto headers = p.get("headers"); headers && headers->get_if<protocol::map>())
        for (const auto& e : *headers->get_if<protocol::map>())
            options.headers.emplace_back(e.key.as_string() ? *e.key.as_string() : show(e.key),
                                         e.item.as_string() ? *e.item.as_string() : show(e.item));
    if (p.has("access_token")) {
        auto token = p.required_text("access_token");
        options.access_token_provider = [token] { return token; };
    }
    if (!p.boolean("anonymous", false)) ctx.tgt.creds().add_to(options); // the run's --header and token
    options.tls = ctx.tgt.creds().tls(); // anonymous or not, the certificate is checked the same way
    if (p.has("reconnect")) {
        std::vector<milliseconds> delays;
        for (const auto& d : p.list("reconnect"))
            delays.push_back(ms(d.as_int64().value_or(0)));
        options.reconnect = client::delays_policy(std::move(delays));
    }
    // Pings at half the target's client timeout, as ASP.NET Core advises, keep an idle connection
    // alive against a target with a short one (KA-006); the server timeout stays the client's default.
    options.keep_alive_interval = std::min(options.keep_alive_interval, ctx.tgt.timings().client_timeout / 2);
    options.stateful_reconnect = p.boolean("stateful", false); // SR-*: resume a dropped WebSocket without loss
    options.connect_timeout = ms(p.integer("within_ms", 10'000));
    const auto name = p.actor();
    auto actor = std::make_unique<client_actor>(name, std::move(options), ctx.log, ctx.watched_methods());
    try {
        actor->start(ms(p.integer("within_ms", 15'000)));
    } catch (const std::exception& e) {
        // The client only says its start failed; the bytes say when the handshake response broke HS-007.
        if (auto seen = actor->handshake_defect(); seen && !p.has("expect_error"))
            throw expectation_failed{"the handshake response `{}` followed by the record separator",
                                     "the handshake response " + *seen + " (" + e.what() + ")", "HS-007"};
        check_error(p, "connecting " + name, e.what());
        return; // failed as expected
    }
    if (p.has("expect_error"))
        throw expectation_failed{"connecting " + name + " fails with " + show(*p.get("expect_error")), "it connected"};
    ctx.add_client(name, std::move(actor));
}

namespace {

/// The end of an invocation: its Completion checked against the step's expectations.
void finish_invocation(const step_params& p, cell_context& ctx, const std::string& method,
                       std::future<protocol::value>& future) {
    const auto what = "invoking " + method;
    const auto within = p.integer("within_ms", 10'000);
    if (future.wait_for(ms(within)) != std::future_status::ready)
        throw expectation_failed{"a Completion for " + method + " within " + std::to_string(within) + " ms", "none"};
    protocol::value result;
    try {
        result = future.get();
    } catch (const client::hub_exception& e) {
        check_error(p, what, e.what());
        return;
    } catch (const std::exception& e) {
        if (!p.has("expect_error"))
            throw expectation_failed{"a Completion for " + method, std::string("the call failed: ") + e.what()};
        check_error(p, what, e.what());
        return;
    }
    check_result(p, what, result);
    if (p.has("capture")) ctx.variables[p.required_text("capture")] = result;
}

} // namespace

void run_invoke(const step& s, cell_context& ctx) {
    step_params p(s, ctx);
    auto& actor = ctx.client(p.actor());
    const auto method = ctx.tgt.method_name(p.required_text("method")); // --method roles
    auto future = actor.connection().invoke(method, p.list("args"));
    if (p.has("async")) { // several in flight at once; `await` checks each
        ctx.pending[p.required_text("async")] = {method, std::move(future)};
        return;
    }
    finish_invocation(p, ctx, method, future);
}

void run_await(const step& s, cell_context& ctx) {
    step_params p(s, ctx);
    const auto name = p.required_text("name");
    auto it = ctx.pending.find(name);
    if (it == ctx.pending.end()) throw script_error(p.describe() + ": no `invoke … async: " + name + "` before it");
    auto pending = std::move(it->second);
    ctx.pending.erase(it);
    finish_invocation(p, ctx, pending.method, pending.result);
}

void run_send(const step& s, cell_context& ctx) {
    step_params p(s, ctx);
    auto& actor = ctx.client(p.actor());
    const auto method = ctx.tgt.method_name(p.required_text("method")); // --method roles
    auto future = actor.connection().send(method, p.list("args"));
    if (future.wait_for(ms(p.integer("within_ms", 10'000))) != std::future_status::ready)
        throw expectation_failed{"sending " + method, "it was not handed to the transport in time"};
    try {
        future.get();
    } catch (const std::exception& e) {
        throw expectation_failed{"sending " + method, std::string("failed: ") + e.what()};
    }
}

void run_expect_message(const step& s, cell_context& ctx) {
    step_params p(s, ctx);
    auto& actor = ctx.client(p.actor());
    const auto method = p.required_text("method");
    const auto wanted = p.get("args");
    const auto within = p.integer("within_ms", 5'000);
    auto got = actor.take_message(
        method, [&](const client::arguments& args) { return !wanted || !mismatch(*wanted, arguments_value(args)); },
        clock::now() + ms(within));
    if (got) {
        if (p.has("capture")) ctx.variables[p.required_text("capture")] = arguments_value(*got);
        return;
    }
    std::string seen = "no " + method + " call";
    if (auto pending = actor.pending_messages(method); !pending.empty()) {
        seen = method + " with ";
        for (std::size_t i = 0; i < pending.size() && i < 5; ++i)
            seen += (i ? ", " : "") + show(arguments_value(pending[i]));
        if (wanted) seen += " (" + mismatch(*wanted, arguments_value(pending.front())).value_or("") + ")";
    }
    throw expectation_failed{method + (wanted ? show(*wanted) : std::string("(…)")) + " to " + actor.name() +
                                 " within " + std::to_string(within) + " ms",
                             seen};
}

void run_expect_no_message(const step& s, cell_context& ctx) {
    step_params p(s, ctx);
    auto& actor = ctx.client(p.actor());
    const auto method = p.required_text("method");
    const auto for_ms = p.integer("for_ms", 300);
    const auto wanted = p.get("args"); // only calls like these count (others may come from other cells)
    auto got = actor.take_message(
        method, [&](const client::arguments& args) { return !wanted || !mismatch(*wanted, arguments_value(args)); },
        clock::now() + ms(for_ms));
    if (got)
        throw expectation_failed{"no " + method + " call to " + actor.name() + " for " + std::to_string(for_ms) + " ms",
                                 method + show(arguments_value(*got))};
}

void run_expect_sequence(const step& s, cell_context& ctx) {
    step_params p(s, ctx);
    auto& actor = ctx.client(p.actor());
    const auto method = p.required_text("method");
    const auto count = static_cast<std::size_t>(p.integer("count", 0));
    const auto within = p.integer("within_ms", 10'000);
    auto calls = actor.take_all(method, count, clock::now() + ms(within));
    // A short settle after the last expected call shows duplicates that trail it.
    for (auto& extra : actor.take_all(method, 1, clock::now() + ms(p.integer("settle_ms", 200))))
        calls.push_back(std::move(extra));
    std::vector<std::int64_t> seen;
    for (const auto& args : calls)
        seen.push_back(!args.empty() ? args[0].as_int64().value_or(-1) : -1);
    std::size_t missing = 0, duplicated = 0, out_of_order = 0;
    std::vector<int> times(count, 0);
    std::int64_t last = -1;
    std::string first_irregular; // where the order first breaks, for the report
    for (std::size_t i = 0; i < seen.size(); ++i) {
        const auto n = seen[i];
        const bool repeated = n >= 0 && static_cast<std::size_t>(n) < count && ++times[static_cast<std::size_t>(n)] > 1;
        if (repeated) {
            ++duplicated; // counted once, as a duplicate, not also as out of order
        } else if (n <= last) {
            ++out_of_order;
        }
        if ((repeated || n != last + 1) && first_irregular.empty())
            first_irregular = "; call " + std::to_string(i + 1) + " was " + method + "(" + std::to_string(n) + ")";
        last = std::max(last, n);
    }
    for (auto t : times)
        missing += t == 0 ? 1 : 0;
    if (missing || duplicated || out_of_order || seen.size() != count) {
        std::string first;
        for (std::size_t i = 0; i < seen.size() && i < 12; ++i)
            first += (i ? "," : "") + std::to_string(seen[i]);
        throw expectation_failed{method + "(0) … " + method + "(" + std::to_string(count - 1) + ") to " + actor.name() +
                                     ", each once, in order",
                                 std::to_string(seen.size()) + " calls: " + std::to_string(missing) + " missing, " +
                                     std::to_string(duplicated) + " duplicated, " + std::to_string(out_of_order) +
                                     " out of order (first: " + first + ")" + first_irregular};
    }
}

void run_stream(const step& s, cell_context& ctx) {
    step_params p(s, ctx);
    auto& actor = ctx.client(p.actor());
    const auto method = ctx.tgt.method_name(p.required_text("method")); // --method roles
    const auto cancel_after = p.integer("cancel_after", -1);
    struct shared_state {
        std::mutex mutex;
        std::condition_variable changed;
        protocol::array items;
        bool done = false;
        std::exception_ptr error;
    };
    auto state = std::make_shared<shared_state>();
    auto subscription = actor.connection().stream_async(
        method, p.list("args"), {},
        [state](const protocol::value& item) {
            std::lock_guard lock(state->mutex);
            state->items.push_back(item);
            state->changed.notify_all();
        },
        [state](std::exception_ptr error) {
            std::lock_guard lock(state->mutex);
            state->done = true;
            state->error = error;
            state->changed.notify_all();
        });
    const auto within = p.integer("within_ms", 10'000);
    std::unique_lock lock(state->mutex);
    const bool ended = state->changed.wait_until(lock, clock::now() + ms(within), [&] {
        return state->done || (cancel_after >= 0 && static_cast<std::int64_t>(state->items.size()) >= cancel_after);
    });
    if (!ended) {
        throw expectation_failed{
            "the stream " + method + " to " +
                (cancel_after >= 0 ? "send " + std::to_string(cancel_after) + " items" : std::string("complete")) +
                " within " + std::to_string(within) + " ms",
            std::to_string(state->items.size()) + " items " + show(protocol::value{state->items}) + ", no completion"};
    }
    protocol::array items = state->items;
    const bool canceled = cancel_after >= 0 && !state->done;
    std::exception_ptr error = state->error;
    lock.unlock();
    if (canceled) {
        subscription.cancel();
        items.resize(static_cast<std::size_t>(cancel_after));
    }
    if (error) {
        const auto text = error_text(error);
        if (says_method_missing(text) && !p.has("expect_error"))
            throw not_applicable{"contract method " + method + " is missing (the server said: " + text + ")"};
        check_error(p, "the stream " + method, text);
        // Items before the error count too (ERR-013).
        if (auto wanted = p.get("expect_items"))
            if (auto why = mismatch(*wanted, protocol::value{items}))
                throw expectation_failed{"the stream " + method + " yields " + show(*wanted) + " before its error",
                                         *why};
        if (p.has("capture")) ctx.variables[p.required_text("capture")] = protocol::value{std::move(items)};
        return;
    }
    if (p.has("expect_error"))
        throw expectation_failed{"the stream " + method + " fails with " + show(*p.get("expect_error")),
                                 "it completed with " + show(protocol::value{items})};
    if (auto wanted = p.get("expect_items"))
        if (auto why = mismatch(*wanted, protocol::value{items}))
            throw expectation_failed{"the stream " + method + " yields " + show(*wanted), *why};
    if (p.has("capture")) ctx.variables[p.required_text("capture")] = protocol::value{std::move(items)};
}

void run_upload(const step& s, cell_context& ctx) {
    step_params p(s, ctx);
    auto& actor = ctx.client(p.actor());
    const auto method = ctx.tgt.method_name(p.required_text("method")); // --method roles
    client::upload_stream upload;
    auto future = actor.connection().invoke(method, p.list("args"), {upload});
    for (auto& item : p.list("items"))
        upload.write(std::move(item));
    upload.complete();
    const auto within = p.integer("within_ms", 10'000);
    if (future.wait_for(ms(within)) != std::future_status::ready)
        throw expectation_failed{"a Completion for the upload " + method + " within " + std::to_string(within) + " ms",
                                 "none"};
    protocol::value result;
    try {
        result = future.get();
    } catch (const std::exception& e) {
        if (says_method_missing(e.what()) && !p.has("expect_error"))
            throw not_applicable{"contract method " + method + " is missing (the server said: " + e.what() + ")"};
        check_error(p, "the upload " + method, e.what());
        return;
    }
    check_result(p, "the upload " + method, result);
    if (p.has("capture")) ctx.variables[p.required_text("capture")] = result;
}

void run_handle(const step& s, cell_context& ctx) {
    step_params p(s, ctx);
    auto& actor = ctx.client(p.actor());
    const auto method = p.required_text("method");
    if (p.has("error")) {
        auto error = p.required_text("error");
        actor.connection().on_raw(method, [error](const client::arguments&) -> std::optional<protocol::value> {
            throw std::runtime_error(error);
        });
        return;
    }
    auto reply = p.get("reply").value_or(protocol::value{});
    actor.connection().on_raw(method,
                              [reply](const client::arguments&) { return std::optional<protocol::value>(reply); });
}

void run_stop(const step& s, cell_context& ctx) {
    step_params p(s, ctx);
    ctx.client(p.actor()).stop(ms(p.integer("within_ms", 10'000)));
}

void run_expect_state(const step& s, cell_context& ctx) {
    step_params p(s, ctx);
    auto& actor = ctx.client(p.actor());
    const auto state = p.required_text("state");
    const std::string event = state == "reconnecting" ? "reconnecting"
                              : state == "connected"  ? "reconnected"
                              : state == "disconnected"
                                  ? "closed"
                                  : throw script_error(p.describe() + ": unknown state `" + state + "`");
    const auto within = p.integer("within_ms", 10'000);
    if (!actor.take_state_event(event, clock::now() + ms(within)))
        throw expectation_failed{actor.name() + " becomes " + state + " within " + std::to_string(within) + " ms",
                                 "it is " + std::string(client::to_string(actor.connection().state()))};
}

void run_expect_closed(const step& s, cell_context& ctx) {
    step_params p(s, ctx);
    auto& actor = ctx.client(p.actor());
    const auto within = p.integer("within_ms", 10'000);
    auto closed = actor.wait_closed(clock::now() + ms(within));
    if (!closed)
        throw expectation_failed{actor.name() + " closes within " + std::to_string(within) + " ms",
                                 "it is " + std::string(client::to_string(actor.connection().state()))};
    if (!p.has("error")) return;
    auto wanted = p.get("error").value_or(protocol::value{});
    protocol::value seen = *closed ? protocol::value{**closed} : protocol::value{};
    if (auto why = mismatch(wanted, seen))
        throw expectation_failed{actor.name() + " closes with error " + show(wanted), "closed with " + show(seen)};
}

} // namespace hubspec::harness::detail
