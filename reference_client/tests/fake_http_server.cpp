#include "fake_http_server.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/streambuf.hpp>
#include <boost/asio/write.hpp>

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
    std::vector<std::string> lines;
    std::thread thread;

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
                                      [socket, reply](boost::system::error_code, std::size_t) {
                                          boost::system::error_code ignored;
                                          socket->shutdown(tcp::socket::shutdown_both, ignored);
                                          socket->close(ignored);
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

std::string http_reply(const std::string& status, const std::string& content_type, const std::string& body) {
    return "HTTP/1.1 " + status + "\r\nContent-Type: " + content_type +
           "\r\nContent-Length: " + std::to_string(body.size()) + "\r\nConnection: close\r\n\r\n" + body;
}

} // namespace hubspec::client::test
