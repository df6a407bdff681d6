#include "http_request.hpp"

#include "http_url.hpp"
#include "user_agent.hpp"

#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

namespace hubspec::client::detail {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

namespace {

class beast_http_operation final : public http_operation, public std::enable_shared_from_this<beast_http_operation> {
public:
    using callback = std::function<void(std::optional<std::string>, http_response)>;

    beast_http_operation(asio::io_context& io, std::chrono::milliseconds timeout, tracer trace, callback done)
        : resolver_(io), stream_(io), timeout_(timeout), trace_(std::move(trace)), done_(std::move(done)) {}

    void run(http_url url, http::request<http::string_body> request) {
        url_ = std::move(url);
        request_ = std::move(request);
        stream_.expires_after(timeout_);
        resolver_.async_resolve(
            url_.host, url_.port,
            [self = shared_from_this()](beast::error_code ec, tcp::resolver::results_type results) {
                if (ec) return self->fail("resolve", ec);
                self->stream_.async_connect(results, [self](beast::error_code ec2, const tcp::endpoint&) {
                    if (ec2) return self->fail("connect", ec2);
                    http::async_write(self->stream_, self->request_, [self](beast::error_code ec3, std::size_t) {
                        if (ec3) return self->fail("write", ec3);
                        self->parser_.body_limit(64 * 1024 * 1024);
                        http::async_read(
                            self->stream_, self->buffer_, self->parser_, [self](beast::error_code ec4, std::size_t) {
                                if (ec4) return self->fail("read", ec4);
                                auto& res = self->parser_.get();
                                http_response out{res.result_int(), std::string(res.reason()), std::move(res.body())};
                                beast::error_code ignored;
                                self->stream_.socket().shutdown(tcp::socket::shutdown_both, ignored);
                                self->finish(std::nullopt, std::move(out));
                            });
                    });
                });
            });
    }

    void cancel() override {
        // Runs on the io thread (callers post); the pending step completes with operation_aborted.
        canceled_ = true;
        resolver_.cancel();
        stream_.cancel();
    }

private:
    void fail(const char* step, beast::error_code ec) {
        if (canceled_) return finish(std::string(http_request_canceled), {});
        if (ec == beast::error::timeout) return finish(std::string(http_request_timed_out), {});
        finish(std::string("HTTP ") + step + " failed: " + ec.message(), {});
    }
    void finish(std::optional<std::string> error, http_response response) {
        if (!done_) return;
        if (trace_) {
            if (error)
                trace_(trace_direction::local, trace_kind::http_response, *error);
            else
                trace_(trace_direction::incoming, trace_kind::http_response,
                       status_line(response.status, response.reason), response.body);
        }
        auto done = std::move(done_);
        done_ = nullptr;
        done(std::move(error), std::move(response));
    }

    tcp::resolver resolver_;
    beast::tcp_stream stream_;
    beast::flat_buffer buffer_;
    http::request<http::string_body> request_;
    http::response_parser<http::string_body> parser_;
    http_url url_;
    std::chrono::milliseconds timeout_;
    tracer trace_;
    callback done_;
    bool canceled_ = false;
};

} // namespace

std::shared_ptr<http_operation>
async_http_request(asio::io_context& io, std::string method, const std::string& url, const header_list& headers,
                   std::string body, std::chrono::milliseconds timeout, const tracer& trace,
                   std::function<void(std::optional<std::string>, http_response)> done) {
    if (trace) trace(trace_direction::outgoing, trace_kind::http_request, method + " " + url, body);
    auto parsed = parse_http_url(url);
    if (!parsed || parsed->secure()) {
        // Reported asynchronously like every other failure, so callers have one path.
        auto error = !parsed ? "invalid URL '" + url + "'" : std::string("https is not supported by this client yet");
        asio::post(io, [done = std::move(done), error, trace]() mutable {
            if (trace) trace(trace_direction::local, trace_kind::http_response, error);
            done(error, {});
        });
        struct no_operation final : http_operation {
            void cancel() override {}
        };
        return std::make_shared<no_operation>();
    }
    auto op = std::make_shared<beast_http_operation>(io, timeout, trace, std::move(done));
    http::request<http::string_body> request;
    request.method_string(method);
    request.target(parsed->target);
    request.version(11);
    request.set(http::field::host, parsed->host_header());
    request.set(http::field::user_agent, user_agent);
    for (const auto& [name, value] : headers)
        request.set(name, value);
    request.body() = std::move(body);
    request.prepare_payload();
    op->run(std::move(*parsed), std::move(request));
    return op;
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
