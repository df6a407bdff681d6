#include "fake_http_server.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/streambuf.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/websocket/detail/hybi13.hpp>

#include <array>
#include <condition_variable>
#include <future>
#include <mutex>
#include <thread>

namespace hubspec::client::test {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

struct fake_http_server::impl {
    asio::io_context io;
    tcp::acceptor acceptor{io, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0)};
    std::function<std::string(const std::string&)> respond;
    mutable std::mutex mutex;
    mutable std::condition_variable client_closed;
    std::vector<std::string> lines;
    std::size_t client_closes = 0;
    std::thread thread;

    /// Reads and drops what the client still sends (a POST body, WebSocket frames) until it closes:
    /// closing with unread bytes would send a reset, which can destroy the reply before it is read.
    void drain(const std::shared_ptr<tcp::socket>& socket) {
        auto sink = std::make_shared<std::array<char, 4096>>();
        socket->async_read_some(asio::buffer(*sink), [this, socket, sink](boost::system::error_code ec, std::size_t) {
            if (!ec) return drain(socket);
            boost::system::error_code ignored;
            socket->close(ignored);
            std::lock_guard lock(mutex);
            ++client_closes;
            client_closed.notify_all();
        });
    }

    void accept() {
        auto socket = std::make_shared<tcp::socket>(io);
        acceptor.async_accept(*socket, [this, socket](boost::system::error_code ec) {
            if (ec) return;
            accept();
            auto buffer = std::make_shared<asio::streambuf>();
            asio::async_read_until(
                *socket, *buffer, "\r\n\r\n", [this, socket, buffer](boost::system::error_code ec2, std::size_t n) {
                    if (ec2) return;
                    std::string head(asio::buffers_begin(buffer->data()),
                                     asio::buffers_begin(buffer->data()) + static_cast<std::ptrdiff_t>(n));
                    {
                        std::lock_guard lock(mutex);
                        lines.push_back(head.substr(0, head.find("\r\n")));
                    }
                    auto reply = std::make_shared<std::string>(respond(head));
                    asio::async_write(*socket, asio::buffer(*reply),
                                      [this, socket, reply](boost::system::error_code, std::size_t) {
                                          boost::system::error_code ignored;
                                          socket->shutdown(tcp::socket::shutdown_send, ignored);
                                          drain(socket);
                                      });
                });
        });
    }
};

fake_http_server::fake_http_server(std::function<std::string(const std::string& head)> respond)
    : impl_(std::make_unique<impl>()) {
    impl_->respond = std::move(respond);
    impl_->accept();
    impl_->thread = std::thread([i = impl_.get()] { i->io.run(); });
}

fake_http_server::~fake_http_server() {
    asio::post(impl_->io, [i = impl_.get()] {
        boost::system::error_code ignored;
        i->acceptor.close(ignored);
    });
    impl_->io.stop();
    impl_->thread.join();
}

std::string fake_http_server::url(const std::string& path) const {
    return "http://127.0.0.1:" + std::to_string(impl_->acceptor.local_endpoint().port()) + path;
}

std::vector<std::string> fake_http_server::request_lines() const {
    std::lock_guard lock(impl_->mutex);
    return impl_->lines;
}

bool fake_http_server::wait_for_client_closes(std::size_t count, std::chrono::milliseconds timeout) const {
    std::unique_lock lock(impl_->mutex);
    return impl_->client_closed.wait_for(lock, timeout, [&] { return impl_->client_closes >= count; });
}

std::string websocket_accept(const std::string& head) {
    const std::string field = "Sec-WebSocket-Key: ";
    const auto at = head.find(field);
    if (at == std::string::npos) return "HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n";
    const auto start = at + field.size();
    const auto key = head.substr(start, head.find("\r\n", start) - start);
    boost::beast::websocket::detail::sec_ws_accept_type accept;
    boost::beast::websocket::detail::make_sec_ws_accept(accept, key);
    return "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: " +
           std::string(accept.data(), accept.size()) + "\r\n\r\n";
}

std::string websocket_frame(unsigned char opcode, const std::string& payload) {
    std::string frame(1, static_cast<char>(0x80 | opcode)); // FIN; a server's frames are not masked
    if (payload.size() < 126) {
        frame += static_cast<char>(payload.size());
    } else {
        frame += static_cast<char>(126);
        frame += static_cast<char>((payload.size() >> 8) & 0xff);
        frame += static_cast<char>(payload.size() & 0xff);
    }
    return frame + payload;
}

std::string websocket_close_frame(unsigned code, const std::string& reason) {
    std::string payload{static_cast<char>((code >> 8) & 0xff), static_cast<char>(code & 0xff)};
    return websocket_frame(0x8, payload + reason);
}

std::string http_reply(const std::string& status, const std::string& content_type, const std::string& body) {
    return "HTTP/1.1 " + status + "\r\nContent-Type: " + content_type +
           "\r\nContent-Length: " + std::to_string(body.size()) + "\r\nConnection: close\r\n\r\n" + body;
}

} // namespace hubspec::client::test
