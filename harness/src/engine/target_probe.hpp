#pragma once
// What an endpoint offers and how it is configured, learned from the wire in a few
// seconds: negotiate (versions 0 and 1), the transports and formats it lists, stateful
// reconnect, authorization, the hub protocols its handshake accepts, the keep-alive
// interval it keeps, and whether it runs a connection's invocations one at a time.
// `hubspec probe` prints it; `hubspec run` reads the configuration from it.

#include "engine/http_exchange.hpp"

#include <hubspec/protocol/negotiate.hpp>

#include <chrono>
#include <optional>
#include <string>
#include <vector>

namespace hubspec::harness::detail {

/// One POST /negotiate and what came of it.
struct negotiate_probe {
    int version_asked = 1;
    bool answered = false; // an HTTP response came (any status)
    std::string failure;   // why not, when it did not
    int status = 0;
    std::string body;
    std::string www_authenticate; // why a 401 refused, where the server says (RFC 6750 error_description)
    std::optional<protocol::negotiate_response> parsed;
    std::string problem;             // why the body is unusable (with its requirement), when it is
    std::string problem_requirement; // "NEG-010"
};

/// One `availableTransports` entry, checked against NEG-013 and NEG-014.
struct transport_offer {
    std::string name; // as the server wrote it
    std::vector<std::string> formats;
    std::optional<protocol::transport_type> type; // the transport meant, even when misspelt in case
    std::string defect;                           // what is wrong with the entry, empty when nothing
    std::string defect_requirement;               // "NEG-013", "NEG-014"
};

struct protocol_probe {
    std::string name;                                       // "json", "messagepack"
    bool accepted = false;                                  // the handshake answered `{}`
    std::string detail;                                     // the handshake's error, or what went wrong
    std::string refusal;                                    // the handshake's error text, when it answered one
    std::chrono::steady_clock::time_point handshake_sent{}; // when the handshake request went out
};

struct target_probe {
    std::string url;
    negotiate_probe v1, v0;
    std::string server_header;
    bool auth_required = false; // negotiate answered 401
    std::vector<transport_offer> transports;
    std::optional<bool> stateful_reconnect; // offered when asked (NEG-026); unknown without a usable negotiate
    std::vector<protocol_probe> protocols;
    std::optional<std::chrono::milliseconds> keep_alive; // from the handshake to the first Ping, on an idle connection
    std::string keep_alive_note;                         // how it was measured, or why not
    std::optional<bool> parallel_invocations;            // a Delay outrun by an Echo on one connection
    std::string parallel_note;

    /// Negotiate got an HTTP answer other than 404: something SignalR-like is there.
    bool answers() const { return v1.answered && v1.status != 404; }
    /// The usable negotiate reply, version 1 first.
    const protocol::negotiate_response* negotiate() const;
    /// The offer of `t`, spelt right or not; nullptr when not listed.
    const transport_offer* offer(protocol::transport_type t) const;
    /// What the handshake asking for hub protocol `name` got; nullptr when not tried.
    const protocol_probe* handshake(std::string_view name) const;
};

struct probe_options {
    header_list headers;                               // e.g. Authorization
    client::tls_options tls;                           // https:// targets: --ca-file, --insecure
    std::chrono::milliseconds timeout{5'000};          // each request, each connection
    bool handshakes = true;                            // try json and messagepack
    bool keep_alive = true;                            // measure the keep-alive interval
    std::chrono::milliseconds keep_alive_wait{20'000}; // at most this long for the first Ping
    bool invocations = true;                           // Delay then Echo on one connection (the contract's methods)
};

/// The keep-alive interval a target is configured with, from its first Ping measured from the
/// handshake request: targets tick once a second, so a Ping comes up to a second after the
/// interval, and at most a few milliseconds before it; short measured intervals are taken as they are.
std::chrono::milliseconds configured_keep_alive(std::chrono::milliseconds measured);

/// Probes `hub_url`; never throws for what the target does (that is in the result).
target_probe probe_target(const std::string& hub_url, const probe_options& options);

} // namespace hubspec::harness::detail
