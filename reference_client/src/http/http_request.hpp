#pragma once
// One HTTP/1.1 request on its own TCP (or TLS) connection (negotiate, long polls, the
// POSTs and DELETE of SSE and long polling), for the client and the harness's raw
// steps. Beast stays in the .cpp (http_connection.hpp for Beast code); callers see strings.

#include "tracer.hpp"

#include <hubspec/client/tls_options.hpp>

#include <hubspec/protocol/url.hpp>

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace boost::asio {
class io_context;
}

namespace hubspec::client::detail {

using header_list = std::vector<std::pair<std::string, std::string>>;

struct http_response {
    // A constructor, so that `{status, reason, body}` needs no headers.
    http_response(unsigned status_ = 0, std::string reason_ = {}, std::string body_ = {}, header_list headers_ = {})
        : status(status_), reason(std::move(reason_)), body(std::move(body_)), headers(std::move(headers_)) {}

    unsigned status;
    std::string reason;
    std::string body;
    header_list headers; // as received, in order
};

/// The error text callers act on: a long poll that timed out is simply re-issued (LP-010).
inline constexpr std::string_view http_request_timed_out = "the HTTP request timed out";

/// A request in flight; cancel() ends it with an error at once.
class http_operation {
public:
    virtual ~http_operation() = default;
    virtual void cancel() = 0;
};

/// Where a request failed, so that each caller words the error its own way.
enum class http_step { resolve, connect, tls, write, read };

struct http_failure {
    http_step step = http_step::connect;
    std::string message; // the system's text
    bool timed_out = false;
    bool canceled = false; // by http_operation::cancel
};

/// "resolve", "connect", "TLS handshake", "write", "read".
std::string_view step_name(http_step step) noexcept;

struct http_request_spec {
    std::string method;
    protocol::http_url url;
    header_list headers; // after Host and User-Agent, in order
    std::string body;
    std::string_view user_agent;
    tls_options tls; // for https:// URLs
};

/// The request on a fresh TCP connection, resolve to whole response (64 MiB at most),
/// the connect, write and read within `timeout`. `done` runs once, on `io`'s thread.
std::shared_ptr<http_operation>
async_http_exchange(boost::asio::io_context& io, http_request_spec request, std::chrono::milliseconds timeout,
                    std::function<void(std::optional<http_failure> failure, http_response response)> done);

/// Sends `method url` with `headers` and `body`; `done` gets an error text (the
/// request could not be made or timed out) or the response, on the io_context's thread.
/// The request and its response (or error) go to `trace`.
std::shared_ptr<http_operation>
async_http_request(boost::asio::io_context& io, std::string method, const std::string& url, const header_list& headers,
                   const tls_options& tls, std::string body, std::chrono::milliseconds timeout, const tracer& trace,
                   std::function<void(std::optional<std::string> error, http_response response)> done);

/// "200 OK", as traces show a status line.
std::string status_line(unsigned status, std::string_view reason);

/// "`what` failed with HTTP status 404 Not Found (…): <the start of the body>", naming what the server said.
std::string describe_http_failure(std::string_view what, const http_response& response);

} // namespace hubspec::client::detail
