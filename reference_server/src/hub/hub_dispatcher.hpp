#pragma once
// What one connection's hub messages do in the hub: invocations (one at a time,
// MSG-102), streams to the client, uploads from it, client results, cancellation
// (MSG-*, ERR-001..006, CR-*). Its connection feeds it messages past the handshake
// and sends what it answers; it runs on the I/O thread only.

#include "hub_lifetime.hpp"
#include "hub_state.hpp"
#include "violation_hooks.hpp"

#include "hubspec/protocol/hub_message.hpp"

#include <deque>
#include <exception>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace hubspec::server::detail {

struct connection_identity;

class hub_dispatcher {
public:
    /// `connection` owns this dispatcher.
    hub_dispatcher(hub_connection& connection, std::shared_ptr<hub_lifetime> lifetime);

    /// A hub message from the client (all but the handshake, Acks and Sequences of stateful reconnect).
    void dispatch(protocol::hub_message&& message);
    /// Client result (CR-001): "s1", "s2", … (MSG-017).
    void invoke_client(std::string_view method, value_list arguments, std::function<void(client_result)> on_result);
    /// The Completion for `invocation_id`, an invocation another node asked of this client
    /// (RB-064): handed over as the client sent it, or nullopt when the connection ends first.
    void await_relayed_completion(std::string invocation_id,
                                  std::function<void(std::optional<protocol::completion_message>)> on_completion);
    /// The connection ended: streams end silently, uploads are canceled, awaited
    /// client results fail (CR-007).
    void end();

    // ---- completion of hub work (hub_context.cpp) ----------------------------

    void finish_invocation(pending_invocation& pending, protocol::completion_message completion);
    void finish_stream(stream_state& stream, std::optional<std::string> error);
    /// Text of an exception from hub code: `base` + " Type: message" for hub_error or
    /// with detailed errors (ERR-002..004, MSG-101).
    std::string error_text(std::string_view base, std::exception_ptr error) const;

private:
    /// The hub method `target` names (MSG-019: case-insensitive).
    const hub_method* find_method(std::string_view target) const;
    void on_invocation(protocol::invocation_message&& m);
    void start_invocation(protocol::invocation_message&& m);
    void start_queued_invocations();
    void on_stream_invocation(protocol::stream_invocation_message&& m);
    void on_stream_item(protocol::stream_item_message&& m);
    void on_completion(protocol::completion_message&& m);
    void on_cancel_invocation(const protocol::cancel_invocation_message& m);
    std::vector<std::shared_ptr<upload_state>> open_uploads(const std::vector<std::string>& stream_ids);
    /// The error text for a call whose arguments did not bind (MSG-091, MSG-092, MSG-095), logged.
    template <class Call>
    std::string binding_refused(const hub_method& method, const bind_outcome& outcome, const Call& m);
    void end_upload(const std::shared_ptr<upload_state>& upload, std::optional<std::string> error);
    /// Where --violate bends the hub's answers (violation_hooks.hpp).
    violation_hooks hooks() const noexcept;

    hub_connection& connection_;
    const connection_identity& identity_;
    std::shared_ptr<hub_lifetime> lifetime_;
    // MSG-102: one non-streaming invocation runs at a time (MaximumParallelInvocationsPerClient = 1);
    // later ones wait here in order, while other messages (stream items, completions) flow.
    bool invocation_running_ = false;
    bool starting_queued_ = false;
    std::deque<protocol::invocation_message> queued_invocations_;
    std::unordered_map<std::string, std::shared_ptr<stream_state>> streams_;
    std::unordered_map<std::string, std::shared_ptr<upload_state>> uploads_;
    std::unordered_map<std::string, std::function<void(client_result)>> client_results_;
    std::unordered_map<std::string, std::function<void(std::optional<protocol::completion_message>)>> relayed_results_;
};

} // namespace hubspec::server::detail
