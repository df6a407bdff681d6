#include "negotiation.hpp"

#include <hubspec/protocol/texts.hpp>

namespace hubspec::client::detail {

namespace texts = protocol::texts;

negotiate_step interpret_negotiate(const http_response& response, bool stateful_requested) {
    if (response.status != 200) {
        if (response.status >= 200 && response.status < 300)
            return negotiate_failed{"Unexpected status code returned from negotiate '" +
                                    std::to_string(response.status) + "'"};
        // The TS client's text: its HttpError printed after the prefix (NEG-023).
        std::string text = "Failed to complete negotiation with the server: Error: " + response.reason +
                           ": Status code '" + std::to_string(response.status) + "'";
        if (response.status == 404)
            text += " Either this is not a SignalR endpoint or there is a proxy blocking the connection.";
        return negotiate_failed{std::move(text)};
    }
    auto parsed = protocol::parse_negotiate_response(response.body);
    if (!parsed) {
        if (parsed.error().code == protocol::error::legacy_server)
            return negotiate_failed{std::string(texts::legacy_server)};
        return negotiate_failed{"Invalid negotiate response: " + parsed.error().message};
    }
    auto& r = *parsed;
    if (r.error) return negotiate_failed{*r.error}; // NEG-017: the server's text, nothing attempted
    if (r.url) return negotiate_redirect{*r.url, r.access_token};
    if (r.use_stateful_reconnect && !stateful_requested)
        return negotiate_failed{std::string(texts::unrequested_stateful_reconnect)}; // NEG-027
    auto id = r.transport_id();
    if (!r.connection_id || !id) return negotiate_failed{"Invalid negotiate response: no connection id."};
    auto connection_id = *r.connection_id;
    auto transport_id = *id;
    return negotiate_accepted{std::move(r), std::move(connection_id), std::move(transport_id)};
}

} // namespace hubspec::client::detail
