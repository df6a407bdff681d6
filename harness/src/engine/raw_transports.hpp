#pragma once
// The raw-wire transports behind raw_connect (raw_connect.cpp). Each opener returns
// an actor whose transport is open: a refusal surfaces as raw_refused before that.
// Beast stays in each transport's .cpp.

#include "engine/http_exchange.hpp"
#include "engine/raw_actor.hpp"

#include "http_request.hpp" // the client's HTTP helper (harness -> reference client)

#include <hubspec/protocol/url.hpp>

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <future>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <string>

namespace hubspec::harness::detail {

struct raw_transport_settings {
    std::string url; // the transport URL, `id` and the scenario's extra query already added
    header_list headers;
    client::tls_options tls;                   // https:// and wss://
    std::chrono::milliseconds timeout{10'000}; // connecting, each send, each request
    bool handshake = true;                     // the first record from the server is the handshake response
};

/// How opening went: status 0 and no error means open; a status is the server's refusal.
struct raw_open_result {
    int status = 0;
    std::string error;
};
using raw_open_promise = std::shared_ptr<std::promise<raw_open_result>>;

/// What the three transports share: their settings, opening from the caller's thread, and
/// the one-time end of the transport, which close() waits for (bounded) from the caller's thread.
class raw_transport_actor : public raw_actor {
public:
    raw_transport_actor(const std::string& name, const protocol::hub_protocol& protocol, transcript& log,
                        raw_transport_settings settings)
        : raw_actor(name, protocol, log), settings_(std::move(settings)) {}

protected:
    /// `begin` starts opening (it posts to the io thread) and sets the promise it is given once.
    /// Waits the timeout and a second for it: a refusal throws raw_refused, another failure
    /// runtime_error; past the wait `abandon` runs and runtime_error says `late` "within N ms" `note`.
    void await_open(const std::function<void(raw_open_promise)>& begin, const std::function<void()>& abandon,
                    const std::string& late, const std::string& note = {}) {
        auto result = std::make_shared<std::promise<raw_open_result>>();
        auto opened = result->get_future();
        begin(result);
        if (opened.wait_for(settings_.timeout + std::chrono::seconds(1)) != std::future_status::ready) {
            abandon();
            throw std::runtime_error(late + " within " + std::to_string(settings_.timeout.count()) + " ms" + note);
        }
        auto outcome = opened.get();
        if (outcome.status != 0) throw raw_refused(outcome.status, outcome.error);
        if (!outcome.error.empty()) throw std::runtime_error(outcome.error);
    }

    /// Reports the end once (deliver_closed); later calls are ignored.
    void mark_ended(std::string how) {
        {
            std::lock_guard lock(end_mutex_);
            if (ended_) return;
            ended_ = true;
        }
        deliver_closed(std::move(how));
        end_changed_.notify_all();
    }
    bool ended() {
        std::lock_guard lock(end_mutex_);
        return ended_;
    }
    bool wait_ended(std::chrono::milliseconds for_at_most) {
        std::unique_lock lock(end_mutex_);
        return end_changed_.wait_for(lock, for_at_most, [this] { return ended_; });
    }
    /// How long close() waits for the peer: ASP.NET Core's own close timeout (WS-013), at most.
    std::chrono::milliseconds close_wait() const {
        return std::min(settings_.timeout, std::chrono::milliseconds(5'000));
    }

    raw_transport_settings settings_;

private:
    std::mutex end_mutex_;
    std::condition_variable end_changed_;
    bool ended_ = false;
};

std::unique_ptr<raw_actor> open_raw_websocket(const std::string& name, const raw_transport_settings& settings,
                                              const protocol::hub_protocol& protocol, transcript& log);
std::unique_ptr<raw_actor> open_raw_sse(const std::string& name, const raw_transport_settings& settings,
                                        const protocol::hub_protocol& protocol, transcript& log);
std::unique_ptr<raw_actor> open_raw_long_polling(const std::string& name, const raw_transport_settings& settings,
                                                 const protocol::hub_protocol& protocol, transcript& log);

/// "200 OK" and, when there is one, ": " + the start of the body: one transcript line.
std::string describe_status(int status, const std::string& reason, const std::string& body = {});

/// A POST of `bytes` to `url` as SSE and long polling send (LP-013), recorded in the
/// transcript; a failure or a non-200 answer is a note, not an exception, so that
/// scenarios can go on to observe how the server ended the connection. With `logged` false
/// only the failures are recorded.
void post_raw_send(transcript& log, const std::string& actor, const protocol::hub_protocol& protocol,
                   const raw_transport_settings& settings, const std::string& bytes, bool logged = true);

} // namespace hubspec::harness::detail
