// The conformance hub contract, version 1 (shared/spec/conformance-hub.md),
// method for method as interop/aspnetcore/ConformanceHub.cs serves it, and the
// chat hub.
#include "hubspec/server/conformance_hub.hpp"

#include <algorithm>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>

namespace hubspec::server {

namespace {

constexpr std::int32_t max_delay_ms = 60'000;
constexpr const char* cancel_count_key = "hubspec.cancel-count";

std::shared_ptr<int> cancel_count(hub_call& call) {
    auto& items = call.context().items();
    auto it = items.find(cancel_count_key);
    if (it == items.end()) it = items.emplace(cancel_count_key, std::make_shared<int>(0)).first;
    return std::any_cast<std::shared_ptr<int>>(it->second);
}

/// Writes 0, 1, … while more(i), one every `delay`, then completes (or fails
/// with `failure`); a cancellation midway is counted, as GetCancelCount reports.
class producer : public std::enable_shared_from_this<producer> {
public:
    producer(hub_call call, stream_writer out, std::function<bool(int)> more, std::chrono::milliseconds delay,
             std::optional<std::string> failure)
        : call_(std::move(call)), out_(std::move(out)), more_(std::move(more)), delay_(delay),
          failure_(std::move(failure)) {}

    void start() {
        auto counter = cancel_count(call_);
        std::weak_ptr<producer> weak = weak_from_this();
        out_.on_cancel([counter, weak] {
            ++*counter;
            if (auto self = weak.lock()) self->timer_.cancel();
        });
        if (more_(0)) {
            schedule();
        } else {
            finish();
        }
    }

private:
    void schedule() {
        timer_ = call_.after(delay_, [self = shared_from_this()] { self->emit(); });
    }

    void emit() {
        // Without a delay, items go out in runs of 64 per turn of the loop: a timer per item made the
        // stream as slow as the loop's round trip, while one unbounded run would hold the hub strand.
        const int run = delay_.count() == 0 ? 64 : 1;
        for (int i = 0; i < run; ++i) {
            if (!out_.write(next_++)) return;
            if (!more_(next_)) return finish();
        }
        schedule();
    }

    void finish() {
        if (failure_) {
            out_.fail(std::make_exception_ptr(std::runtime_error(*failure_)));
        } else {
            out_.complete();
        }
    }

