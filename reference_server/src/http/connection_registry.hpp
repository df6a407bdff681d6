#pragma once
// The connections the HTTP side knows, by token (NEG-022): what negotiate or a
// WebSocket without negotiate created, which transport serves each, and when each
// goes (the end of its transport, the disconnect timeout). I/O thread only.

#include "hub/hub_connection.hpp"
#include "hub_endpoint.hpp"
#include "long_polling_transport.hpp"

#include "hubspec/protocol/negotiate.hpp"

#include <chrono>
#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <utility>

namespace hubspec::server::detail {

struct negotiated_connection {
    std::string connection_id;
    const hub_endpoint* owner = nullptr;
    bool stateful = false; // negotiate granted useStatefulReconnect (NEG-026)
    std::optional<protocol::transport_type> transport;
    bool active = false;                                  // a WebSocket or event stream is open
    std::chrono::steady_clock::time_point inactive_since; // negotiated, or a stateful WebSocket dropped
    std::shared_ptr<hub_connection> hub;
    std::shared_ptr<long_polling_transport> polling;
    std::string early_input; // POSTed before the transport started: fed at the start
};

class connection_registry {
public:
    using clock = std::chrono::steady_clock;
    using map = std::unordered_map<std::string, negotiated_connection>;

    explicit connection_registry(std::chrono::milliseconds disconnect_timeout)
        : disconnect_timeout_(disconnect_timeout) {}

    /// Keeps `c` under `token`, replacing what was there.
    void add(const std::string& token, negotiated_connection c) { connections_[token] = std::move(c); }
    /// The connection behind `token`; nullptr when there is none.
    negotiated_connection* find(const std::string& token);
    const map& all() const noexcept { return connections_; }
    std::size_t size() const noexcept { return connections_.size(); }
    /// How many connections ended since the last call (for returning their memory in bulk).
    std::size_t take_ended_count() noexcept { return std::exchange(ended_, 0); }
    /// The token of the started, not ended connection with this id; nullopt if none.
    std::optional<std::string> token_of(const std::string& connection_id) const;

    /// The WebSocket or event stream `sink` of the connection behind `token` ended.
    /// Unless a stateful connection now waits for a resume (SR-012), the connection
    /// ends and later requests get 404 (SSE-013). A transport already replaced is ignored.
    void transport_ended(const std::string& token, const transport_sink* sink, transport_end how);
    /// Drops what waited too long (KA-010, scan every 1 s): negotiated connections no
    /// transport activated (NEG-036), long polling without a poll (LP-011), stateful
    /// connections not resumed (SR-012).
    void sweep(clock::time_point now);
    /// Forgets `token` and ends its connection without writing (LP-017, SSE-013).
    void dispose(const std::string& token);
    /// dispose(), unless long polling still has data to deliver (LP-009).
    void dispose_if_done(const std::string& token);

private:
    std::chrono::milliseconds disconnect_timeout_; // DisconnectTimeout (NEG-036, KA-010, LP-011, SR-012)
    map connections_;
    std::size_t ended_ = 0; // connections disposed since take_ended_count()
};

} // namespace hubspec::server::detail
