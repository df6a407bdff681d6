#include "connection_registry.hpp"

#include "log.hpp"

#include <vector>

namespace hubspec::server::detail {

negotiated_connection* connection_registry::find(const std::string& token) {
    auto it = connections_.find(token);
    return it == connections_.end() ? nullptr : &it->second;
}

std::optional<std::string> connection_registry::token_of(const std::string& connection_id) const {
    for (const auto& [token, c] : connections_) {
        if (c.connection_id == connection_id && c.hub && !c.hub->closed()) return token;
    }
    return std::nullopt;
}

void connection_registry::transport_ended(const std::string& token, const transport_sink* sink, transport_end how) {
    auto it = connections_.find(token);
    if (it == connections_.end()) return;
    auto& c = it->second;
    if (!c.hub) {
        dispose(token);
        return;
    }
    auto hub = c.hub;
    if (!hub->closed() && !hub->serves(sink)) return; // a transport a resume replaced (SR-019)
    hub->on_transport_closed(how);
    if (hub->awaiting_resume()) {
        c.active = false;
        c.inactive_since = clock::now(); // SR-012: the disconnect timeout runs from here
        return;
    }
    dispose(token);
}

void connection_registry::dispose_if_done(const std::string& token) {
    auto it = connections_.find(token);
    if (it == connections_.end()) return;
    const auto& c = it->second;
    if (c.polling && !c.polling->finished() && c.polling->buffered_bytes() > 0) return; // LP-009: drain first
    dispose(token);
}

void connection_registry::dispose(const std::string& token) {
    auto it = connections_.find(token);
    if (it == connections_.end()) return;
    auto hub = std::move(it->second.hub);
    auto polling = std::move(it->second.polling);
    connections_.erase(it);
    ++ended_;
    if (polling) polling->terminate(); // LP-009, LP-017: a pending poll gets 204
    if (!hub) return;
    if (hub->awaiting_resume()) {
        hub->expire();
    } else {
        hub->on_transport_closed(transport_end::graceful);
    }
}

void connection_registry::sweep(clock::time_point now) {
    std::vector<std::string> expired;
    for (const auto& [token, c] : connections_) {
        const auto timeout = disconnect_timeout_;
        if (c.polling) {
            const auto idle = c.polling->idle_since();
            if (c.polling->finished() || (idle && now - *idle > timeout)) {
                if (!c.polling->finished())
                    log_event("LP-011", c.connection_id, "no poll within the disconnect timeout");
                expired.push_back(token);
            }
        } else if (!c.hub) {
            if (now - c.inactive_since > timeout) {
                log_event("NEG-036", c.connection_id, "negotiated but never used: discarded");
                expired.push_back(token);
            }
        } else if (c.hub->awaiting_resume()) {
            if (now - c.inactive_since > timeout) expired.push_back(token); // SR-012 (logged by expire)
        } else if (c.hub->closed() && !c.active) {
            expired.push_back(token);
        }
    }
    for (const auto& token : expired)
        dispose(token);
}

} // namespace hubspec::server::detail
