#include "engine/http_exchange.hpp"

#include "http_request.hpp" // the client's HTTP helper (harness -> reference client)

#include <hubspec/protocol/detail/helpers.hpp>

#include <boost/asio/io_context.hpp>

#include <optional>
#include <stdexcept>
#include <utility>

namespace hubspec::harness::detail {

namespace asio = boost::asio;

std::string http_response::header(std::string_view name) const {
    for (const auto& [key, value] : headers)
        if (protocol::detail::iequals(key, name)) return value;
    return {};
}

bool http_response::has_header(std::string_view name) const {
    for (const auto& [key, value] : headers)
        if (protocol::detail::iequals(key, name)) return true;
    return false;
}

protocol::http_url raw_http_url(const std::string& url) {
    auto parts = protocol::parse_http_url(url);
    if (!parts) throw std::runtime_error("not an http URL: " + url);
    return std::move(*parts);
}

std::string describe_failed_step(const protocol::http_url& url, client::detail::http_step step,
                                 const std::string& request) {
    using client::detail::http_step;
    switch (step) {
    case http_step::resolve: return "cannot resolve " + url.host;
    case http_step::connect: return "cannot connect to " + url.host_header();
    case http_step::tls: return "the TLS handshake with " + url.host_header() + " failed";
    case http_step::write: return "sending the " + request + " failed";
    case http_step::read: break;
    }
    return "reading the " + request + "'s response failed";
}

http_response http_exchange(const std::string& method, const std::string& url, const header_list& headers,
                            const std::string& body, std::chrono::milliseconds timeout,
                            const client::tls_options& tls) {
    const auto parts = raw_http_url(url);

    // A private io_context run for at most `timeout`: a synchronous call with a deadline.
    asio::io_context io;
    std::optional<std::string> failure;
    std::optional<client::detail::http_response> reply;
    bool settled = false;
    const auto late = "no complete response within " + std::to_string(timeout.count()) + " ms";
    auto operation = client::detail::async_http_exchange(
        io, {method, parts, headers, body, "hubspec", tls}, timeout,
        [&](std::optional<client::detail::http_failure> failed, client::detail::http_response response) {
            if (std::exchange(settled, true)) return;
            if (!failed)
                reply = std::move(response);
            else
                failure = failed->timed_out
                              ? late
                              : describe_failed_step(parts, failed->step, "request") + ": " + failed->message;
        });
    io.run_for(timeout);
    if (!settled) {
        settled = true;
        failure = late;
        // Let the abandoned request end here, before the locals its handler names.
        operation->cancel();
        io.restart();
        io.run();
    }
    if (failure) throw std::runtime_error(method + " " + url + ": " + *failure);

    http_response out;
    out.status = static_cast<int>(reply->status);
    out.reason = std::move(reply->reason);
    out.headers = std::move(reply->headers);
    out.body = std::move(reply->body);
    return out;
}

} // namespace hubspec::harness::detail
