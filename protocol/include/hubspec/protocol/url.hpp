#pragma once
// The few URL operations SignalR needs, as pure functions over strings.

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace hubspec::protocol {

using query_parameters = std::vector<std::pair<std::string, std::string>>;

/// Splits "a=1&b=x%20y" (with or without a leading '?') into decoded pairs.
query_parameters parse_query(std::string_view query);

/// The first value of `key`, compared ASCII-case-insensitively (NEG-004).
std::optional<std::string> find_query_parameter(const query_parameters& query, std::string_view key);

std::string percent_encode(std::string_view s); // RFC 3986 unreserved characters kept
std::string percent_decode(std::string_view s); // '+' is a space, as in form encoding

/// Adds `key=value` with '?' or '&' as the URL needs (NEG-035); a fragment stays last.
std::string append_query_parameter(std::string_view url, std::string_view key, std::string_view value);

/// `{base}/negotiate` with the base's query kept (NEG-002), `negotiateVersion=1`
/// unless the URL already names one (NEG-003), and `useStatefulReconnect=true`
/// when asked (NEG-025).
std::string negotiate_url(std::string_view base_url, bool stateful_reconnect);

/// http -> ws, https -> wss (WS-002); other schemes are returned unchanged.
std::string websocket_url(std::string_view http_url);

/// The parts of an http(s)/ws(s) URL that a socket and a request line need.
struct http_url {
    std::string scheme; // "http", "https", "ws", "wss"
    std::string host;   // without brackets for IPv6
    std::string port;   // explicit, or the scheme's default
    std::string target; // path and query, at least "/"

    bool secure() const noexcept { return scheme == "https" || scheme == "wss"; }
    /// `host:port` for the Host header (brackets back for IPv6).
    std::string host_header() const;
};

/// nullopt for anything that is not scheme://host[:port][/path][?query].
std::optional<http_url> parse_http_url(std::string_view url);

} // namespace hubspec::protocol
