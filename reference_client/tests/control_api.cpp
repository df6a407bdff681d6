#include "control_api.hpp"

#include "http/http_request.hpp"

#include <boost/asio/io_context.hpp>

#include <chrono>
#include <stdexcept>

namespace hubspec::client::test {

unsigned control_post(const peer_process& server, const std::string& path_and_query) {
    boost::asio::io_context io;
    detail::tracer untraced;
    std::optional<std::string> failure;
    unsigned status = 0;
    detail::async_http_request(io, "POST", server.url(path_and_query), {}, {}, {}, std::chrono::seconds(10), untraced,
                               [&](std::optional<std::string> error, detail::http_response response) {
                                   failure = std::move(error);
                                   status = response.status;
                               });
    io.run();
    if (failure) throw std::runtime_error("POST " + path_and_query + ": " + *failure);
    return status;
}

} // namespace hubspec::client::test
