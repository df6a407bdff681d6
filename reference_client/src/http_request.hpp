#pragma once
// One HTTP/1.1 request on its own TCP connection (negotiate, and later the
// long-polling and SSE sends). Beast stays in the .cpp; callers see strings.

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace boost::asio {
class io_context;
}

namespace hubspec::client::detail {

using header_list = std::vector<std::pair<std::string, std::string>>;

struct http_response {
    unsigned status = 0;
    std::string reason;
    std::string body;
};

/// A request in flight; cancel() ends it with an error at once.
class http_operation {
public:
    virtual ~http_operation() = default;
    virtual void cancel() = 0;
};

/// Sends `method url` with `headers` and `body`; `done` gets an error text (the
/// request could not be made or timed out) or the response, on the io_context's thread.
std::shared_ptr<http_operation>
async_http_request(boost::asio::io_context& io, std::string method, const std::string& url, const header_list& headers,
                   std::string body, std::chrono::milliseconds timeout,
                   std::function<void(std::optional<std::string> error, http_response response)> done);

} // namespace hubspec::client::detail
