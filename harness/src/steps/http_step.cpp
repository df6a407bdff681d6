// The `http` step: one request on the raw wire and expectations on its response.

#include "engine/http_exchange.hpp"
#include "engine/step_errors.hpp"
#include "engine/value_match.hpp"
#include "steps/step_registry.hpp"

#include <hubspec/protocol/json_value.hpp>

#include <algorithm>
#include <future>
#include <vector>

namespace hubspec::harness::detail {
namespace {

header_list headers_of(const std::optional<protocol::value>& v) {
    header_list out;
    if (!v || !v->get_if<protocol::map>()) return out;
    for (const auto& e : *v->get_if<protocol::map>())
        out.emplace_back(e.key.as_string() ? *e.key.as_string() : show(e.key),
                         e.item.as_string() ? *e.item.as_string() : show(e.item));
    return out;
}

std::string head_of(const http_response& r) {
    std::string out = std::to_string(r.status) + " " + r.reason;
    for (const auto& [name, value] : r.headers)
        out += "\n" + name + ": " + value;
    return out;
}

/// The requirement `requires_of` names for a part of the response ("status", "body" or a
/// header's name), charged over the step's own when that part is wrong; empty if none.
std::string requirement_of(const protocol::value& requires_of, std::string_view part) {
    const auto* id = requires_of.find(part);
    return id && id->as_string() ? *id->as_string() : std::string();
}

/// Checks status, headers and body of one response against the step's `expect`.
void check_response(const protocol::value& expect, const protocol::value& requires_of, const http_response& response) {
    if (const auto* status = expect.find("status"))
        if (auto why = mismatch(*status, protocol::value{response.status}))
            throw expectation_failed{"status " + show(*status),
                                     std::to_string(response.status) + " " + response.reason +
                                         (response.body.empty() ? "" : ": " + response.body.substr(0, 200)),
                                     requirement_of(requires_of, "status")};
    if (const auto* wanted = expect.find("headers"); wanted && wanted->get_if<protocol::map>()) {
        for (const auto& e : *wanted->get_if<protocol::map>()) {
            const auto name = e.key.as_string() ? *e.key.as_string() : show(e.key);
            const protocol::value seen =
                response.has_header(name) ? protocol::value{response.header(name)} : protocol::value{};
            if (auto why = mismatch(e.item, seen))
                throw expectation_failed{"header " + name + ": " + show(e.item),
                                         response.has_header(name) ? name + ": " + response.header(name)
                                                                   : "no " + name + " header",
                                         requirement_of(requires_of, name)};
        }
    }
    if (const auto* wanted = expect.find("body"))
        if (auto why = mismatch(*wanted, protocol::value{response.body}))
            throw expectation_failed{"body " + show(*wanted), "body " + show(protocol::value{response.body}),
                                     requirement_of(requires_of, "body")};
}

} // namespace

/// Where a script captures `connectionToken` from a version 0 negotiate reply (no token, no
/// negotiateVersion), the connectionId stands in, as clients use it (NEG-011, NEG-021).
const protocol::value* version_0_token(std::string_view key, const protocol::value& body) {
    if (key != "connectionToken" || body.find("negotiateVersion") != nullptr) return nullptr;
    return body.find("connectionId");
}

void run_http(const step& s, cell_context& ctx) {
    step_params p(s, ctx);
    const auto method = p.text("method", "GET");
    const auto url = p.boolean("via_proxy", false) ? ctx.through_proxy(p.required_text("url")) : p.required_text("url");
    // The run's --header and token go on every request, unless the step is about going without them.
    const auto headers = p.boolean("anonymous", false) ? headers_of(p.get("headers"))
                                                       : ctx.tgt.creds().request_headers(headers_of(p.get("headers")));
    const auto body = p.text("body", "");
    const auto within = std::chrono::milliseconds(p.integer("within_ms", 10'000));
    // `concurrent: N` sends N copies at once, each on its own connection (LP-016).
    const auto copies = static_cast<std::size_t>(std::clamp<std::int64_t>(p.integer("concurrent", 1), 1, 16));
    std::string request_head = method + " " + url;
    for (const auto& [name, value] : headers)
        request_head += "\n" + name + ": " + value;
    for (std::size_t i = 0; i < copies; ++i)
        ctx.log.add(transcript_direction::sent, "harness", "http-request", request_head, body);

    std::vector<std::future<http_response>> pending;
    for (std::size_t i = 0; i < copies; ++i)
        pending.push_back(std::async(std::launch::async, [&] {
            return http_exchange(method, url, headers, body, within, ctx.tgt.creds().tls());
        }));
    std::vector<http_response> responses;
    std::optional<std::string> failed;
    for (auto& f : pending) {
        try {
            responses.push_back(f.get());
        } catch (const std::exception& e) {
            if (!failed) failed = e.what(); // the others are still awaited: none may outlive the step
        }
    }
    for (const auto& r : responses)
        ctx.log.add(transcript_direction::received, "harness", "http-response", head_of(r), r.body);
    if (failed) throw expectation_failed{"an HTTP response to " + method + " " + url, *failed};

    const auto expect = p.get("expect").value_or(protocol::value{});
    const auto requires_of = p.get("requires_of").value_or(protocol::value{});
    for (const auto& r : responses)
        check_response(expect, requires_of, r);
    const http_response& response = responses.front();

    std::optional<protocol::value> json;
    auto parse_body = [&]() -> const protocol::value& {
        if (!json) {
            auto parsed = protocol::parse_json_value(response.body);
            if (!parsed)
                throw expectation_failed{"a JSON body", "not JSON (" + parsed.error().to_string() +
                                                            "): " + response.body.substr(0, 200)};
            json = std::move(*parsed);
        }
        return *json;
    };
    if (const auto* wanted = expect.find("json"))
        if (auto why = mismatch(*wanted, parse_body()))
            throw expectation_failed{"JSON body " + show(*wanted), *why + " in " + response.body.substr(0, 400)};

    if (auto capture = p.get("capture"); capture && capture->get_if<protocol::map>()) {
        for (const auto& e : *capture->get_if<protocol::map>()) {
            const auto var = e.key.as_string() ? *e.key.as_string() : show(e.key);
            const auto key = e.item.as_string() ? *e.item.as_string() : show(e.item);
            if (key == "$body")
                ctx.variables[var] = protocol::value{response.body};
            else if (key == "$status")
                ctx.variables[var] = protocol::value{response.status};
            else if (const auto* found = parse_body().find(key))
                ctx.variables[var] = *found;
            else if (const auto* id = version_0_token(key, parse_body())) {
                ctx.variables[var] = *id;
                ctx.log.add(transcript_direction::note, "harness", "capture",
                            "a version 0 negotiate reply: its connectionId is the token (NEG-011)");
            } else if (const auto* version = parse_body().find("negotiateVersion");
                       key == "connectionToken" && version && version->get_if<std::int64_t>() &&
                       *version->get_if<std::int64_t>() >= 1) {
                // A version 1 reply owes the token (NEG-010), whichever scenario negotiates by hand.
                throw expectation_failed{"a `connectionToken` in the version 1 negotiate reply",
                                         response.body.substr(0, 400), "NEG-010"};
            } else
                throw expectation_failed{"a `" + key + "` property in the JSON body", response.body.substr(0, 400)};
        }
    }
}

} // namespace hubspec::harness::detail
