#include "engine/target_probe.hpp"

#include "engine/raw_actor.hpp"

#include <hubspec/protocol/handshake.hpp>
#include <hubspec/protocol/hub_message.hpp>
#include <hubspec/protocol/url.hpp>

#include <algorithm>
#include <cctype>
#include <future>

namespace hubspec::harness::detail {
namespace {

using std::chrono::milliseconds;

bool same_ignoring_case(std::string_view a, std::string_view b) {
    return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
               return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
           });
}

negotiate_probe negotiate_once(const std::string& hub_url, int version, bool stateful, const probe_options& options,
                               std::string* server_header) {
    negotiate_probe out;
    out.version_asked = version;
    auto url = protocol::append_query_parameter(hub_url + "/negotiate", "negotiateVersion", std::to_string(version));
    if (stateful) url = protocol::append_query_parameter(url, "useStatefulReconnect", "true");
    try {
        const auto reply = http_exchange("POST", url, options.headers, {}, options.timeout, options.tls);
        out.answered = true;
        out.status = reply.status;
        out.body = reply.body;
        out.www_authenticate = reply.header("WWW-Authenticate");
        if (server_header && server_header->empty()) *server_header = reply.header("Server");
    } catch (const std::exception& e) {
        out.failure = e.what();
        return out;
    }
    if (out.status != 200) return out;
    auto parsed = protocol::parse_negotiate_response(out.body);
    if (parsed) {
        out.parsed = std::move(*parsed);
    } else {
        out.problem = parsed.error().to_string();
        out.problem_requirement = std::string(parsed.error().requirement);
    }
    return out;
}

/// NEG-013 (exact names and formats) and NEG-014 (the formats each transport carries).
transport_offer check_offer(const protocol::available_transport& entry) {
    transport_offer offer{
        entry.transport, entry.transfer_formats, protocol::parse_transport_name(entry.transport), {}, {}};
    if (!offer.type) {
        for (auto t : {protocol::transport_type::websockets, protocol::transport_type::server_sent_events,
                       protocol::transport_type::long_polling})
            if (same_ignoring_case(entry.transport, protocol::transport_name(t))) offer.type = t;
        if (offer.type) {
            offer.defect = "transport `" + entry.transport + "` is spelt `" +
                           std::string(protocol::transport_name(*offer.type)) + "` by the protocol";
            offer.defect_requirement = "NEG-013";
        }
        return offer; // an unknown transport is the client's to ignore (NEG-016)
    }
    std::vector<std::string> expected;
    for (auto f : protocol::transfer_formats_of(*offer.type))
        expected.emplace_back(f == protocol::transfer_format::text ? "Text" : "Binary");
    for (const auto& f : entry.transfer_formats) {
        if (f != "Text" && f != "Binary") {
            offer.defect = "transfer format `" + f + "` of " + entry.transport + " is not `Text` or `Binary`";
            offer.defect_requirement = "NEG-013";
            return offer;
        }
    }
    for (const auto& f : expected) {
        if (std::find(entry.transfer_formats.begin(), entry.transfer_formats.end(), f) ==
            entry.transfer_formats.end()) {
            offer.defect = entry.transport + " lists no `" + f + "` transfer format";
            offer.defect_requirement = "NEG-014";
            return offer;
        }
    }
    return offer;
}

/// The transport the connection probes use: WebSockets when offered, else SSE (text only), else long polling.
std::optional<protocol::transport_type> probe_transport(const target_probe& p, const protocol::hub_protocol& hp) {
    // Long polling last: it carries no keep-alive Pings (LP-019), so the interval cannot be measured on it.
    for (auto t : {protocol::transport_type::websockets, protocol::transport_type::server_sent_events,
                   protocol::transport_type::long_polling}) {
        const auto* offer = p.offer(t);
        if (!offer || offer->type != t || !offer->defect.empty()) continue;
        if (t == protocol::transport_type::server_sent_events && hp.format() == protocol::transfer_format::binary)
            continue;
        return t;
    }
    return std::nullopt;
}

