#pragma once
// One HTTP/1.1 request and its whole response over a fresh connection (TLS for https://):
// the harness's raw-wire HTTP. Beast stays in the .cpp.

#include <hubspec/client/tls_options.hpp>
#include <hubspec/protocol/url.hpp>

#include <chrono>
#include <string>
#include <utility>
#include <vector>

namespace hubspec::client::detail {
enum class http_step; // http_request.hpp, the client's HTTP helper: what failed
} // namespace hubspec::client::detail

namespace hubspec::harness::detail {

using header_list = std::vector<std::pair<std::string, std::string>>;

struct http_response {
    int status = 0;
    std::string reason;
    header_list headers;
    std::string body;
    /// The header's value (first, case-insensitive name), or empty.
    std::string header(std::string_view name) const;
    bool has_header(std::string_view name) const;
};

/// `url` parsed for the raw-wire steps; runtime_error unless it is http(s) or ws(s).
protocol::http_url raw_http_url(const std::string& url);

/// What a raw request named `request` ("poll", "GET") failed at, for the transcript:
/// "cannot resolve H", "cannot connect to H:P", "the TLS handshake with H:P failed", "sending the poll failed",
/// "reading the poll's response failed".
std::string describe_failed_step(const protocol::http_url& url, client::detail::http_step step,
                                 const std::string& request);

/// Throws std::runtime_error naming what failed (connect refused, certificate refused, timeout,
/// bad response). `tls` checks the certificate of an https:// URL.
http_response http_exchange(const std::string& method, const std::string& url, const header_list& headers,
                            const std::string& body, std::chrono::milliseconds timeout, const client::tls_options& tls);

} // namespace hubspec::harness::detail
