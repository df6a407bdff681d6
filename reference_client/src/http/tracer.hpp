#pragma once
// The connection's trace hook as the transports and the core call it: one
// shared handler, and a test that costs a pointer check when none is set.

#include "hubspec/client/trace.hpp"

#include <chrono>
#include <memory>
#include <string_view>
#include <utility>

namespace hubspec::client::detail {

class tracer {
public:
    tracer() = default;
    explicit tracer(trace_handler handler)
        : handler_(handler ? std::make_shared<const trace_handler>(std::move(handler)) : nullptr) {}

    /// Callers test this before building any text, so an unset trace costs nothing more.
    explicit operator bool() const noexcept { return handler_ != nullptr; }

    void operator()(trace_direction direction, trace_kind kind, std::string_view text,
                    std::string_view bytes = {}) const {
        if (!handler_) return;
        (*handler_)(trace_event{std::chrono::system_clock::now(), direction, kind, text, bytes});
    }

private:
    std::shared_ptr<const trace_handler> handler_; // shared: transports may outlive the core's attempt
};

} // namespace hubspec::client::detail
