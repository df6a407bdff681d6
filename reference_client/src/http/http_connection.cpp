#include "http_connection.hpp"

#include <boost/asio/ssl/stream_base.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include <memory>
#include <utility>

namespace hubspec::client::detail {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

http_request_message make_http_request(std::string_view method, const protocol::http_url& url,
                                       std::string_view user_agent, const header_list& headers, std::string body) {
    http_request_message request;
    request.method_string(method);
    request.target(url.target);
    request.version(11);
    request.set(http::field::host, url.host_header());
    request.set(http::field::user_agent, user_agent);
    for (const auto& [name, value] : headers)
        request.set(name, value);
    if (!body.empty() || method == "POST" || method == "PUT") {
        request.body() = std::move(body);
        request.prepare_payload();
    }
    return request;
}

http_failure failure_of(http_step step, beast::error_code ec) {
    return http_failure{step, ec.message(), ec == beast::error::timeout, false};
}

void async_resolve_connect(tcp::resolver& resolver, net::http_stream& stream, const protocol::http_url& url,
                           const tls_options& tls, std::chrono::milliseconds timeout,
                           std::function<void(std::optional<http_failure>)> connected) {
    auto& tcp_stream = beast::get_lowest_layer(stream);
    tcp_stream.expires_after(timeout);
    resolver.async_resolve(
        url.host, url.port,
        [&stream, url, tls, connected = std::move(connected)](beast::error_code ec,
                                                              const tcp::resolver::results_type& results) {
            if (ec) return connected(failure_of(http_step::resolve, ec));
            beast::get_lowest_layer(stream).async_connect(
                results, [&stream, url, tls, connected](beast::error_code ec2, const tcp::endpoint&) {
                    if (ec2) return connected(failure_of(http_step::connect, ec2));
                    beast::error_code ignored; // sends go out now, not after the peer's delayed ACK
                    beast::get_lowest_layer(stream).socket().set_option(tcp::no_delay(true), ignored);
                    if (!url.secure()) return connected(std::nullopt);
                    try {
                        net::start_client_tls(stream, *net::client_tls_context(tls.ca_file, tls.insecure), url.host,
                                              tls.insecure);
                    } catch (const std::exception& e) {
                        return connected(http_failure{http_step::tls, e.what(), false, false});
                    }
                    stream.tls().async_handshake(asio::ssl::stream_base::client,
                                                 [&stream, connected](beast::error_code ec3) {
                                                     if (!ec3) return connected(std::nullopt);
                                                     auto failure = failure_of(http_step::tls, ec3);
                                                     if (ec3 != beast::error::timeout)
                                                         failure.message = net::describe_tls_failure(stream, ec3);
                                                     connected(std::move(failure));
                                                 });
                });
        });
}

http_connection::http_connection(asio::io_context& io) : resolver_(io), stream_(io) {}

void http_connection::async_send(const protocol::http_url& url, const tls_options& tls,
                                 const http_request_message& request, std::chrono::milliseconds timeout,
                                 sent_handler sent) {
    async_resolve_connect(resolver_, stream_, url, tls, timeout,
                          [this, &request, sent = std::move(sent)](std::optional<http_failure> failure) {
                              if (failure) return sent(std::move(failure));
                              http::async_write(stream_, request, [sent](beast::error_code ec, std::size_t) {
                                  if (ec) return sent(failure_of(http_step::write, ec));
                                  sent(std::nullopt);
                              });
                          });
}

void http_connection::cancel() {
    resolver_.cancel();
    beast::get_lowest_layer(stream_).cancel();
}

void http_connection::shutdown() {
    beast::error_code ignored;
    beast::get_lowest_layer(stream_).socket().shutdown(tcp::socket::shutdown_both, ignored);
}

void http_connection::close() {
    resolver_.cancel();
    beast::error_code ignored;
    beast::get_lowest_layer(stream_).socket().close(ignored);
}

namespace {

/// One request and its whole response on its own connection.
class http_exchange_operation final : public http_operation,
                                      public std::enable_shared_from_this<http_exchange_operation> {
public:
    using callback = std::function<void(std::optional<http_failure>, http_response)>;

    http_exchange_operation(asio::io_context& io, callback done) : connection_(io), done_(std::move(done)) {}

    void run(http_request_spec spec, std::chrono::milliseconds timeout) {
        url_ = std::move(spec.url);
        request_ = make_http_request(spec.method, url_, spec.user_agent, spec.headers, std::move(spec.body));
        parser_.body_limit(64 * 1024 * 1024);
        connection_.async_send(url_, spec.tls, request_, timeout, [self = this->shared_from_this()](auto failure) {
            if (failure) return self->fail(std::move(*failure));
            http::async_read(self->connection_.stream(), self->connection_.buffer(), self->parser_,
                             [self](beast::error_code ec, std::size_t) {
                                 if (ec) return self->fail(failure_of(http_step::read, ec));
                                 self->on_response();
                             });
        });
    }

    void cancel() override {
        // Runs on the io thread (callers post); the pending step completes with operation_aborted.
        canceled_ = true;
        connection_.cancel();
    }

private:
    void on_response() {
        auto& res = parser_.get();
        http_response out{res.result_int(), std::string(res.reason()), std::move(res.body()), {}};
        for (const auto& field : res)
            out.headers.emplace_back(std::string(field.name_string()), std::string(field.value()));
        connection_.shutdown();
        finish(std::nullopt, std::move(out));
    }
    void fail(http_failure failure) {
        failure.canceled = canceled_;
        finish(std::move(failure), {});
    }
    void finish(std::optional<http_failure> failure, http_response response) {
        if (!done_) return;
        auto done = std::exchange(done_, nullptr);
        done(std::move(failure), std::move(response));
    }

    http_connection connection_;
    protocol::http_url url_;
    http_request_message request_;
    http::response_parser<http::string_body> parser_;
    callback done_;
    bool canceled_ = false;
};

} // namespace

std::shared_ptr<http_operation>
async_http_exchange(asio::io_context& io, http_request_spec request, std::chrono::milliseconds timeout,
                    std::function<void(std::optional<http_failure>, http_response)> done) {
    auto op = std::make_shared<http_exchange_operation>(io, std::move(done));
    op->run(std::move(request), timeout);
    return op;
}

} // namespace hubspec::client::detail
