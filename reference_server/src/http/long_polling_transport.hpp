#pragma once
// The long polling transport (LP-*) as plain data: it buffers what the hub
// connection writes and answers polls, without sockets. The router asks it for
// a deferred reply per GET; the Beast adapter writes whatever it decides.
//
// Rules kept here: a poll with data gets every buffered byte at once (LP-005,
// whole records only, since the connection writes whole records); a poll with
// nothing for the poll timeout gets 200 empty text/plain (LP-006); a newer poll
// ends the older with 204 (LP-008); once the connection ended, the data still
// buffered goes out first and the poll after it gets 204 (LP-009), which
// finishes the transport. The first poll (LP-003) is the router's.

#include "deferred_reply.hpp"
#include "hub/hub_connection.hpp"
#include "scheduler.hpp"
#include "violation_hooks.hpp"

#include <chrono>
#include <memory>
#include <optional>
#include <string>

namespace hubspec::server::detail {

/// LP-002: on every long-polling GET response.
header_list no_cache_headers();
/// A poll reply (LP-002, LP-005, LP-006, LP-008): 200 with data, 200 empty on timeout, 204.
http_reply poll_reply_with_data(std::string body);
http_reply poll_reply_timed_out();
http_reply poll_reply_no_content();

class long_polling_transport final : public transport_sink,
                                     public std::enable_shared_from_this<long_polling_transport> {
public:
    using clock = std::chrono::steady_clock;

    long_polling_transport(scheduler& timers, std::chrono::milliseconds poll_timeout, violation_hooks hooks = {})
        : timers_(timers), poll_timeout_(poll_timeout), idle_since_(clock::now()), hooks_(hooks) {}

    // transport_sink
    void set_binary(bool) override {} // bodies are bytes either way (LP-005, LP-021)
    void send(std::shared_ptr<const std::string> records) override;
    void close() override;

    /// A GET: ends the pending poll with 204 (LP-008) and returns this one's reply.
    std::shared_ptr<deferred_reply> poll();
    /// DELETE or disposal: the pending poll gets 204 (LP-009, LP-017); nothing more is sent.
    void terminate();
    /// The control API's drop: the pending poll loses its TCP connection, no reply;
    /// what was buffered is lost, as on a network failure.
    void drop() override;

    /// When the last poll completed while none is pending; nullopt while one is (LP-011).
    std::optional<clock::time_point> idle_since() const noexcept;
    /// The connection ended and a poll was told so with 204: the token can go.
    bool finished() const noexcept { return finished_; }
    std::size_t buffered_bytes() const noexcept { return buffer_.size(); }

private:
    void complete(http_reply reply);

    scheduler& timers_;
    std::chrono::milliseconds poll_timeout_;
    std::string buffer_;
    std::shared_ptr<deferred_reply> pending_;
    timer_handle poll_timer_;
    clock::time_point idle_since_;
    violation_hooks hooks_; // --violate: LP-002
    bool closing_ = false;  // the connection ended: drain, then 204
    bool finished_ = false;
};

} // namespace hubspec::server::detail
