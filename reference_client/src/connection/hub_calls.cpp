// The hub calls both ways: the user's invocations, sends and streams with their
// uploads, and the server's invocations of client handlers (client results).
#include "hub_calls.hpp"

#include "connection_core.hpp"

#include "hubspec/client/errors.hpp"

#include <hubspec/protocol/texts.hpp>

#include <cstdio>
#include <deque>
#include <mutex>

namespace hubspec::client::detail {

namespace texts = protocol::texts;
using protocol::completion_message;

namespace {
constexpr std::string_view not_connected = "Cannot send data if the connection is not in the 'Connected' State.";

std::exception_ptr not_connected_error() {
    return std::make_exception_ptr(connection_exception(std::string(not_connected)));
}
} // namespace

// ---- incoming --------------------------------------------------------------

void hub_calls::dispatch(protocol::hub_message&& message) {
    std::visit(
        [this](auto&& m) {
            using T = std::decay_t<decltype(m)>;
            if constexpr (std::is_same_v<T, protocol::invocation_message>) {
                on_invocation(std::move(m));
            } else if constexpr (std::is_same_v<T, protocol::stream_item_message>) {
                auto it = streams_.find(m.invocation_id);
                if (it == streams_.end()) return; // ERR-010, MSG-033
                connection_.to_user([f = it->second.on_item, item = std::move(m.item)] { f(item); });
            } else if constexpr (std::is_same_v<T, protocol::completion_message>) {
                on_completion(std::move(m));
            }
            // Ping only refreshes the timeout (MSG-061); StreamInvocation and CancelInvocation
            // never come from a server (MSG-023); Ack and Sequence are ignored without
            // stateful reconnect (MSG-083); unknown types are skipped (MSG-004).
        },
        std::move(message));
}

void hub_calls::on_completion(protocol::completion_message&& m) {
    if (auto it = invocations_.find(m.invocation_id); it != invocations_.end()) {
        auto done = std::move(it->second);
        invocations_.erase(it);
        if (m.error)
            connection_.to_user(
                [done, e = std::move(*m.error)] { done(std::make_exception_ptr(hub_exception(e)), {}); });
        else
            connection_.to_user([done, r = m.result.value_or(protocol::value{})] { done(nullptr, r); });
    } else if (auto s = streams_.find(m.invocation_id); s != streams_.end()) {
        auto complete = std::move(s->second.on_complete);
        streams_.erase(s);
        if (m.error)
            connection_.to_user(
                [complete, e = std::move(*m.error)] { complete(std::make_exception_ptr(hub_exception(e))); });
        else
            connection_.to_user([complete] { complete(nullptr); });
    }
    // Anything else is for an id this side does not know: ignored (ERR-010).
}

void hub_calls::on_invocation(protocol::invocation_message&& message) {
    connection_.to_user([self = connection_.shared_from_this(), epoch = connection_.epoch(), m = std::move(message)] {
        auto handlers = self->handlers().find(m.target);
        if (!m.invocation_id || m.invocation_id->empty()) {
            for (auto& h : handlers) {
                try {
                    h(m.arguments);
                } catch (const std::exception& e) {
                    // Logged, never sent (ERR-011).
                    std::fprintf(stderr, "hubspec-client: the handler for '%s' threw: %s\n", m.target.c_str(),
                                 e.what());
                }
            }
            return;
        }
        std::vector<protocol::value> returned;
        std::optional<std::string> thrown;
        for (auto& h : handlers) {
            try {
                if (auto r = h(m.arguments)) returned.push_back(std::move(*r));
            } catch (const std::exception& e) {
                thrown = e.what(); // CR-005
            } catch (...) {
                thrown = "Unknown error";
            }
        }
        const auto& violations = self->options().violations;
        if (handlers.empty() && violations.contains(violation::missing_handler_silent)) return;
        auto outcome = combine_client_results(handlers.size(), returned, thrown);
        // The wrong id goes on results only: an error Completion is CR-003's and CR-005's.
        const auto id = violations.contains(violation::client_result_wrong_id) && !outcome.error
                            ? *m.invocation_id + "0"
                            : *m.invocation_id;
        auto completion = outcome.error ? completion_message::with_error(id, *outcome.error)
                                        : completion_message::with_result(id, std::move(*outcome.result));
        self->post([self, epoch, completion = std::move(completion)] {
            if (epoch == self->epoch()) self->write(completion); // CR-002: answered on the connection that asked
        });
    });
}

void hub_calls::fail_all() {
    auto invocations = std::move(invocations_);
    invocations_.clear();
    auto streams = std::move(streams_);
    streams_.clear();
    for (auto& u : uploads_)
        u->unbind();
    uploads_.clear();
    if (invocations.empty() && streams.empty()) return;
    connection_.to_user([invocations = std::move(invocations), streams = std::move(streams)] {
        auto error =
            std::make_exception_ptr(connection_exception(std::string(texts::invocation_canceled_connection_closed)));
        for (auto& [id, done] : invocations)
            done(error, {});
        for (auto& [id, s] : streams)
            s.on_complete(error);
    });
}

// ---- outgoing --------------------------------------------------------------

std::vector<std::string> hub_calls::reserve_stream_ids(const upload_list& streams) {
    std::vector<std::string> ids;
    ids.reserve(streams.size());
    for (std::size_t i = 0; i < streams.size(); ++i)
        ids.push_back(next_invocation_id());
    return ids;
}

namespace {

/// An upload's events in the order they were written. Each event posts a task that writes
/// whatever is queued: the order of the tasks cannot reorder the items. (Asio runs what the
/// I/O thread posts after what other threads posted meanwhile, so one task per item did:
/// an item written before the invocation went out after later ones, MSG-094.)
struct upload_queue {
    std::mutex mutex;
    std::deque<upload_event> events;
};

} // namespace

void hub_calls::attach_uploads(const upload_list& streams, const std::vector<std::string>& ids) {
    std::weak_ptr<connection_core> weak = connection_.shared_from_this();
    for (std::size_t i = 0; i < streams.size(); ++i) {
        uploads_.push_back(streams[i]);
        auto queue = std::make_shared<upload_queue>();
        streams[i]->bind([weak, epoch = connection_.epoch(), sid = ids[i], queue](upload_event e) {
            auto s = weak.lock();
            if (!s) return;
            {
                std::lock_guard lock(queue->mutex);
                queue->events.push_back(std::move(e));
            }
            s->post([s, epoch, sid, queue] {
                std::deque<upload_event> ready;
                {
                    std::lock_guard lock(queue->mutex);
                    ready.swap(queue->events);
                }
                if (epoch != s->epoch()) return;
                for (auto& event : ready) {
                    if (event.item)
                        s->write(protocol::stream_item_message{{}, sid, std::move(*event.item)});
                    else if (event.error)
                        s->write(completion_message::with_error(sid, *event.error));
                    else
                        s->write(completion_message::void_result(sid));
                }
            });
        });
    }
}

void hub_calls::invoke(std::string method, protocol::value_list args, upload_list streams, invoke_callback done) {
    auto self = connection_.shared_from_this();
    auto task = [self, method = std::move(method), args = std::move(args), streams = std::move(streams),
                 done]() mutable {
        if (!self->accepts_calls()) return self->to_user([done] { done(not_connected_error(), {}); });
        auto& calls = self->calls();
        auto id = calls.next_invocation_id();
        auto stream_ids = calls.reserve_stream_ids(streams);
        calls.invocations_.emplace(id, std::move(done));
        self->write(protocol::invocation_message{{}, id, std::move(method), std::move(args), stream_ids});
        calls.attach_uploads(streams, stream_ids);
    };
    if (!connection_.post(std::move(task))) done(not_connected_error(), {});
}

void hub_calls::send(std::string method, protocol::value_list args, upload_list streams, done_callback done) {
    auto self = connection_.shared_from_this();
    auto task = [self, method = std::move(method), args = std::move(args), streams = std::move(streams),
                 done]() mutable {
        if (!self->accepts_calls()) return self->to_user([done] { done(not_connected_error()); });
        auto& calls = self->calls();
        auto stream_ids = calls.reserve_stream_ids(streams);
        // No invocation id: non-blocking, the server answers nothing (MSG-012).
        self->write(protocol::invocation_message{{}, std::nullopt, std::move(method), std::move(args), stream_ids});
        calls.attach_uploads(streams, stream_ids);
        self->to_user([done] { done(nullptr); });
    };
    if (!connection_.post(std::move(task))) done(not_connected_error());
}

std::function<void()> hub_calls::stream(std::string method, protocol::value_list args, upload_list streams,
                                        item_callback on_item, done_callback on_complete) {
    auto canceled = std::make_shared<std::atomic<bool>>(false);
    item_callback item = [canceled, on_item = std::move(on_item)](const protocol::value& v) {
        if (!canceled->load()) on_item(v);
    };
    done_callback complete = [canceled, on_complete = std::move(on_complete)](std::exception_ptr e) {
        if (!canceled->exchange(true)) on_complete(e);
    };
    auto id = next_invocation_id();
    auto self = connection_.shared_from_this();
    auto task = [self, id, method = std::move(method), args = std::move(args), streams = std::move(streams), item,
                 complete]() mutable {
        if (!self->accepts_calls()) return self->to_user([complete] { complete(not_connected_error()); });
        auto& calls = self->calls();
        auto stream_ids = calls.reserve_stream_ids(streams);
        calls.streams_.emplace(id, active_stream{std::move(item), complete});
        self->write(protocol::stream_invocation_message{{}, id, std::move(method), std::move(args), stream_ids});
        calls.attach_uploads(streams, stream_ids);
    };
    if (!connection_.post(std::move(task))) complete(not_connected_error());
    std::weak_ptr<connection_core> weak = self;
    return [weak, id, canceled] {
        if (canceled->exchange(true)) return;
        auto s = weak.lock();
        if (!s) return;
        s->post([s, id] {
            // Forget it first: what the server sends until its Completion is dropped (MSG-053).
            const bool silent = s->options().violations.contains(violation::cancel_without_message);
            if (s->calls().streams_.erase(id) > 0 && !silent) s->write(protocol::cancel_invocation_message{{}, id});
        });
    };
}

} // namespace hubspec::client::detail