/// A raw connection with the handshake sent; the handshake reply (or what came instead) in `reply`.
std::unique_ptr<raw_actor> open_connection(const std::string& hub_url, const target_probe& p,
                                           const protocol::hub_protocol& hp, const probe_options& options,
                                           transcript& log, protocol_probe& reply) {
    reply.name = std::string(hp.name());
    const auto transport = probe_transport(p, hp);
    if (!transport) {
        reply.detail = "no transport offered that carries it";
        return nullptr;
    }
    raw_connect_options connect;
    connect.url = hub_url;
    connect.transport = *transport;
    connect.headers = options.headers;
    connect.tls = options.tls;
    connect.timeout = options.timeout;
    connect.handshake = false; // sent below, so that its moment is known
    std::unique_ptr<raw_actor> actor;
    try {
        actor = raw_connect("probe", connect, hp, log);
    } catch (const std::exception& e) {
        reply.detail = e.what();
        return nullptr;
    }
    reply.handshake_sent = clock::now();
    actor->send(protocol::write_handshake_request({std::string(hp.name()), 1}));
    const auto event = actor->next(clock::now() + options.timeout);
    if (const auto* hs = std::get_if<raw_handshake>(&event)) {
        auto parsed = protocol::parse_handshake_response(hs->json);
        if (parsed && !parsed->error) {
            reply.accepted = true;
            reply.detail = "over " + std::string(protocol::transport_name(*transport));
            return actor;
        }
        if (parsed) reply.refusal = *parsed->error;
        reply.detail = parsed ? "refused: " + *parsed->error : "unreadable handshake response: " + hs->json;
    } else if (std::holds_alternative<raw_timeout>(event)) {
        reply.detail = "no complete handshake response within " + std::to_string(options.timeout.count()) +
                       " ms (HS-007: `{}` and the record separator)";
    } else if (const auto* closed = std::get_if<raw_closed>(&event)) {
        reply.detail = "the connection ended: " + closed->how;
    } else if (const auto* bad = std::get_if<raw_bad_bytes>(&event)) {
        reply.detail = bad->problem;
    } else {
        reply.detail = "a hub message came before the handshake response";
    }
    return nullptr;
}

/// From the handshake response to the first Ping on a connection nobody writes to (KA-001).
void measure_keep_alive(const std::string& hub_url, target_probe& p, const probe_options& options) {
    transcript log;
    protocol_probe reply;
    auto actor = open_connection(hub_url, p, protocol::json_protocol(), options, log, reply);
    if (!actor) {
        p.keep_alive_note = "not measured: " + reply.detail;
        return;
    }
    // From the request: the server's interval starts after it, however late the response arrives.
    const auto start = reply.handshake_sent;
    const auto deadline = clock::now() + options.keep_alive_wait;
    for (;;) {
        const auto event = actor->next(deadline);
        if (const auto* message = std::get_if<protocol::hub_message>(&event)) {
            if (!std::holds_alternative<protocol::ping_message>(*message)) continue;
            p.keep_alive = std::chrono::duration_cast<milliseconds>(clock::now() - start);
            p.keep_alive_note = "from the handshake request to the first Ping on an idle connection";
            break;
        }
        if (std::holds_alternative<raw_timeout>(event)) {
            p.keep_alive_note =
                "no Ping within " + std::to_string(options.keep_alive_wait.count()) + " ms of an idle connection";
        } else if (const auto* closed = std::get_if<raw_closed>(&event)) {
            p.keep_alive_note = "not measured: the connection ended before a Ping (" + closed->how + ")";
        } else {
            p.keep_alive_note = "not measured: the server sent something unreadable";
        }
        break;
    }
    actor->close();
}

