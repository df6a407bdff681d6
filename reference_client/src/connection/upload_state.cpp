#include "upload_state.hpp"

#include "hubspec/client/upload_stream.hpp"

namespace hubspec::client {

namespace detail {

void upload_state::push(upload_event event) {
    std::lock_guard lock(mutex_);
    if (ended_) return; // nothing after the end, and nothing once the connection is gone
    if (!event.item) ended_ = true;
    if (bound_) {
        if (sink_) sink_(std::move(event));
        return;
    }
    pending_.push_back(std::move(event));
}

bool upload_state::bind(sink s) {
    std::lock_guard lock(mutex_);
    if (bound_) return false;
    bound_ = true;
    sink_ = std::move(s);
    for (auto& e : pending_)
        sink_(std::move(e)); // under the lock, so later writes cannot overtake
    pending_.clear();
    return true;
}

void upload_state::unbind() {
    std::lock_guard lock(mutex_);
    sink_ = nullptr;
    ended_ = true;
}

} // namespace detail

upload_stream::upload_stream() : state_(std::make_shared<detail::upload_state>()) {}

void upload_stream::write(protocol::value item) {
    state_->push({std::move(item), std::nullopt});
}

void upload_stream::complete(std::optional<std::string> error) {
    state_->push({std::nullopt, std::move(error)});
}

} // namespace hubspec::client
