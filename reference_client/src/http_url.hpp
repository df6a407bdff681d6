#pragma once
// The parts of an http(s)/ws(s) URL that a socket and a request line need.

#include <optional>
#include <string>
#include <string_view>

namespace hubspec::client::detail {

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

} // namespace hubspec::client::detail
