// Dispatch of hub messages to the hub: invocations, streams both ways, client
// results, cancellation (MSG-*, ERR-001..006, CR-*).
#include "hub_dispatcher.hpp"

#include "hub_connection.hpp"

#include "log.hpp"

#include "hubspec/protocol/detail/helpers.hpp"
#include "hubspec/protocol/texts.hpp"

#include <atomic>

namespace hubspec::server::detail {

namespace p = hubspec::protocol;

using p::detail::overloaded;

hub_dispatcher::hub_dispatcher(hub_connection& connection, std::shared_ptr<hub_lifetime> lifetime)
    : connection_(connection), identity_(connection.identity()), lifetime_(std::move(lifetime)) {}

violation_hooks hub_dispatcher::hooks() const noexcept {
    return lifetime_->faults().hooks();
}

std::string hub_dispatcher::error_text(std::string_view base, std::exception_ptr error) const {
    // ASP.NET Core's ErrorMessageHelper: the detail goes out for a HubException, or
    // for anything with detailed errors on (ERR-003, ERR-004).
    std::string text(base);
    const bool detailed = lifetime_->options().enable_detailed_errors;
    try {
        if (error) std::rethrow_exception(error);
    } catch (const hub_error& e) {
        text.append(" HubException: ").append(e.what());
    } catch (const std::exception& e) {
        if (detailed) text.append(" Exception: ").append(e.what());
    } catch (...) {
        if (detailed) text.append(" Exception: unknown");
    }
    return text;
}

const hub_method* hub_dispatcher::find_method(std::string_view target) const {
    const hub_method* method = lifetime_->definition().find(target);
    // MSG-019 broken on purpose: only the exact case finds the method.
    if (method && !hooks().serves_target(method->name, target)) return nullptr;
    return method;
}

void hub_dispatcher::dispatch(p::hub_message&& message) {
    std::visit(overloaded{
                   [&](p::invocation_message& m) { on_invocation(std::move(m)); },
                   [&](p::stream_invocation_message& m) { on_stream_invocation(std::move(m)); },
                   [&](p::stream_item_message& m) { on_stream_item(std::move(m)); },
                   [&](p::completion_message& m) { on_completion(std::move(m)); },
                   [&](p::cancel_invocation_message& m) { on_cancel_invocation(m); },
                   [&](p::ping_message&) { // refreshes the client timeout only (MSG-061)
                       if (!hooks().keeps(rule::ping_needs_no_reply)) connection_.send_message(p::ping_message{});
                   },
                   [&](p::close_message& m) {
                       // MSG-073: a graceful end asked by the client; nothing to answer.
                       if (m.error) log_event("MSG-073", identity_.connection_id, "client closed: " + *m.error);
                       connection_.end_gracefully();
                   },
                   [&](p::ack_message&) {}, // stateful reconnect off: ignored (MSG-083); when on, the core takes them
                   [&](p::sequence_message&) {}, // MSG-083
                   [&](p::unknown_message& m) {
                       // MSG-004: skipped, where the .NET server stalls.
                       log_event("MSG-004", identity_.connection_id,
                                 "skipped a message of unknown type " + std::to_string(m.type));
                   },
               },
               message);
}

namespace {

std::string bind_failure_text(const hub_method& method, const bind_outcome& outcome, std::string_view target,
                              std::size_t wire_arguments, std::size_t streams, bool detailed) {
    switch (outcome.failure) {
    case bind_failure::argument_count: {
        std::string text = p::texts::failed_to_invoke(target); // MSG-091
        if (detailed) {
            text += " InvalidDataException: " + p::texts::argument_count_mismatch(wire_arguments, outcome.expected);
        }
        return text;
    }
    case bind_failure::argument_type: {
        std::string text = p::texts::failed_to_invoke(target); // MSG-092
        if (detailed) text.append(" InvalidDataException: ").append(p::texts::argument_binding_error);
        return text;
    }
    case bind_failure::stream_count: return p::texts::stream_count_mismatch(method.name, streams, outcome.expected);
    case bind_failure::none: break;
    }
    return {};
}

std::string_view requirement_of(bind_failure f) {
    switch (f) {
    case bind_failure::argument_count: return "MSG-091";
    case bind_failure::argument_type: return "MSG-092";
    case bind_failure::stream_count: return "MSG-095";
    case bind_failure::none: break;
    }
    return "";
}

} // namespace

template <class Call>
std::string hub_dispatcher::binding_refused(const hub_method& method, const bind_outcome& outcome, const Call& m) {
    const auto requirement = requirement_of(outcome.failure);
    std::string text = hooks().completion_error(
        requirement, bind_failure_text(method, outcome, m.target, m.arguments.size(), m.stream_ids.size(),
                                       lifetime_->options().enable_detailed_errors));
    log_event(requirement, identity_.connection_id, text);
    return text;
}

std::vector<std::shared_ptr<upload_state>> hub_dispatcher::open_uploads(const std::vector<std::string>& stream_ids) {
    std::vector<std::shared_ptr<upload_state>> opened;
    opened.reserve(stream_ids.size());
    for (const auto& id : stream_ids) {
        auto upload = std::make_shared<upload_state>();
        upload->stream_id = id;
        uploads_[id] = upload;
        opened.push_back(std::move(upload));
    }
    return opened;
}

void hub_dispatcher::end_upload(const std::shared_ptr<upload_state>& upload, std::optional<std::string> error) {
    if (upload->ended) return;
    if (auto it = uploads_.find(upload->stream_id); it != uploads_.end() && it->second == upload) uploads_.erase(it);
    upload->ended = true;
    upload->end_error = std::move(error);
    if (upload->on_end && !upload->end_delivered) {
        upload->end_delivered = true;
        auto on_end = upload->on_end;
        guarded("upload on_end", [&] { on_end(upload->end_error); });
    }
}

void hub_dispatcher::on_invocation(p::invocation_message&& m) {
    if (invocation_running_) return queued_invocations_.push_back(std::move(m)); // MSG-102
    start_invocation(std::move(m));
}

void hub_dispatcher::start_queued_invocations() {
    if (starting_queued_) return; // the loop below is already draining (a synchronous finish re-entered)
    starting_queued_ = true;
    while (!invocation_running_ && !queued_invocations_.empty() && connection_.open()) {
        auto next = std::move(queued_invocations_.front());
        queued_invocations_.pop_front();
        start_invocation(std::move(next));
    }
    starting_queued_ = false;
}

void hub_dispatcher::start_invocation(p::invocation_message&& m) {
    const hub_method* method = find_method(m.target);
    const bool blocking = m.invocation_id.has_value();
    auto fail = [&](std::string text, std::string_view requirement) {
        text = hooks().completion_error(requirement, std::move(text));
        log_event(requirement, identity_.connection_id, text);
        if (blocking) connection_.send_message(p::completion_message::with_error(*m.invocation_id, std::move(text)));
    };
    if (!method) return fail(p::texts::method_does_not_exist(m.target), "ERR-001");
    if (method->streaming) return fail(p::texts::streaming_method_with_invocation(m.target), "MSG-098");

    auto pending = std::make_shared<pending_invocation>();
    pending->connection = connection_.weak_from_this();
    pending->invocation_id = m.invocation_id;
    pending->method = m.target;
    pending->uploads = open_uploads(m.stream_ids);
    std::vector<upload_stream> uploads(pending->uploads.begin(), pending->uploads.end());

    hub_call call(connection_.shared_from_this(), pending);
    method_arguments arguments{m.arguments, uploads, nullptr};
    pending->holds_slot = true;
    invocation_running_ = true;
    bind_outcome outcome;
    try {
        outcome = method->invoke(call, arguments);
    } catch (...) {
        std::string text = hooks().completion_error(
            "ERR-002", error_text(p::texts::unexpected_error_invoking(m.target), std::current_exception()));
        log_event("ERR-002", identity_.connection_id, text);
        finish_invocation(*pending, p::completion_message::with_error({}, std::move(text)));
        return;
    }
    if (outcome.failure != bind_failure::none) {
        finish_invocation(*pending, p::completion_message::with_error({}, binding_refused(*method, outcome, m)));
        return;
    }
    // MSG-042: a successful invocation with an id always carries a result, null for void.
    if (!call.deferred())
        finish_invocation(*pending, p::completion_message::with_result({}, std::move(outcome.result)));
}

void hub_dispatcher::finish_invocation(pending_invocation& pending, p::completion_message completion) {
    if (pending.done) return;
    pending.done = true;
    if (pending.holds_slot) {
        pending.holds_slot = false;
        invocation_running_ = false;
    }
    for (auto& upload : pending.uploads) {
        // MSG-097: the method is over; its still-open uploads end here, quietly.
        upload->on_item = nullptr;
        upload->on_end = nullptr;
        end_upload(upload, std::nullopt);
    }
    if (pending.invocation_id && connection_.open()) { // else MSG-012, ERR-006: nothing to send
        completion.invocation_id = *pending.invocation_id;
        connection_.send_message(completion);
    }
    start_queued_invocations();
}

void hub_dispatcher::on_stream_invocation(p::stream_invocation_message&& m) {
    auto fail = [&](std::string text, std::string_view requirement) {
        text = hooks().completion_error(requirement, std::move(text));
        log_event(requirement, identity_.connection_id, text);
        connection_.send_message(p::completion_message::with_error(m.invocation_id, std::move(text)));
    };
    if (streams_.contains(m.invocation_id) && hooks().keeps(rule::stream_id_in_use))
        return fail(p::texts::invocation_id_in_use(m.invocation_id), "MSG-100");
    const hub_method* method = find_method(m.target);
    if (!method) return fail(p::texts::method_does_not_exist(m.target), "ERR-001");
    if (!method->streaming) return fail(p::texts::non_streaming_method_with_stream_invocation(m.target), "MSG-099");

    auto stream = std::make_shared<stream_state>();
    stream->connection = connection_.weak_from_this();
    stream->invocation_id = m.invocation_id;
    stream->method = m.target;
    stream->uploads = open_uploads(m.stream_ids);
    streams_[m.invocation_id] = stream;
    std::vector<upload_stream> uploads(stream->uploads.begin(), stream->uploads.end());

    stream_writer writer(stream);
    hub_call call(connection_.shared_from_this(), nullptr);
    method_arguments arguments{m.arguments, uploads, &writer};
    bind_outcome outcome;
    try {
        outcome = method->invoke(call, arguments);
    } catch (...) {
        std::string text =
            hooks().completion_error("MSG-101", error_text(p::texts::error_while_streaming, std::current_exception()));
        log_event("MSG-101", identity_.connection_id, text);
        finish_stream(*stream, std::move(text));
        return;
    }
    if (outcome.failure != bind_failure::none) finish_stream(*stream, binding_refused(*method, outcome, m));
}

void hub_dispatcher::finish_stream(stream_state& stream, std::optional<std::string> error) {
    if (stream.done) return;
    stream.done = true;
    stream.on_cancel.clear();
    if (auto it = streams_.find(stream.invocation_id); it != streams_.end() && it->second.get() == &stream) {
        streams_.erase(it);
    }
    for (auto& upload : stream.uploads) {
        upload->on_item = nullptr;
        upload->on_end = nullptr;
        end_upload(upload, std::nullopt);
    }
    if (!connection_.open()) return;
    // MSG-022/044: a stream ends with a Completion that never carries a result.
    auto completion = error ? p::completion_message::with_error(stream.invocation_id, std::move(*error))
                            : p::completion_message::void_result(stream.invocation_id);
    if (!stream.canceled) hooks().outgoing(outgoing_message::stream_completion, completion); // MSG-044
    connection_.send_message(completion);
}

void hub_dispatcher::on_cancel_invocation(const p::cancel_invocation_message& m) {
    auto it = streams_.find(m.invocation_id);
    if (it == streams_.end()) return;                    // MSG-052: nothing to cancel, or not a stream
    if (!hooks().keeps(rule::cancel_invocation)) return; // MSG-051
    auto stream = it->second;
    auto callbacks = std::exchange(stream->on_cancel, {});
    stream->canceled = true;
    finish_stream(*stream, std::nullopt); // MSG-051: a Completion without error
    for (auto& callback : callbacks)
        guarded("stream cancel callback", callback);
}

void hub_dispatcher::on_stream_item(p::stream_item_message&& m) {
    auto it = uploads_.find(m.invocation_id);
    if (it == uploads_.end()) {
        log_event("MSG-033", identity_.connection_id,
                  "StreamItem for unknown stream '" + m.invocation_id + "' ignored");
        return;
    }
    auto upload = it->second;
    if (upload->on_item) {
        auto on_item = upload->on_item;
        guarded("upload on_item", [&] { on_item(m.item); });
    } else {
        upload->backlog.push_back(std::move(m.item));
    }
}

void hub_dispatcher::on_completion(p::completion_message&& m) {
    if (auto it = relayed_results_.find(m.invocation_id); it != relayed_results_.end()) {
        auto on_completion = std::move(it->second);
        relayed_results_.erase(it);
        guarded("relayed client result", [&] { on_completion(std::move(m)); });
        return;
    }
    if (auto it = client_results_.find(m.invocation_id); it != client_results_.end()) {
        auto on_result = std::move(it->second);
        client_results_.erase(it);
        client_result answer;
        if (m.error && hooks().keeps(rule::client_result_error)) {
            answer.error = std::move(m.error);
        } else {
            answer.result = m.result ? std::move(*m.result) : value();
        }
        guarded("client result callback", [&] { on_result(std::move(answer)); });
        return;
    }
    if (auto it = uploads_.find(m.invocation_id); it != uploads_.end()) {
        auto upload = it->second;
        end_upload(upload, std::move(m.error)); // MSG-094
        return;
    }
    log_event("CR-008", identity_.connection_id, "Completion for unknown id '" + m.invocation_id + "' ignored");
}

void hub_dispatcher::invoke_client(std::string_view method, value_list arguments,
                                   std::function<void(client_result)> on_result) {
    static std::atomic<std::uint64_t> counter{0}; // process-wide, as on .NET (MSG-017)
    if (!connection_.open()) {
        on_result({std::nullopt, "Connection '" + identity_.connection_id + "' disconnected."});
        return;
    }
    p::invocation_message invocation{
        {}, "s" + std::to_string(++counter), std::string(method), std::move(arguments), {}};
    hooks().outgoing(outgoing_message::client_result_invocation, invocation); // MSG-017, before the id is kept
    client_results_.emplace(*invocation.invocation_id, std::move(on_result));
    connection_.send_message(invocation);
}

void hub_dispatcher::await_relayed_completion(std::string invocation_id,
                                              std::function<void(std::optional<p::completion_message>)> on_completion) {
    relayed_results_.emplace(std::move(invocation_id), std::move(on_completion));
}

void hub_dispatcher::end() {
    // Streams end silently: the transport is gone.
    auto streams = std::move(streams_);
    streams_.clear();
    for (auto& [id, stream] : streams) {
        stream->done = true;
        for (auto& callback : std::exchange(stream->on_cancel, {}))
            guarded("stream cancel callback", callback);
    }
    auto uploads = std::move(uploads_);
    uploads_.clear();
    for (auto& [id, upload] : uploads)
        end_upload(upload, std::string(p::texts::invocation_canceled_connection_closed));

    auto relayed = std::move(relayed_results_);
    relayed_results_.clear();
    for (auto& [id, on_completion] : relayed)
        guarded("relayed client result", [&] { on_completion(std::nullopt); });

    // CR-007: whoever awaits this connection's answer learns it is gone.
    auto results = std::move(client_results_);
    client_results_.clear();
    for (auto& [id, on_result] : results) {
        guarded("client result callback", [&] {
            on_result({std::nullopt, "Connection '" + identity_.connection_id + "' disconnected."});
        });
    }
}

} // namespace hubspec::server::detail
