#pragma once
// The server a client under test meets (hubspec run --client): the reference server,
// one per cell, with every request the client makes and every message it sends
// recorded in order, for the client steps to wait on and judge. Faults go through
// its control API. Beast and Asio stay in the .cpp.

#include <hubspec/protocol/target_settings.hpp>
#include <hubspec/protocol/value.hpp>
#include <hubspec/server/violations.hpp>

#include <chrono>
#include <condition_variable>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

namespace hubspec::server {
class server;
class server_control;
} // namespace hubspec::server

namespace hubspec::harness::detail {

/// One HTTP request of the client, classified by what it does on a hub endpoint.
struct observed_request {
    std::size_t seq = 0; // shared order of requests and messages
    std::chrono::steady_clock::time_point at;
    std::string method;
    std::string target; // path and query
    std::string kind;   // negotiate, websocket, sse, poll, send, delete, other
    std::string id;     // the `id` query value (a connection token or id), empty without one
    /// What `id` names: "token" (a connectionToken the server issued, or a version-0 connectionId),
    /// "connection id" (a version-1 connectionId used as a token), "unknown"; empty without an id.
    std::string id_kind;
    std::string hub_path; // "/conformance"
    std::map<std::string, std::string> query;
    bool authorization = false;
    std::string describe() const; // "POST /conformance/negotiate?negotiateVersion=1 (negotiate)"
};

/// One message the client sent on a connection, in hubspec's JSON view (message_json.hpp) as a value:
/// {"type":"Invocation","target":…}; the handshake request is {"type":"Handshake","protocol":…,"version":…}.
struct observed_message {
    std::size_t seq = 0;
    std::string connection_id;
    protocol::value view;
    std::string text; // the view as one line of JSON
};

class observed_server {
public:
    /// Listens on 127.0.0.1 (ephemeral port) with the contract's endpoints, /conformance-plain
    /// (the same hub, stateful reconnect not allowed) and `timings`;
    /// `violations` make the server misbehave on purpose where a scenario wants that.
    observed_server(const protocol::target_settings& timings, server::violation_set violations,
                    std::function<void(const std::string&)> note);
    ~observed_server();
    observed_server(const observed_server&) = delete;
    observed_server& operator=(const observed_server&) = delete;

    /// http://127.0.0.1:PORT
    const std::string& origin() const { return origin_; }
    server::server_control& control();

    using clock = std::chrono::steady_clock;
    /// The first request from index `from` on that `accept` takes, waiting until `deadline`;
    /// nullopt at the deadline. `from` counts requests (requests()[from]).
    std::optional<std::size_t> wait_request(std::size_t from,
                                            const std::function<bool(const observed_request&)>& accept,
                                            clock::time_point deadline);
    std::optional<std::size_t> wait_message(std::size_t from,
                                            const std::function<bool(const observed_message&)>& accept,
                                            clock::time_point deadline);
    std::vector<observed_request> requests() const;
    std::vector<observed_message> messages() const;
    /// How the client's bytes on a connection could not be read (framing, handshake), if they could not.
    std::vector<std::string> unreadable() const;

private:
    struct decoder;
    void on_request(observed_request r);
    void on_bytes(std::string_view connection_id, std::string_view bytes);

    std::function<void(const std::string&)> note_;
    std::unique_ptr<server::server> server_;
    std::thread thread_;
    std::string origin_;

    mutable std::mutex mutex_;
    std::condition_variable changed_;
    std::size_t seq_ = 0;
    std::vector<observed_request> requests_;
    std::vector<observed_message> messages_;
    std::vector<std::string> unreadable_;
    std::map<std::string, std::unique_ptr<decoder>, std::less<>> decoders_; // I/O thread only
    std::map<std::string, std::string, std::less<>> token_of_id_;           // I/O thread only
};

} // namespace hubspec::harness::detail
