#pragma once
// A named connection of a scenario made through the reference client: it keeps
// what the server sent to it (per method, in order), its state changes and how it
// closed, so that later steps can await them; its trace feeds the cell's transcript.

#include "hubspec/reports/transcript.hpp"

#include <hubspec/client/hub_connection.hpp>

#include <chrono>
#include <condition_variable>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace hubspec::harness::detail {

using clock = std::chrono::steady_clock;

class client_actor {
public:
    /// `watched` are the client methods the scenario expects: handlers are on before start.
    client_actor(std::string name, client::connection_options options, transcript& log,
                 const std::set<std::string>& watched);
    ~client_actor();

    /// Throws with the client's error when the start fails.
    void start(std::chrono::milliseconds timeout);
    void stop(std::chrono::milliseconds timeout);
    client::hub_connection& connection() { return *connection_; }
    const std::string& name() const { return name_; }

    /// The first not yet consumed call of `method` whose arguments satisfy `accept`; waits
    /// until `deadline`. Marks it consumed.
    std::optional<client::arguments> take_message(const std::string& method,
                                                  const std::function<bool(const client::arguments&)>& accept,
                                                  clock::time_point deadline);
    /// Waits until `count` calls of `method` arrived (or `deadline`), then takes every one not yet consumed.
    std::vector<client::arguments> take_all(const std::string& method, std::size_t count, clock::time_point deadline);
    /// Every call of `method` received so far that was not consumed (for messages that explain a failure).
    std::vector<client::arguments> pending_messages(const std::string& method);

    /// Waits for the state event ("reconnecting", "reconnected", "closed") after those already consumed.
    bool take_state_event(const std::string& event, clock::time_point deadline);
    /// nullopt while open; else the close error (nullopt inside = closed without error).
    std::optional<std::optional<std::string>> wait_closed(clock::time_point deadline);
    /// What the server's first bytes show when its handshake response lacks the record
    /// separator (HS-007), which the client only reports as a failed start.
    std::optional<std::string> handshake_defect();

private:
    void record(const client::trace_event& event);

    std::string name_;
    transcript& log_;
    const protocol::hub_protocol* protocol_;
    std::unique_ptr<client::hub_connection> connection_;

    std::mutex mutex_;
    std::condition_variable changed_;
    struct received {
        client::arguments args;
        bool consumed = false;
    };
    std::map<std::string, std::vector<received>> messages_;
    std::vector<std::string> state_events_;
    std::size_t state_events_consumed_ = 0;
    std::optional<std::optional<std::string>> closed_;
    std::string first_received_; // the first bytes the transports carried in, for handshake_defect()
};

} // namespace hubspec::harness::detail
