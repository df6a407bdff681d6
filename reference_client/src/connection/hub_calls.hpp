#pragma once
// The hub calls of one connection, both ways: what the user invokes, sends and
// streams (with their uploads) until the server completes them, and what the
// server invokes on the client (handlers, client results). The entry points are
// thread-safe (they post to the io thread); the rest runs on the io thread, and
// user-visible effects go to the dispatcher thread in order (MSG-103).

#include "upload_state.hpp"

#include <hubspec/protocol/hub_message.hpp>

#include <atomic>
#include <cstdint>
#include <exception>
#include <functional>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

namespace hubspec::client::detail {

class connection_core;

using invoke_callback = std::function<void(std::exception_ptr, protocol::value)>;
using done_callback = std::function<void(std::exception_ptr)>;
using item_callback = std::function<void(const protocol::value&)>;
using upload_list = std::vector<std::shared_ptr<upload_state>>;

class hub_calls {
public:
    /// `connection` owns these calls.
    explicit hub_calls(connection_core& connection) : connection_(connection) {}

    // ---- thread-safe entry points; callbacks run on the dispatcher ----
    void invoke(std::string method, protocol::value_list args, upload_list streams, invoke_callback done);
    void send(std::string method, protocol::value_list args, upload_list streams, done_callback done);
    /// Returns the cancel function of the stream.
    std::function<void()> stream(std::string method, protocol::value_list args, upload_list streams,
                                 item_callback on_item, done_callback on_complete);

    // ---- io thread ----
    /// A hub message from the server, but a Close (the connection's own).
    void dispatch(protocol::hub_message&& message);
    /// The connection is lost: every call in flight fails, never replayed (RC-010).
    void fail_all();

private:
    void on_invocation(protocol::invocation_message&& message);
    void on_completion(protocol::completion_message&& message);
    std::string next_invocation_id() { return std::to_string(next_id_.fetch_add(1)); }
    std::vector<std::string> reserve_stream_ids(const upload_list& streams);
    /// Called right after the invocation naming them is written: queued items follow it (MSG-094).
    void attach_uploads(const upload_list& streams, const std::vector<std::string>& ids);

    connection_core& connection_;
    std::atomic<std::uint64_t> next_id_{1}; // invocation and stream ids, as the .NET client counts (MSG-016)
    std::unordered_map<std::string, invoke_callback> invocations_;
    struct active_stream {
        item_callback on_item;
        done_callback on_complete;
    };
    std::unordered_map<std::string, active_stream> streams_;
    upload_list uploads_;
};

} // namespace hubspec::client::detail
