#pragma once
// HTTP requests and replies as plain data: what the Beast adapter hands the
// endpoint router and what it writes back.

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace hubspec::server::detail {

using header_list = std::vector<std::pair<std::string, std::string>>;

struct http_request {
    http_request() = default;
    http_request(std::string verb, std::string path_and_query, header_list fields = {}, bool upgrade = false,
                 std::string content = {})
        : method(std::move(verb)), target(std::move(path_and_query)), headers(std::move(fields)),
          websocket_upgrade(upgrade), body(std::move(content)) {}

    std::string method; // "GET", "POST", …
    std::string target; // path and query
    header_list headers;
    bool websocket_upgrade = false;
    std::string body;    // POST sends (LP-013)
    bool secure = false; // came over TLS: URLs the server hands out say https

    std::optional<std::string> header(std::string_view name) const;
};

struct http_reply {
    http_reply() = default;
    http_reply(unsigned status_code, std::string type, std::string text = {}, header_list extra = {})
        : status(status_code), content_type(std::move(type)), body(std::move(text)), headers(std::move(extra)) {}

    /// No reply at all: the adapter closes the TCP connection (the control API's drop).
    static http_reply drop_connection() { return http_reply{0, {}}; }
    bool drops_connection() const noexcept { return status == 0; }

    unsigned status = 200;
    std::string content_type = "text/plain";
    std::string body;
    header_list headers; // beyond Content-Type and Content-Length (LP-002)
};

} // namespace hubspec::server::detail
