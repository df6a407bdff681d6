#pragma once
// The client end of one HTTP/1.1 connection: resolve, connect, TLS for https:// and wss://,
// write a request. Written once for the client's transports and the harness's raw steps,
// on net::http_stream (plain or TLS). A Beast header: included by .cpp files that use Beast.

#include "http_request.hpp"

#include <hubspec/net/http_stream.hpp>
#include <hubspec/protocol/url.hpp>

#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/beast/core/flat_buffer.hpp>
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
/// follows; for https:// and wss:// the TLS handshake too, checked as `tls` says (SNI, the
/// certificate names the host). `connected` gets the failure (resolve, connect or tls step,
/// with a message naming the problem) or nothing: connected.
void async_resolve_connect(boost::asio::ip::tcp::resolver& resolver, net::http_stream& stream,
                           const protocol::http_url& url, const tls_options& tls, std::chrono::milliseconds timeout,
                           std::function<void(std::optional<http_failure> failure)> connected);

class http_connection {
public:
    using sent_handler = std::function<void(std::optional<http_failure> failure)>;

    explicit http_connection(boost::asio::io_context& io);

    /// Resolves `url`'s host, connects (TLS as `tls` says for https://) and writes `request`
    /// (kept alive by the caller until `sent` runs). The deadline `timeout` covers connect and
    /// write and stays set for the reads that follow, until the caller calls
    /// beast::get_lowest_layer(stream()).expires_never().
    void async_send(const protocol::http_url& url, const tls_options& tls, const http_request_message& request,
                    std::chrono::milliseconds timeout, sent_handler sent);

    /// Pending steps complete with operation_aborted.
    void cancel();
    /// A polite end after a whole response; errors are ignored.
    void shutdown();
    /// Closes the socket; pending steps complete with an error.
    void close();

    net::http_stream& stream() noexcept { return stream_; }
    boost::beast::flat_buffer& buffer() noexcept { return buffer_; }

private:
    boost::asio::ip::tcp::resolver resolver_;
    net::http_stream stream_;
    boost::beast::flat_buffer buffer_;
};

} // namespace hubspec::client::detail
