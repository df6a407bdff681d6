// raw_connect: negotiate (NEG-*), open the chosen transport, send the handshake (HS-001).

#include "engine/payload_text.hpp"
#include "engine/raw_transports.hpp"

#include "cookie_jar.hpp" // the client's (harness -> reference client)

#include <hubspec/protocol/handshake.hpp>
#include <hubspec/protocol/negotiate.hpp>
#include <hubspec/protocol/url.hpp>

#include <stdexcept>

namespace hubspec::harness::detail {
namespace {

/// Appends query text as written ("a=1&b=2"), with '?' or '&' as the URL needs.
std::string with_query_text(std::string url, std::string_view text) {
    while (!text.empty() && (text.front() == '?' || text.front() == '&'))
        text.remove_prefix(1);
    if (text.empty()) return url;
    const auto query = url.find('?');
    if (query == std::string::npos)
        url += '?';
    else if (query + 1 != url.size() && url.back() != '&')
        url += '&';
    url += text;
    return url;
}

std::string body_excerpt(const std::string& body) {
    if (body.size() <= 200) return body;
    std::string excerpt;
    excerpt.reserve(203); // also keeps GCC 12 from a false -Warray-bounds on the appends
    excerpt.append(body, 0, 200).append(3, '.');
    return excerpt;
}

} // namespace

std::string describe_status(int status, const std::string& reason, const std::string& body) {
    std::string out = std::to_string(status);
    if (!reason.empty()) out += std::string(" ") + reason;
    if (!body.empty()) out += std::string(": ") + body_excerpt(body);
    return out;
}

void post_raw_send(transcript& log, const std::string& actor, const protocol::hub_protocol& protocol,
                   const raw_transport_settings& settings, const std::string& bytes, bool logged) {
    if (logged)
        log.add(transcript_direction::sent, actor, "http-request",
                std::string("POST ") + settings.url + std::string(" ") + describe_payload(bytes, protocol), bytes);
    auto headers = settings.headers;
    // The TS client's content types: binary bodies for MessagePack (LP-021), text otherwise.
    headers.emplace_back("Content-Type", protocol.format() == protocol::transfer_format::binary
                                             ? "application/octet-stream"
                                             : "text/plain;charset=UTF-8");
    try {
        const auto response = http_exchange("POST", settings.url, headers, bytes, settings.timeout, settings.tls);
        if (logged)
            log.add(transcript_direction::received, actor, "http-response",
                    describe_status(response.status, response.reason, response.body), response.body);
        if (response.status != 200)
            log.add(transcript_direction::note, actor, "send-refused",
                    std::string("the server refused the send: ") +
                        describe_status(response.status, response.reason, response.body));
    } catch (const std::exception& e) {
        log.add(transcript_direction::note, actor, "send-failed", e.what());
    }
}

std::unique_ptr<raw_actor> raw_connect(const std::string& name, const raw_connect_options& options,
                                       const protocol::hub_protocol& protocol, transcript& log) {
    raw_transport_settings settings;
    settings.url = with_query_text(options.url, options.extra_query);
    settings.headers = options.headers;
    settings.tls = options.tls;
    settings.timeout = options.timeout;
    settings.handshake = options.expect_handshake_reply;

    std::string connection_id, connection_token;
    if (!options.resume_token.empty()) {
        connection_token = options.resume_token;
        settings.url = protocol::append_query_parameter(settings.url, "id", connection_token);
    } else if (options.negotiate) {
        // The requested version goes in first so that negotiate_url keeps it (NEG-003).
        auto url = protocol::negotiate_url(
            with_query_text(protocol::append_query_parameter(options.url, "negotiateVersion",
                                                             std::to_string(options.negotiate_version)),
                            options.extra_query),
            false);
        log.add(transcript_direction::sent, name, "http-request", std::string("POST ") + url);
        http_response response;
        try {
            response = http_exchange("POST", url, options.headers, "", options.timeout, options.tls);
        } catch (const std::exception& e) {
            throw std::runtime_error(std::string("negotiate failed: ") + e.what());
        }
        log.add(transcript_direction::received, name, "http-response",
                describe_status(response.status, response.reason, response.body), response.body);
        // A status is the server's answer, kept for scenarios that expect one (NEG-037).
        if (response.status != 200)
            throw raw_refused(response.status, std::string("negotiate answered ") +
                                                   describe_status(response.status, response.reason, response.body));
        auto parsed = protocol::parse_negotiate_response(response.body);
        if (!parsed)
            throw raw_negotiate_unusable(std::string(parsed.error().requirement),
                                         std::string("the negotiate response is not usable (") +
                                             parsed.error().to_string() + std::string("): ") +
                                             body_excerpt(response.body));
        if (parsed->error)
            throw std::runtime_error(std::string("negotiate answered with the error: ") + *parsed->error);
        const auto id = parsed->transport_id(); // token from version 1 on, else the id (NEG-020, NEG-021)
        if (!id)
            throw raw_negotiate_unusable("NEG-010", std::string("the negotiate response has no connection id: ") +
                                                        body_excerpt(response.body));
        connection_id = parsed->connection_id.value_or("");
        connection_token = *id;
        settings.url = protocol::append_query_parameter(settings.url, "id", *id);
        // Cookies negotiate set (a load balancer's affinity) go with the transport's requests, as with clients.
        client::detail::cookie_jar cookies;
        cookies.take(response.headers);
        cookies.add_to(settings.headers);
    }

    std::unique_ptr<raw_actor> actor;
    switch (options.transport) {
    case protocol::transport_type::websockets: actor = open_raw_websocket(name, settings, protocol, log); break;
    case protocol::transport_type::server_sent_events: actor = open_raw_sse(name, settings, protocol, log); break;
    case protocol::transport_type::long_polling: actor = open_raw_long_polling(name, settings, protocol, log); break;
    }
    if (!actor) throw std::runtime_error("unknown transport");
    actor->connection_id = std::move(connection_id);
    actor->connection_token = std::move(connection_token);
    if (options.handshake)
        actor->send(protocol::write_handshake_request({std::string(protocol.name()), 1})); // HS-001, HS-002
    return actor;
}

} // namespace hubspec::harness::detail
