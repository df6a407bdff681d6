#pragma once
// What a negotiate reply means for the client (NEG-016..024, NEG-027), as a pure
// decision; the connection makes the requests and follows redirects (NEG-018/019).

#include "http_request.hpp"

#include <hubspec/protocol/negotiate.hpp>

#include <optional>
#include <string>
#include <variant>

namespace hubspec::client::detail {

/// Redirects followed before giving up (NEG-019).
inline constexpr int max_negotiate_redirects = 100;

struct negotiate_failed {
    std::string error;
};
struct negotiate_redirect {
    std::string url;
    std::optional<std::string> access_token; // replaces the token for all later requests (NEG-018)
};
struct negotiate_accepted {
    protocol::negotiate_response response;
    std::string connection_id;
    std::string transport_id; // `id` for transport requests (NEG-020, NEG-021)
};

using negotiate_step = std::variant<negotiate_failed, negotiate_redirect, negotiate_accepted>;

negotiate_step interpret_negotiate(const http_response& response, bool stateful_requested);

} // namespace hubspec::client::detail
