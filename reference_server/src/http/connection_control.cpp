#include "connection_control.hpp"

#include <algorithm>

namespace hubspec::server::detail {

namespace p = hubspec::protocol;

std::vector<connection_info> connection_control::connections(std::string_view hub_path) const {
    std::vector<connection_info> found;
    for (const auto& [token, c] : registry_.all()) {
        if (!c.hub || c.hub->closed() || (!hub_path.empty() && c.owner->path != hub_path)) continue;
        const bool poll_pending = c.polling && !c.polling->finished() && !c.polling->idle_since();
        found.push_back({c.connection_id, c.owner->path, std::string(p::transport_name(c.hub->identity().transport)),
                         c.hub->awaiting_resume(), poll_pending});
    }
    std::sort(found.begin(), found.end(),
              [](const auto& a, const auto& b) { return a.connection_id < b.connection_id; });
    return found;
}

void connection_control::drop_token(const std::string& token) {
    auto& c = *registry_.find(token);
    auto hub = c.hub;
    if (hub->awaiting_resume()) return; // dropped already; its disconnect timeout keeps running
    const transport_sink* sink = hub->drop_transport();
    if (c.polling) {
        registry_.dispose(token); // long polling has no transport of its own to report the end
        return;
    }
    // Decided now, so that the caller sees the outcome; the transport's own report comes later and is ignored.
    registry_.transport_ended(token, sink, transport_end::ungraceful);
}

bool connection_control::drop(const std::string& connection_id) {
    const auto token = registry_.token_of(connection_id);
    if (!token) return false;
    drop_token(*token);
    return true;
}

std::size_t connection_control::drop_all() {
    std::vector<std::string> tokens;
    for (const auto& [token, c] : registry_.all()) {
        if (c.hub && !c.hub->closed()) tokens.push_back(token);
    }
    for (const auto& token : tokens) {
        if (registry_.find(token)) drop_token(token);
    }
    return tokens.size();
}

bool connection_control::close(const std::string& connection_id, bool allow_reconnect,
                               std::optional<std::string> error) {
    const auto token = registry_.token_of(connection_id);
    if (!token) return false;
    auto hub = registry_.find(*token)->hub;
    hub->close({std::move(error), allow_reconnect},
               allow_reconnect ? "control API close with allowReconnect" : "control API close");
    return true;
}

std::shared_ptr<hub_connection> connection_control::live(const std::string& connection_id) const {
    const auto token = registry_.token_of(connection_id);
    if (!token) return nullptr;
    auto* c = registry_.find(*token);
    return c && c->hub && !c->hub->closed() ? c->hub : nullptr;
}

bool connection_control::send(const std::string& connection_id, const std::string& method,
                              protocol::value_list arguments) {
    auto hub = live(connection_id);
    if (!hub) return false;
    p::invocation_message invocation;
    invocation.target = method;
    invocation.arguments = std::move(arguments);
    hub->send_message(invocation);
    return true;
}

bool connection_control::send_raw(const std::string& connection_id, std::string bytes) {
    auto hub = live(connection_id);
    if (!hub) return false;
    hub->send_encoded(std::make_shared<const std::string>(std::move(bytes)));
    return true;
}

bool connection_control::invoke(const std::string& connection_id, const std::string& method,
                                protocol::value_list arguments, std::function<void(client_result)> on_result) {
    auto hub = live(connection_id);
    if (!hub) return false;
    hub->invoke_client(method, std::move(arguments), std::move(on_result));
    return true;
}

} // namespace hubspec::server::detail
