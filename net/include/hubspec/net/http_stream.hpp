#pragma once
// One HTTP connection's byte stream, plain TCP or TLS over it, decided at run time: the
// client's transports, the harness's raw steps, the fault proxy and the server are written
// once against this type, so that `https://` is a setting, not a second copy of each of
// them (issue 12). A Beast header: included by .cpp files that use Beast.

#include <boost/asio/associated_executor.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/buffer.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/ssl/error.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/beast/core/role.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/websocket/ssl.hpp>
#include <boost/beast/websocket/teardown.hpp>

#include <cstddef>
#include <memory>
#include <string>
#include <utility>

namespace hubspec::net {

class http_stream {
public:
    using executor_type = boost::beast::tcp_stream::executor_type;
    using tls_layer = boost::asio::ssl::stream<boost::beast::tcp_stream>;

    explicit http_stream(boost::asio::io_context& io) : plain_(io) {}
    explicit http_stream(boost::beast::tcp_stream&& tcp) : plain_(std::move(tcp)) {}

    /// Moves the connected TCP stream under TLS; every read and write from here on is
    /// encrypted. Call once, before the handshake and with nothing pending.
    void use_tls(boost::asio::ssl::context& context) { tls_ = std::make_unique<tls_layer>(std::move(plain_), context); }
    bool secure() const noexcept { return tls_ != nullptr; }
    /// The TLS layer, for the handshake and its settings; secure() only.
    tls_layer& tls() noexcept { return *tls_; }

    /// The TCP stream under everything: its deadline, its socket (beast::get_lowest_layer finds it).
    boost::beast::tcp_stream& next_layer() noexcept { return tls_ ? tls_->next_layer() : plain_; }
    executor_type get_executor() noexcept { return next_layer().get_executor(); }

    /// Gives back bytes read past what the reader used (a WebSocket client's first frames, sent right
    /// behind its upgrade request): the next reads return them before anything from the connection.
    void unread(std::string bytes) {
        unread_ = std::move(bytes);
        unread_at_ = 0;
    }

    template <class MutableBuffers, class ReadToken>
    auto async_read_some(const MutableBuffers& buffers, ReadToken&& token) {
        return boost::asio::async_initiate<ReadToken, void(boost::beast::error_code, std::size_t)>(
            [this](auto handler, const MutableBuffers& b) {
                if (unread_at_ < unread_.size()) {
                    const auto n = take_unread(b);
                    auto executor = boost::asio::get_associated_executor(handler, get_executor());
                    boost::asio::post(executor, [handler = std::move(handler), n]() mutable {
                        std::move(handler)(boost::beast::error_code{}, n);
                    });
                } else if (tls_)
                    tls_->async_read_some(b, std::move(handler));
                else
                    plain_.async_read_some(b, std::move(handler));
            },
            token, buffers);
    }

    template <class ConstBuffers, class WriteToken>
    auto async_write_some(const ConstBuffers& buffers, WriteToken&& token) {
        return boost::asio::async_initiate<WriteToken, void(boost::beast::error_code, std::size_t)>(
            [this](auto handler, const ConstBuffers& b) {
                if (tls_)
                    tls_->async_write_some(b, std::move(handler));
                else
                    plain_.async_write_some(b, std::move(handler));
            },
            token, buffers);
    }

    template <class MutableBuffers>
    std::size_t read_some(const MutableBuffers& buffers, boost::beast::error_code& ec) {
        if (unread_at_ < unread_.size()) {
            ec = {};
            return take_unread(buffers);
        }
        return tls_ ? tls_->read_some(buffers, ec) : plain_.read_some(buffers, ec);
    }
    template <class ConstBuffers>
    std::size_t write_some(const ConstBuffers& buffers, boost::beast::error_code& ec) {
        return tls_ ? tls_->write_some(buffers, ec) : plain_.write_some(buffers, ec);
    }
    template <class MutableBuffers>
    std::size_t read_some(const MutableBuffers& buffers) {
        if (unread_at_ < unread_.size()) return take_unread(buffers);
        return tls_ ? tls_->read_some(buffers) : plain_.read_some(buffers);
    }
    template <class ConstBuffers>
    std::size_t write_some(const ConstBuffers& buffers) {
        return tls_ ? tls_->write_some(buffers) : plain_.write_some(buffers);
    }

private:
    template <class MutableBuffers>
    std::size_t take_unread(const MutableBuffers& buffers) {
        const auto n = boost::asio::buffer_copy(buffers, boost::asio::buffer(unread_) + unread_at_);
        unread_at_ += n;
        if (unread_at_ == unread_.size()) {
            unread_.clear();
            unread_at_ = 0;
        }
        return n;
    }

    boost::beast::tcp_stream plain_; // moved into tls_ by use_tls
    std::unique_ptr<tls_layer> tls_;
    std::string unread_; // returned by the next reads first (unread())
    std::size_t unread_at_ = 0;
};

/// The end of a WebSocket over this stream (websocket::stream finds these by ADL): TLS
/// says close_notify first, then the TCP connection ends as Beast ends it. A peer that
/// closes TCP without its close_notify (Kestrel does) after the Close handshake ended the
/// WebSocket properly: its "stream truncated" is not reported as the WebSocket's end.
inline void teardown(boost::beast::role_type role, http_stream& stream, boost::beast::error_code& ec) {
    if (stream.secure()) {
        boost::beast::teardown(role, stream.tls(), ec);
        if (ec == boost::asio::ssl::error::stream_truncated) ec = {};
    } else {
        boost::beast::teardown(role, stream.next_layer(), ec);
    }
}

template <class TeardownHandler>
void async_teardown(boost::beast::role_type role, http_stream& stream, TeardownHandler&& handler) {
    if (stream.secure())
        boost::beast::async_teardown(
            role, stream.tls(),
            [handler = std::forward<TeardownHandler>(handler)](boost::beast::error_code ec) mutable {
                if (ec == boost::asio::ssl::error::stream_truncated) ec = {};
                std::move(handler)(ec);
            });
    else
        boost::beast::async_teardown(role, stream.next_layer(), std::forward<TeardownHandler>(handler));
}

/// A client's TLS settings: the system's trusted CAs, plus `ca_file`'s (PEM) when given;
/// `insecure` checks nothing (self-signed test servers). Made once per setting and shared;
/// runtime_error naming the file when it cannot be read.
std::shared_ptr<boost::asio::ssl::context> client_tls_context(const std::string& ca_file, bool insecure);

/// A server's TLS settings from a PEM certificate chain and its private key; runtime_error
/// naming the file and OpenSSL's reason when either cannot be used.
std::shared_ptr<boost::asio::ssl::context> server_tls_context(const std::string& certificate_file,
                                                              const std::string& private_key_file);

/// Puts a connected client stream under TLS for `host`: SNI (unless `host` is an address)
/// and, unless `insecure`, a certificate that must name `host`.
void start_client_tls(http_stream& stream, boost::asio::ssl::context& context, const std::string& host, bool insecure);

/// Why a TLS handshake failed, in words a user acts on (callers say "TLS handshake failed: "
/// first): the certificate problem with the verification's own reason ("self-signed
/// certificate in certificate chain"), and a hint for a plain HTTP port ("wrong version number").
std::string describe_tls_failure(http_stream& stream, const boost::beast::error_code& ec);

} // namespace hubspec::net
