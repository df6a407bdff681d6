#pragma once
// The load's connections. Each is a reference-client hub_connection, which owns an I/O thread
// and a dispatcher thread (its API takes no shared executor): a thousand connections are two
// thousand threads, so they are opened, and stopped, all at once rather than one by one.

#include "load/load_window.hpp"

#include <hubspec/client/hub_connection.hpp>

#include <atomic>
#include <cstddef>
#include <exception>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace hubspec::harness::load {

/// The text of a failed operation's exception.
std::string describe(std::exception_ptr error);

class connection_set {
public:
    using clock = load_window::clock;
    using prepare_callback = std::function<void(client::hub_connection&)>;

    explicit connection_set(client::connection_options options) : options_(std::move(options)) {}
    ~connection_set() { close_all(); }
    connection_set(const connection_set&) = delete;
    connection_set& operator=(const connection_set&) = delete;

    /// Opens `n` more connections, started at `rate` per second (0: at once) within `window`'s
    /// deadline, each Connected recorded as a success (latency from its due time) and each failure
    /// as an error; returns once every start ended or `limit` passed. `prepare` registers handlers
    /// on each connection before it starts.
    void open(std::size_t n, double rate, load_window& window, clock::time_point limit,
              const prepare_callback& prepare = {});
    /// The connections whose start succeeded.
    std::vector<client::hub_connection*> connected() const;
    /// Stops every connection at once, waits a few seconds at most, then ends their threads.
    void close_all();

private:
    struct member {
        explicit member(client::connection_options options) : connection(std::move(options)) {}
        client::hub_connection connection;
        std::atomic<bool> up{false};
    };

    client::connection_options options_;
    std::vector<std::unique_ptr<member>> members_;
};

} // namespace hubspec::harness::load
