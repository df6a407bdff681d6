#pragma once
// The client end of one HTTP/1.1 connection: resolve, connect, write a request. Written
// once for the client's transports and the harness's raw steps, on any AsyncStream, so
// that TLS becomes a stream type. A Beast header: included by .cpp files that use Beast.

#include "http_request.hpp"

#include <hubspec/protocol/url.hpp>

#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>

#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

namespace hubspec::client::detail {

using http_request_message = boost::beast::http::request<boost::beast::http::string_body>;

/// Method, target, Host, `user_agent`, then `headers` in order; a body length is stated
/// when there is a body, and for POST and PUT.
http_request_message make_http_request(std::string_view method, const protocol::http_url& url,
                                       std::string_view user_agent, const header_list& headers, std::string body);

/// A step's error as callers see it; beast::error::timeout is `timed_out`.
http_failure failure_of(http_step step, boost::beast::error_code ec);

/// Resolves `url`'s host and connects `stream` within `timeout`, which stays set for what
/// follows. `connected` gets the step that failed and its error; no error: connected.
void async_resolve_connect(boost::asio::ip::tcp::resolver& resolver, boost::beast::tcp_stream& stream,
                           const protocol::http_url& url, std::chrono::milliseconds timeout,
                           std::function<void(http_step step, boost::beast::error_code ec)> connected);

template <class AsyncStream>
class basic_http_connection {
public:
    using sent_handler = std::function<void(std::optional<http_failure> failure)>;

    explicit basic_http_connection(boost::asio::io_context& io);

    /// Resolves `url`'s host, connects and writes `request` (kept alive by the caller until
    /// `sent` runs). The deadline `timeout` covers connect and write and stays set for the
    /// reads that follow, until the caller calls stream().expires_never().
    void async_send(const protocol::http_url& url, const http_request_message& request,
                    std::chrono::milliseconds timeout, sent_handler sent);

    /// Pending steps complete with operation_aborted.
    void cancel();
    /// A polite end after a whole response; errors are ignored.
    void shutdown();
    /// Closes the socket; pending steps complete with an error.
    void close();

    AsyncStream& stream() noexcept { return stream_; }
    boost::beast::flat_buffer& buffer() noexcept { return buffer_; }

private:
    boost::asio::ip::tcp::resolver resolver_;
    AsyncStream stream_;
    boost::beast::flat_buffer buffer_;
};

// Instantiated once, in http_connection.cpp.
extern template class basic_http_connection<boost::beast::tcp_stream>;

using http_connection = basic_http_connection<boost::beast::tcp_stream>;

} // namespace hubspec::client::detail
