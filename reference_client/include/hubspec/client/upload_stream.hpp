#pragma once
// A client-to-server stream (MSG-094): pass it to invoke/send/stream, then write
// items and complete it. Writes made before the invocation goes out are kept and
// sent after it, in order. Copies share the same stream; any thread may write.

#include <hubspec/protocol/value.hpp>

#include <memory>
#include <optional>
#include <string>

namespace hubspec::client {

namespace detail {
class upload_state;
}

class upload_stream {
public:
    upload_stream();

    void write(protocol::value item);
    /// Ends the stream; with an error the server sees it fail (a Completion with `error`).
    void complete(std::optional<std::string> error = std::nullopt);

    const std::shared_ptr<detail::upload_state>& state() const noexcept { return state_; }

private:
    std::shared_ptr<detail::upload_state> state_;
};

} // namespace hubspec::client