    hub_call call_;
    stream_writer out_;
    std::function<bool(int)> more_;
    std::chrono::milliseconds delay_;
    std::optional<std::string> failure_;
    timer_handle timer_;
    int next_ = 0;
};

void produce(hub_call& call, stream_writer out, std::function<bool(int)> more, std::int32_t delay_ms,
             std::optional<std::string> failure = std::nullopt) {
    const std::chrono::milliseconds delay{std::clamp(delay_ms, 0, max_delay_ms)};
    std::make_shared<producer>(call, std::move(out), std::move(more), delay, std::move(failure))->start();
}

/// Completes a void method once a group change holds; a change no node acknowledged fails as
/// .NET's TaskCanceledException does (not a HubException: the text is detail, ERR-002).
std::function<void(std::optional<std::string>)> completes(deferred_result done) {
    return [done](std::optional<std::string> error) {
        if (error) return done.fail(std::make_exception_ptr(std::runtime_error(*error)));
        done.complete(value());
    };
}

void add_invocation_methods(hub& h) {
    h.method("Echo", [](hub_call&, value v) { return v; });
    h.method("HelloWorld", [](hub_call&) { return std::string("Hello World!"); });
    h.method("VoidMethod", [](hub_call&) {});
    h.method("Add", [](hub_call&, std::int32_t a, std::int32_t b) {
        // Wraps like C#'s unchecked int addition instead of overflowing.
        return static_cast<std::int32_t>(static_cast<std::uint32_t>(a) + static_cast<std::uint32_t>(b));
    });
    h.method("ThrowException", [](hub_call&, std::string message) { throw std::runtime_error(message); });
    // ERR-004: a HubException's message reaches the client even without detailed errors.
    h.method("ThrowHubException", [](hub_call&, std::string message) { throw hub_error(message); });
    h.method("Delay", [](hub_call& call, std::int32_t ms) {
        auto done = call.defer();
        call.after(std::chrono::milliseconds{std::clamp(ms, 0, max_delay_ms)}, [done, ms] { done.complete(ms); });
    });
    h.method("GetCallerConnectionId", [](hub_call& call) { return call.context().connection_id(); });
    h.method("GetActiveTransportName", [](hub_call& call) { return std::string(call.context().transport_name()); });
    h.method("GetUserIdentifier", [](hub_call& call) { return call.context().user_identifier(); });
    h.method("GetHeader", [](hub_call& call, std::string name) { return call.context().header(name); });
}

void add_targeting_methods(hub& h) {
    h.method("EchoToCaller", [](hub_call& call, value v) { call.clients().caller().send("Echo", {std::move(v)}); });
    h.method("Broadcast", [](hub_call& call, value v) { call.clients().all().send("Broadcast", {std::move(v)}); });
    h.method("SendToOthers",
             [](hub_call& call, value v) { call.clients().others().send("Broadcast", {std::move(v)}); });
    h.method("SendToConnection", [](hub_call& call, std::string id, value v) {
        call.clients().client(std::move(id)).send("Direct", {std::move(v)});
    });
    h.method("SendToUser", [](hub_call& call, std::string user, value v) {
        call.clients().user(std::move(user)).send("Direct", {std::move(v)});
    });
    // Each returns once the change holds (at once on one node; scaled out, RB-018 and RB-056).
    h.method("JoinGroup", [](hub_call& call, std::string group) {
        call.groups().add(call.context().connection_id(), group, completes(call.defer()));
    });
    h.method("LeaveGroup", [](hub_call& call, std::string group) {
        call.groups().remove(call.context().connection_id(), group, completes(call.defer()));
    });
    h.method("SendToGroup", [](hub_call& call, std::string group, value v) {
        call.clients().group(group).send("GroupMessage", {group, std::move(v)});
    });
    h.method("SendToOthersInGroup", [](hub_call& call, std::string group, value v) {
        call.clients().others_in_group(group).send("GroupMessage", {group, std::move(v)});
    });
    h.method("ManyArgs", [](hub_call& call, std::int32_t n) {
        if (n < 0 || n > 10) throw hub_error("ManyArgs takes n from 0 to 10, got " + std::to_string(n));
        value_list arguments;
        for (std::int32_t i = 0; i < n; ++i)
            arguments.emplace_back(i);
        call.clients().caller().send("ManyArgs", std::move(arguments));
    });
    h.method("Sequence", [](hub_call& call, std::int32_t count) {
        for (std::int32_t i = 0; i < count; ++i)
            call.clients().caller().send("Seq", {i});
        return count;
    });
}

void add_streaming_methods(hub& h) {
    h.method("Stream", [](hub_call& call, stream_writer out, std::int32_t count, std::int32_t delay_ms) {
        produce(
            call, std::move(out), [count](int i) { return i < count; }, delay_ms);
    });
    h.method("EmptyStream", [](hub_call&, stream_writer out) { out.complete(); });
    h.method("InfiniteStream", [](hub_call& call, stream_writer out, std::int32_t delay_ms) {
        produce(
            call, std::move(out), [](int) { return true; }, delay_ms);
    });
    h.method("StreamThrowException", [](hub_call& call, stream_writer out, std::int32_t count, std::string message) {
        produce(
            call, std::move(out), [count](int i) { return i < count; }, 0, std::move(message));
    });
    h.method("GetCancelCount", [](hub_call& call) { return *cancel_count(call); });
    h.method("Sum", [](hub_call& call, upload_stream in) {
        auto done = call.defer();
        auto sum = std::make_shared<std::int64_t>(0);
        auto bad = std::make_shared<bool>(false);
        in.on_item([sum, bad](const value& item) {
            if (auto n = bind_value<std::int64_t>(item)) {
                *sum += *n;
            } else {
                *bad = true;
            }
        });
        in.on_end([done, sum, bad](std::optional<std::string> error) {
            if (error) return done.fail(*error);
            if (*bad) return done.fail(std::make_exception_ptr(std::invalid_argument("stream item is not an integer")));
            done.complete(*sum);
        });
    });
    h.method("UploadConcat", [](hub_call& call, upload_stream in) {
        auto done = call.defer();
        auto text = std::make_shared<std::string>();
        in.on_item([text](const value& item) {
            if (const std::string* s = item.as_string()) text->append(*s);
        });
        in.on_end([done, text](std::optional<std::string> error) {
            if (error) return done.fail(*error);
            done.complete(*text);
        });
    });
    h.method("StreamEcho", [](hub_call& call, stream_writer out, upload_stream in) {
        auto counter = cancel_count(call);
        out.on_cancel([counter] { ++*counter; });
        in.on_item([out](const value& item) { out.write(item); });
        in.on_end([out](std::optional<std::string> error) {
            if (error) return out.fail(std::make_exception_ptr(hub_error(*error)));
            out.complete();
        });
    });
}

void add_connection_methods(hub& h) {
    h.method("ClientResult", [](hub_call& call, std::string method, value v) {
        auto done = call.defer();
        call.clients().caller().invoke(method, {std::move(v)}, [done](client_result answer) {
            if (answer.error) return done.fail(*answer.error); // CR-006: surfaces as a HubException
            done.complete(answer.result ? std::move(*answer.result) : value());
        });
    });
    h.method("Abort", [](hub_call& call) { call.context().abort(); });

    // Peer-test extras of interop/aspnetcore (not in the contract).
    h.method("EchoReply", [](hub_call& call, value v) {
        call.clients().others().send("EchoReply", {call.context().connection_id(), std::move(v)});
    });
    h.method("SendMethodToConnection",
             [](hub_call& call, std::string id, std::string method, std::vector<value> arguments) {
                 call.clients().client(std::move(id)).send(method, std::move(arguments));
             });
    h.method("AddConnectionToGroup", [](hub_call& call, std::string id, std::string group) {
        call.groups().add(id, group, completes(call.defer())); // another node's connection: a group command
    });
    h.method("RemoveConnectionFromGroup", [](hub_call& call, std::string id, std::string group) {
        call.groups().remove(id, group, completes(call.defer()));
    });
    h.method("ClientResultFromConnection", [](hub_call& call, std::string id, std::string method, value v) {
        auto done = call.defer();
        call.clients().client(std::move(id)).invoke(method, {std::move(v)}, [done](client_result answer) {
            if (answer.error) return done.fail(*answer.error);
            done.complete(answer.result ? std::move(*answer.result) : value());
        });
    });
}

} // namespace

hub make_conformance_hub() {
    hub h;
    h.type_name("Hubspec.ConformanceHub");
    h.on_connected([](hub_call& call) { cancel_count(call); });
    add_invocation_methods(h);
    add_targeting_methods(h);
    add_streaming_methods(h);
    add_connection_methods(h);
    return h;
}

hub make_chat_hub() {
    hub h;
    h.type_name("Hubspec.ChatHub");
    h.method("SendMessage", [](hub_call& call, std::string user, std::string message) {
        call.clients().all().send("ReceiveMessage", {std::move(user), std::move(message)});
    });
    return h;
}

void add_contract_endpoints(server& s) {
    using protocol::transport_type;
    endpoint_options all;
    endpoint_options conformance = all;
    conformance.allow_stateful_reconnects = true;
    endpoint_options no_websockets;
    no_websockets.transports = {transport_type::server_sent_events, transport_type::long_polling};
    endpoint_options authorized;
    authorized.require_authorization = true;

    s.add_hub("/conformance", make_conformance_hub(), conformance);
    // One hub type at three paths: SendToUser from /conformance reaches users of /conformance-auth.
    s.add_hub_alias("/conformance-nows", "/conformance", no_websockets);
    s.add_hub_alias("/conformance-auth", "/conformance", authorized);
    s.add_hub("/chat", make_chat_hub(), all);
    s.enable_tokens("/redirect", "/conformance-auth");
}

} // namespace hubspec::server
