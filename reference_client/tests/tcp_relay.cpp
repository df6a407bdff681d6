#include "tcp_relay.hpp"

#include <hubspec/protocol/detail/helpers.hpp>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/streambuf.hpp>
#include <boost/asio/write.hpp>

#include <array>
#include <atomic>
#include <future>
#include <list>
#include <thread>

namespace hubspec::client::test {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

namespace {
struct session : std::enable_shared_from_this<session> {
    explicit session(asio::io_context& io) : client(io), upstream(io) {}
    tcp::socket client;
    tcp::socket upstream;
    std::array<char, 16384> up_buffer{};
    std::array<char, 16384> down_buffer{};

    void pump(tcp::socket& from, tcp::socket& to, std::array<char, 16384>& buffer) {
        from.async_read_some(asio::buffer(buffer), [self = shared_from_this(), &from, &to,
                                                    &buffer](boost::system::error_code ec, std::size_t n) {
            if (ec) return self->close();
            asio::async_write(to, asio::buffer(buffer.data(), n),
                              [self, &from, &to, &buffer](boost::system::error_code ec2, std::size_t) {
                                  if (ec2) return self->close();
                                  self->pump(from, to, buffer);
                              });
        });
    }
    void close() {
        boost::system::error_code ignored;
        // Linger 0: a reset, as a dropped network would look to both ends.
        if (client.is_open()) client.set_option(asio::socket_base::linger(true, 0), ignored);
        client.close(ignored);
        upstream.close(ignored);
    }
};
} // namespace

struct tcp_relay::impl {
    asio::io_context io;
    tcp::acceptor acceptor{io, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0)};
    std::atomic<std::uint16_t> upstream_port;
    std::atomic<bool> refusing{false};
    std::atomic<bool> refusing_upgrades{false};
    std::list<std::weak_ptr<session>> sessions;
    std::thread thread;

    void accept() {
        auto s = std::make_shared<session>(io);
        acceptor.async_accept(s->client, [this, s](boost::system::error_code ec) {
            if (ec) return;
            accept();
            if (refusing) return s->close();
            sessions.push_back(s);
            if (refusing_upgrades) return screen_upgrade(s);
            connect_upstream(s, {});
        });
    }
    // Reads the request head; an upgrade gets 400, anything else goes upstream with the head first.
    void screen_upgrade(const std::shared_ptr<session>& s) {
        auto head = std::make_shared<asio::streambuf>();
        asio::async_read_until(
            s->client, *head, "\r\n\r\n", [this, s, head](boost::system::error_code ec, std::size_t) {
                if (ec) return s->close();
                std::string bytes(asio::buffers_begin(head->data()), asio::buffers_end(head->data()));
                const std::string lower = hubspec::protocol::detail::to_lower(bytes);
                if (lower.find("upgrade: websocket") == std::string::npos) return connect_upstream(s, std::move(bytes));
                auto reply = std::make_shared<std::string>(
                    "HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
                asio::async_write(s->client, asio::buffer(*reply), [s, reply](boost::system::error_code, std::size_t) {
                    boost::system::error_code ignored;
                    s->client.shutdown(tcp::socket::shutdown_both, ignored);
                    s->client.close(ignored);
                });
            });
    }
    void connect_upstream(const std::shared_ptr<session>& s, std::string first_bytes) {
        s->upstream.async_connect(
            tcp::endpoint(asio::ip::make_address("127.0.0.1"), upstream_port.load()),
            [s, first = std::make_shared<std::string>(std::move(first_bytes))](boost::system::error_code ec2) {
                if (ec2) return s->close();
                asio::async_write(s->upstream, asio::buffer(*first),
                                  [s, first](boost::system::error_code ec3, std::size_t) {
                                      if (ec3) return s->close();
                                      s->pump(s->client, s->upstream, s->up_buffer);
                                      s->pump(s->upstream, s->client, s->down_buffer);
                                  });
            });
    }
    template <class F>
    void run_on_io(F f) {
        std::promise<void> done;
        asio::post(io, [&] {
            f();
            done.set_value();
        });
        done.get_future().wait();
    }
};

tcp_relay::tcp_relay(std::uint16_t upstream_port) : impl_(std::make_unique<impl>()) {
    impl_->upstream_port = upstream_port;
    impl_->accept();
    impl_->thread = std::thread([i = impl_.get()] { i->io.run(); });
}

tcp_relay::~tcp_relay() {
    impl_->run_on_io([i = impl_.get()] {
        boost::system::error_code ignored;
        i->acceptor.close(ignored);
        for (auto& w : i->sessions)
            if (auto s = w.lock()) s->close();
    });
    impl_->io.stop();
    impl_->thread.join();
}

std::uint16_t tcp_relay::port() const noexcept {
    return impl_->acceptor.local_endpoint().port();
}

std::string tcp_relay::url(const std::string& path) const {
    return "http://127.0.0.1:" + std::to_string(port()) + path;
}

void tcp_relay::set_upstream(std::uint16_t port) {
    impl_->upstream_port = port;
}

void tcp_relay::cut() {
    impl_->run_on_io([i = impl_.get()] {
        for (auto& w : i->sessions)
            if (auto s = w.lock()) s->close();
        i->sessions.clear();
    });
}

void tcp_relay::refuse(bool on) {
    impl_->refusing = on;
}

void tcp_relay::refuse_websocket_upgrades(bool on) {
    impl_->refusing_upgrades = on;
}

} // namespace hubspec::client::test
