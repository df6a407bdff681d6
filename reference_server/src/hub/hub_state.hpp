#pragma once
// The shared state behind the handles of hub_context.hpp: one pending
// invocation, one server-to-client stream, one upload stream.

#include "hubspec/server/hub_context.hpp"

#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace hubspec::server::detail {

class hub_connection;

struct upload_state {
    std::string stream_id;
    std::function<void(const value&)> on_item;
    std::function<void(std::optional<std::string>)> on_end;
    std::deque<value> backlog; // items that came before on_item was set
    bool ended = false;
    std::optional<std::string> end_error;
    bool end_delivered = false;
};

/// A non-streaming invocation until its Completion is written.
struct pending_invocation {
    std::weak_ptr<hub_connection> connection;
    std::optional<std::string> invocation_id; // none: non-blocking, nothing is sent (MSG-012)
    std::string method;
    std::vector<std::shared_ptr<upload_state>> uploads; // completed locally when the method returns (MSG-097)
    bool done = false;
    bool holds_slot = false; // the connection's one running invocation (MSG-102)
};

/// A server-to-client stream until its Completion is written (MSG-022).
struct stream_state {
    std::weak_ptr<hub_connection> connection;
    std::string invocation_id;
    std::string method;
    std::vector<std::shared_ptr<upload_state>> uploads;
    std::vector<std::function<void()>> on_cancel;
    bool done = false;
    bool canceled = false; // ended by the client's CancelInvocation (MSG-051)
};

} // namespace hubspec::server::detail
