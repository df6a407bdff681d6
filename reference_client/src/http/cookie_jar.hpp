#pragma once
// The cookies one connection was given (issue 12): a load balancer's affinity cookie set by the
// negotiate reply must come back on the transport's requests, or they land on another node.
// Microsoft's clients keep them the same way (the .NET client's CookieContainer, the JS
// client's cookie jar in Node). Name=value pairs only: a connection talks to one origin.

#include "http_request.hpp"

#include <string>
#include <utility>
#include <vector>

namespace hubspec::client::detail {

class cookie_jar {
public:
    /// Keeps each `Set-Cookie` of `response_headers`; one that expires now (`Max-Age=0`, or a past
    /// `Expires`) removes its name.
    void take(const header_list& response_headers);
    /// `name=value; name2=value2` for a `Cookie` header; empty when there are none.
    std::string header() const;
    bool empty() const noexcept { return cookies_.empty(); }
    /// Adds the cookies to `headers`: after the value of a `Cookie` header already there (the
    /// user's own), else as a new one; nothing when the jar is empty.
    void add_to(header_list& headers) const;

private:
    std::vector<std::pair<std::string, std::string>> cookies_; // in the order first set
};

} // namespace hubspec::client::detail
