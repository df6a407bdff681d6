#pragma once
// A loopback HTTP/1.1 server answering each request with whatever a test says,
// for server input that real servers never send (bad status, wrong Content-Type).
// One request per connection; the response is written raw (a WebSocket upgrade's 101 with the frames
// after it, too) and the sending side closed; what the client sends after is read and dropped.

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace hubspec::client::test {

class fake_http_server {
public:
    /// `respond` gets the request head ("GET /hub?id=x HTTP/1.1\r\n...") and returns raw response bytes.
    explicit fake_http_server(std::function<std::string(const std::string& head)> respond);
    ~fake_http_server();

    std::string url(const std::string& path) const;
    /// Request lines seen so far ("GET /hub?id=x HTTP/1.1").
    std::vector<std::string> request_lines() const;
    /// Waits until a client has closed `count` connections after their reply; false on timeout.
    bool wait_for_client_closes(std::size_t count, std::chrono::milliseconds timeout) const;

private:
    struct impl;
    std::unique_ptr<impl> impl_;
};

/// The 101 answer to the WebSocket upgrade request `head` (RFC 6455 §4.2.2); WebSocket frames may follow it.
std::string websocket_accept(const std::string& head);
/// One unfragmented frame from a server: opcode 0x1 text, 0x2 binary, 0x8 close (payloads up to 64 KiB).
std::string websocket_frame(unsigned char opcode, const std::string& payload);
std::string websocket_close_frame(unsigned code, const std::string& reason);

/// A complete response with Content-Length.
std::string http_reply(const std::string& status, const std::string& content_type, const std::string& body);

} // namespace hubspec::client::test
