#include "engine/http_exchange.hpp"

#include <hubspec/protocol/url.hpp>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include <optional>
#include <stdexcept>
#include <strings.h>

namespace hubspec::harness::detail {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

std::string http_response::header(std::string_view name) const {
    for (const auto& [key, value] : headers)
        if (key.size() == name.size() && strncasecmp(key.data(), name.data(), name.size()) == 0) return value;
    return {};
}

bool http_response::has_header(std::string_view name) const {
    for (const auto& [key, value] : headers)
        if (key.size() == name.size() && strncasecmp(key.data(), name.data(), name.size()) == 0) return true;
    return false;
}

http_response http_exchange(const std::string& method, const std::string& url, const header_list& headers,
                            const std::string& body, std::chrono::milliseconds timeout) {
    const auto parts = protocol::parse_http_url(url);
    if (!parts) throw std::runtime_error("not an http URL: " + url);
    if (parts->secure()) throw std::runtime_error("https is not supported by the raw-wire steps: " + url);

    http::request<http::string_body> request;
    request.method_string(method);
    request.target(parts->target);
    request.version(11);
    request.set(http::field::host, parts->host_header());
    request.set(http::field::user_agent, "hubspec");
    for (const auto& [name, value] : headers)
        request.set(name, value);
    if (!body.empty() || method == "POST" || method == "PUT") {
        request.body() = body;
        request.prepare_payload();
    }

    // A private io_context run for at most `timeout`: a synchronous call with a deadline.
    asio::io_context io;
    tcp::resolver resolver(io);
    beast::tcp_stream stream(io);
    beast::flat_buffer buffer;
    http::response_parser<http::string_body> parser;
    parser.body_limit(64 * 1024 * 1024);
    std::optional<std::string> failure;
    bool done = false;

    resolver.async_resolve(parts->host, parts->port, [&](beast::error_code ec, tcp::resolver::results_type results) {
        if (ec) return void(failure = "cannot resolve " + parts->host + ": " + ec.message());
        stream.async_connect(results, [&](beast::error_code ec2, const tcp::endpoint&) {
            if (ec2) return void(failure = "cannot connect to " + parts->host_header() + ": " + ec2.message());
            http::async_write(stream, request, [&](beast::error_code ec3, std::size_t) {
                if (ec3) return void(failure = "sending the request failed: " + ec3.message());
                http::async_read(stream, buffer, parser, [&](beast::error_code ec4, std::size_t) {
                    if (ec4) return void(failure = "reading the response failed: " + ec4.message());
                    done = true;
                });
            });
        });
    });
    io.run_for(timeout);
    if (!done && !failure) failure = "no complete response within " + std::to_string(timeout.count()) + " ms";
    beast::error_code ignored;
    stream.socket().shutdown(tcp::socket::shutdown_both, ignored);
    if (failure) throw std::runtime_error(method + " " + url + ": " + *failure);

    auto& res = parser.get();
    http_response out;
    out.status = static_cast<int>(res.result_int());
    out.reason = std::string(res.reason());
    for (const auto& field : res)
        out.headers.emplace_back(std::string(field.name_string()), std::string(field.value()));
    out.body = std::move(res.body());
    return out;
}

} // namespace hubspec::harness::detail
