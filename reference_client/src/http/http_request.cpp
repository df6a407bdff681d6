#include "http_request.hpp"

#include "http_url.hpp"
#include "user_agent.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>

namespace hubspec::client::detail {

namespace asio = boost::asio;

namespace {
constexpr std::string_view http_request_canceled = "the request was canceled";

std::string describe_failure(const http_failure& failure) {
    if (failure.canceled) return std::string(http_request_canceled);
    if (failure.timed_out) return std::string(http_request_timed_out);
    if (failure.step == http_step::tls) return "TLS handshake failed: " + failure.message;
    return "HTTP " + std::string(step_name(failure.step)) + " failed: " + failure.message;
}
} // namespace

std::string_view step_name(http_step step) noexcept {
    switch (step) {
    case http_step::resolve: return "resolve";
    case http_step::connect: return "connect";
    case http_step::tls: return "TLS handshake";
    case http_step::write: return "write";
    case http_step::read: return "read";
    }
    return "request";
}

std::shared_ptr<http_operation>
async_http_request(asio::io_context& io, std::string method, const std::string& url, const header_list& headers,
                   const tls_options& tls, std::string body, std::chrono::milliseconds timeout, const tracer& trace,
                   std::function<void(std::optional<std::string>, http_response)> done) {
    if (trace) trace(trace_direction::outgoing, trace_kind::http_request, method + " " + url, body);
    auto parsed = parse_http_url(url);
    if (!parsed) {
        // Reported asynchronously like every other failure, so callers have one path.
        auto error = "invalid URL '" + url + "'";
        asio::post(io, [done = std::move(done), error, trace]() mutable {
            if (trace) trace(trace_direction::local, trace_kind::http_response, error);
            done(error, {});
        });
        struct no_operation final : http_operation {
            void cancel() override {}
        };
        return std::make_shared<no_operation>();
    }
    http_request_spec request{std::move(method), std::move(*parsed), headers, std::move(body), user_agent, tls};
    return async_http_exchange(
        io, std::move(request), timeout,
        [trace, done = std::move(done)](std::optional<http_failure> failure, http_response response) {
            std::optional<std::string> error;
            if (failure) error = describe_failure(*failure);
            if (trace) {
                if (error)
                    trace(trace_direction::local, trace_kind::http_response, *error);
                else
                    trace(trace_direction::incoming, trace_kind::http_response,
                          status_line(response.status, response.reason), response.body);
            }
            done(std::move(error), std::move(response));
        });
}

std::string status_line(unsigned status, std::string_view reason) {
    std::string line = std::to_string(status);
    if (!reason.empty()) line.append(" ").append(reason);
    return line;
}

namespace {
// A server's error body is named in the error, cut to keep one line readable.
std::string body_excerpt(std::string_view body) {
    constexpr std::size_t limit = 200;
    std::string out(body.substr(0, limit));
    for (auto& c : out)
        if (static_cast<unsigned char>(c) < 0x20) c = ' ';
    if (body.size() > limit) out += "...";
    return out;
}
} // namespace

std::string describe_http_failure(std::string_view what, const http_response& response) {
    std::string text = std::string(what) + " failed with HTTP status " + status_line(response.status, response.reason);
    if (response.status == 404) text += " (the server has no connection with this id)";
    if (!response.body.empty()) text += ": " + body_excerpt(response.body);
    return text;
}

} // namespace hubspec::client::detail