/// Delay(1000) then Echo on one connection: a target that runs one invocation at a time
/// (MaximumParallelInvocationsPerClient = 1, MSG-102) completes the Delay first.
void detect_parallel_invocations(const std::string& hub_url, target_probe& p, const probe_options& options) {
    transcript log;
    protocol_probe reply;
    auto actor = open_connection(hub_url, p, protocol::json_protocol(), options, log, reply);
    if (!actor) {
        p.parallel_note = "not detected: " + reply.detail;
        return;
    }
    const auto& hp = protocol::json_protocol();
    actor->send(hp.encode(protocol::invocation_message{{}, "1", "Delay", {protocol::value{std::int64_t{1000}}}, {}}));
    actor->send(hp.encode(protocol::invocation_message{{}, "2", "Echo", {protocol::value{std::int64_t{2}}}, {}}));
    const auto deadline = clock::now() + options.timeout + milliseconds(1'000);
    for (;;) {
        const auto event = actor->next(deadline);
        const auto* message = std::get_if<protocol::hub_message>(&event);
        if (!message) {
            p.parallel_note = "not detected: no Completion for Delay or Echo in time";
            break;
        }
        const auto* done = std::get_if<protocol::completion_message>(message);
        if (!done) continue;
        if (done->error) {
            p.parallel_note = "not detected: the hub has no usable " +
                              std::string(done->invocation_id == "1" ? "Delay" : "Echo") + " (" + *done->error + ")";
            break;
        }
        p.parallel_invocations = done->invocation_id == "2";
        p.parallel_note = *p.parallel_invocations ? "an Echo sent after a Delay(1000) completed first"
                                                  : "a Delay(1000) completed before the Echo sent after it";
        break;
    }
    actor->close();
}

} // namespace

const protocol::negotiate_response* target_probe::negotiate() const {
    if (v1.parsed) return &*v1.parsed;
    if (v0.parsed) return &*v0.parsed;
    return nullptr;
}

const transport_offer* target_probe::offer(protocol::transport_type t) const {
    for (const auto& o : transports)
        if (o.type == t) return &o;
    return nullptr;
}

const protocol_probe* target_probe::handshake(std::string_view name) const {
    for (const auto& reply : protocols)
        if (reply.name == name) return &reply;
    return nullptr;
}

std::chrono::milliseconds configured_keep_alive(std::chrono::milliseconds measured) {
    if (measured < std::chrono::milliseconds(1'500)) return measured;
    // From the request, a Ping comes early only by a server that counts from the transport's
    // connect (hubspec-server: a few ms); 15970 ms from ASP.NET Core is 15 s plus a late tick.
    return std::chrono::milliseconds((measured.count() + 20) / 1000 * 1000);
}

target_probe probe_target(const std::string& hub_url, const probe_options& options) {
    target_probe p;
    p.url = hub_url;
    p.v1 = negotiate_once(hub_url, 1, false, options, &p.server_header);
    if (!p.v1.answered) return p;
    p.v0 = negotiate_once(hub_url, 0, false, options, &p.server_header);
    p.auth_required = p.v1.status == 401;
    if (const auto* n = p.negotiate())
        for (const auto& entry : n->available_transports)
            p.transports.push_back(check_offer(entry));
    if (p.v1.parsed) {
        const auto asked = negotiate_once(hub_url, 1, true, options, nullptr);
        if (asked.parsed) p.stateful_reconnect = asked.parsed->use_stateful_reconnect;
    }
    if (!p.negotiate()) return p;

    std::future<void> keep_alive;
    if (options.keep_alive)
        keep_alive = std::async(std::launch::async, [&] { measure_keep_alive(hub_url, p, options); });
    if (options.handshakes) {
        for (const auto* hp : {&protocol::json_protocol(), &protocol::messagepack_protocol()}) {
            transcript log;
            protocol_probe reply;
            if (auto actor = open_connection(hub_url, p, *hp, options, log, reply)) actor->close();
            p.protocols.push_back(std::move(reply));
        }
    }
    if (options.invocations) detect_parallel_invocations(hub_url, p, options);
    if (keep_alive.valid()) keep_alive.get();
    return p;
}

} // namespace hubspec::harness::detail
