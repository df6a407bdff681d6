#include "control_endpoint.hpp"

#include "endpoint_router.hpp"
#include "log.hpp"

#include "hubspec/protocol/json_value.hpp"
#include "hubspec/protocol/url.hpp"

#include <charconv>
#include <cstdint>
#include <optional>
#include <string>

namespace hubspec::server::detail {

namespace p = hubspec::protocol;

namespace {

constexpr std::int64_t max_delay_ms = 600'000; // a delay longer than any test's patience is a typo

http_reply text(unsigned status, std::string body) {
    return {status, "text/plain", std::move(body) + "\n"};
}

http_reply json(std::string body) {
    return {200, "application/json", std::move(body)};
}

/// "true"/"false" of parameter `name`; `fallback` when absent; an error reply otherwise.
std::optional<bool> flag(const p::query_parameters& query, std::string_view name, std::optional<bool> fallback,
                         http_reply& error) {
    const auto v = p::find_query_parameter(query, name);
    if (!v) {
        if (!fallback) error = text(400, "missing query parameter " + std::string(name) + "=true|false");
        return fallback;
    }
    if (*v == "true") return true;
    if (*v == "false") return false;
    error = text(400, std::string(name) + " must be true or false, got '" + *v + "'");
    return std::nullopt;
}

std::string faults_json(endpoint_router& router) {
    const auto& f = router.faults();
    return std::string("{\"refuseWebSockets\":") + (f.refuse_websockets ? "true" : "false") +
           ",\"pings\":" + (f.pings ? "true" : "false") + ",\"delayMs\":" + std::to_string(f.delay_ms.load()) + "}";
}

std::string connections_json(const std::vector<connection_info>& connections) {
    std::string out = "[";
    for (const auto& c : connections) {
        if (out.size() > 1) out += ',';
        out += "{\"connectionId\":";
        p::write_json_string(c.connection_id, out);
        out += ",\"hub\":";
        p::write_json_string(c.hub_path, out);
        out += ",\"transport\":";
        p::write_json_string(c.transport, out);
        out += ",\"awaitingReconnect\":";
        out += c.awaiting_reconnect ? "true" : "false";
        out += ",\"pollPending\":";
        out += c.poll_pending ? "true" : "false";
        out += '}';
    }
    return out + "]";
}

} // namespace

http_reply control_request(endpoint_router& router, const http_request& request, std::string_view path,
                           std::string_view query_text) {
    const auto query = p::parse_query(query_text);
    const std::string_view name = path.substr(std::min(path.size(), std::string_view("/control/").size()));
    const bool is_get = name == "connections" || name == "faults";
    const bool is_post =
        name == "drop" || name == "close" || name == "refuse-websockets" || name == "pings" || name == "delay";
    if (!is_get && !is_post) return text(404, "no control endpoint " + std::string(path));
    const std::string wanted = is_get ? "GET" : "POST";
    if (request.method != wanted) {
        return {405, "text/plain", std::string(path) + " takes " + wanted + "\n", {{"Allow", wanted}}};
    }

    if (name == "connections") {
        const auto hub = p::find_query_parameter(query, "hub").value_or("");
        return json(connections_json(router.control().connections(hub)));
    }
    if (name == "faults") return json(faults_json(router));

    http_reply error;
    if (name == "drop" || name == "close") {
        const auto id = p::find_query_parameter(query, "connectionId");
        if (!id || id->empty()) return text(400, "missing query parameter connectionId");
        if (name == "drop") {
            if (*id == "all") return text(200, "dropped " + std::to_string(router.control().drop_all()));
            if (!router.control().drop(*id)) return text(404, "no connection with id '" + *id + "'");
            return text(200, "dropped " + *id);
        }
        const auto allow = flag(query, "allowReconnect", false, error);
        if (!allow) return error;
        auto reason = p::find_query_parameter(query, "error");
        if (!router.control().close(*id, *allow, std::move(reason))) {
            return text(404, "no connection with id '" + *id + "'");
        }
        return text(200, "closed " + *id);
    }
    if (name == "refuse-websockets" || name == "pings") {
        const auto on = flag(query, "on", std::nullopt, error);
        if (!on) return error;
        if (name == "pings") {
            router.faults().pings = *on;
        } else {
            router.faults().refuse_websockets = *on;
        }
        log_event("CTL", "-", std::string(name) + (*on ? " on" : " off"));
        return json(faults_json(router));
    }
    // delay
    const auto ms = p::find_query_parameter(query, "ms");
    if (!ms) return text(400, "missing query parameter ms (milliseconds, 0 turns the delay off)");
    std::int64_t value = -1;
    const auto [end, ec] = std::from_chars(ms->data(), ms->data() + ms->size(), value);
    if (ec != std::errc{} || end != ms->data() + ms->size() || value < 0 || value > max_delay_ms) {
        return text(400, "ms must be an integer from 0 to " + std::to_string(max_delay_ms) + ", got '" + *ms + "'");
    }
    router.faults().delay_ms = value;
    log_event("CTL", "-", "outgoing delay " + std::to_string(value) + " ms");
    return json(faults_json(router));
}

} // namespace hubspec::server::detail
