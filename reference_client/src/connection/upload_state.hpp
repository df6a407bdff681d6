#pragma once
// The shared state behind an upload_stream: events queue here until the
// invocation that names the stream is written, then flow to the connection.

#include <hubspec/protocol/value.hpp>

#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

namespace hubspec::client::detail {

struct upload_event {
    std::optional<protocol::value> item; // an item, or (nullopt) the end of the stream
    std::optional<std::string> error;    // with the end: the stream failed
};

class upload_state {
public:
    using sink = std::function<void(upload_event)>;

    void push(upload_event event);
    /// Attaches the connection; queued events go out now, in order. False if already bound.
    bool bind(sink s);
    /// The connection is gone: later events are dropped.
    void unbind();

private:
    std::mutex mutex_;
    sink sink_;
    std::vector<upload_event> pending_;
    bool bound_ = false;
    bool ended_ = false;
};

} // namespace hubspec::client::detail
