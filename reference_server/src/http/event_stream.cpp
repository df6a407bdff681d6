#include "event_stream.hpp"

#include <cstdio>

namespace hubspec::server::detail {

header_list event_stream_headers() {
    return {{"Cache-Control", "no-cache,no-store"}, {"Pragma", "no-cache"}, {"Content-Encoding", "identity"}};
}

std::string event_stream_response_head(std::string_view content_type, const header_list& headers) {
    std::string head = "HTTP/1.1 200 OK\r\n"
                       "Server: hubspec-server\r\n"
                       "Content-Type: ";
    head.append(content_type).append("\r\n");
    for (const auto& [name, value] : headers)
        head += name + ": " + value + "\r\n";
    return head + "Transfer-Encoding: chunked\r\n\r\n";
}

std::string http_chunk(std::string_view payload) {
    if (payload.empty()) return {}; // an empty chunk would end the body
    char size[20];
    const int n = std::snprintf(size, sizeof size, "%zx\r\n", payload.size());
    std::string chunk(size, static_cast<std::size_t>(n));
    chunk.append(payload);
    chunk.append("\r\n");
    return chunk;
}

} // namespace hubspec::server::detail
