#pragma once
// Negotiate (`POST {base}/negotiate`): the server's decision and the byte-exact
// response writer, and the client's tolerant parser (NEG-*).

#include "hubspec/protocol/error.hpp"
#include "hubspec/protocol/hub_protocol.hpp"
#include "hubspec/protocol/url.hpp"

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace hubspec::protocol {

enum class transport_type { websockets = 1, server_sent_events = 2, long_polling = 4 };

/// "WebSockets", "ServerSentEvents", "LongPolling" (NEG-013).
std::string_view transport_name(transport_type t) noexcept;
std::optional<transport_type> parse_transport_name(std::string_view name) noexcept;
/// The lower-case names of options, scenarios and Python: "websockets", "serversentevents", "longpolling".
std::string_view transport_option_name(transport_type t) noexcept;
/// An option name, or a wire name (NEG-013) as scenarios may write either.
std::optional<transport_type> parse_transport_option(std::string_view text) noexcept;

/// What each transport can carry (NEG-014): SSE is text only.
std::vector<transfer_format> transfer_formats_of(transport_type t);

/// One `availableTransports` entry as received: kept as strings, because a
/// client must tolerate names and formats it does not know (NEG-016).
struct available_transport {
    std::string transport;
    std::vector<std::string> transfer_formats;
    bool operator==(const available_transport&) const = default;
};

struct negotiate_response {
    std::optional<std::string> error;    // NEG-005, NEG-006, NEG-017
    bool use_stateful_reconnect = false; // NEG-026
    std::optional<std::int64_t> negotiate_version;
    std::optional<std::string> url;          // redirect (NEG-018)
    std::optional<std::string> access_token; // redirect token (NEG-018)
    std::optional<std::string> connection_id;
    std::optional<std::string> connection_token; // version >= 1 only (NEG-010, NEG-011)
    std::vector<available_transport> available_transports;
    bool operator==(const negotiate_response&) const = default;

    /// The `id` value for transport requests: the token from version 1 on,
    /// the connection id for version 0 (NEG-020, NEG-021).
    std::optional<std::string> transport_id() const;
};

/// Compact JSON in ASP.NET Core's property order (NEG-015); an error response
/// holds `error` alone (NEG-008).
std::string write_negotiate_response(const negotiate_response& response);

/// Parses a negotiate body as a client must (NEG-016): any order, unknown
/// properties ignored. `error` is returned in the response; a `ProtocolVersion`
/// property is error::legacy_server (NEG-024).
result<negotiate_response> parse_negotiate_response(std::string_view body);

/// The query values negotiate depends on, as received.
struct negotiate_request {
    std::optional<std::string> negotiate_version;      // absent = version 0 (NEG-004)
    std::optional<std::string> use_stateful_reconnect; // NEG-026
};

/// Reads them from a query string, keys compared case-insensitively (NEG-004).
negotiate_request negotiate_request_from_query(std::string_view query);

/// How an endpoint negotiates (names follow ASP.NET Core's options).
struct negotiate_policy {
    std::int64_t minimum_protocol_version = 0; // MinimumProtocolVersion (NEG-006)
    std::vector<transport_type> transports{transport_type::websockets, transport_type::server_sent_events,
                                           transport_type::long_polling};
    bool allow_stateful_reconnects = false; // AllowStatefulReconnects (NEG-026)
};

/// Fresh identifiers for a negotiated connection (NEG-010, NEG-012); the
/// caller draws them, so the core stays free of randomness.
struct connection_ids {
    std::string connection_id;
    std::string connection_token;
};

/// The server's answer (NEG-004..NEG-015, NEG-026). With an error, no
/// connection should be created (NEG-005).
negotiate_response negotiate(const negotiate_request& request, const negotiate_policy& policy,
                             const connection_ids& ids);

/// 16 bytes as unpadded base64url, 22 characters (NEG-012).
std::string encode_connection_id(const unsigned char (&random_bytes)[16]);

} // namespace hubspec::protocol
