#pragma once
// The lifecycle the three transports share (start, stop, abort and how each ends is
// reported), written once; each transport adds its I/O through the hooks below.

#include "transport.hpp"

#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace boost::asio {
class io_context;
}

namespace hubspec::client::detail {

class transport_base : public transport, public std::enable_shared_from_this<transport_base> {
public:
    void start(const std::string& url, protocol::transfer_format format, started_handler started,
               receive_handler receive, closed_handler closed) final;
    void stop() final;
    void abort() final;

protected:
    enum class phase { starting, open, closing, done };

    transport_base(boost::asio::io_context& io, transport_settings settings);

    /// Begins starting: ends in opened() or fail_start().
    virtual void connect(const std::string& url, protocol::transfer_format format) = 0;
    /// stop() while starting: the pending step fails and reports the stop.
    virtual void cancel_start() = 0;
    /// stop() once open (phase_ is closing): end gracefully after queued sends; finish() follows.
    virtual void begin_close() = 0;
    /// abort() once open or closing: end at once; finish() follows.
    virtual void abort_open() = 0;
    /// The end: cancel what is pending and let the connection go.
    virtual void release() = 0;
    /// A failed start: release() unless the transport still has something to say (WebSockets' Close).
    virtual void release_start() { release(); }

    /// The start succeeded: phase_ is open and `started` runs; `description` is traced.
    /// False when stop() came while starting: the start fails instead (fail_start()).
    bool opened(const std::string& description);
    /// The start failed: `started` gets the error, posted, and nothing else runs.
    void fail_start(std::string error);
    /// The end once open: `closed` runs once; no error is a graceful end (WS-018), unless abort() ended it.
    void finish(std::optional<std::string> error);
    /// A send (POST) failed while the downlink is open: the server may just have ended the
    /// connection, and what it sent last (a Close without allowReconnect, MSG-075) is still on
    /// its way down. The downlink gets a moment to deliver it and end; then finish(error).
    void finish_after_downlink(std::string error);
    /// Hands received bytes to the connection, traced as `what`.
    void deliver(std::string_view what, std::string_view bytes);

    template <class Derived>
    std::shared_ptr<Derived> shared_as() {
        return std::static_pointer_cast<Derived>(shared_from_this());
    }

    boost::asio::io_context& io_;
    transport_settings settings_;
    phase phase_ = phase::starting;
    bool stop_requested_ = false;
    bool aborted_ = false;

private:
    started_handler started_;
    receive_handler receive_;
    closed_handler closed_;
};

} // namespace hubspec::client::detail
