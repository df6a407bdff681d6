#include "hubspec/harness/scenario.hpp"

namespace hubspec::harness {

std::string_view to_string(protocol_name p) noexcept {
    return p == protocol_name::json ? "json" : "messagepack";
}

std::optional<protocol_name> parse_protocol_name(std::string_view text) noexcept {
    if (text == "json") return protocol_name::json;
    if (text == "messagepack") return protocol_name::messagepack;
    return std::nullopt;
}

std::string_view transport_option_name(protocol::transport_type t) noexcept {
    switch (t) {
    case protocol::transport_type::websockets: return "websockets";
    case protocol::transport_type::server_sent_events: return "serversentevents";
    case protocol::transport_type::long_polling: return "longpolling";
    }
    return "unknown";
}

std::optional<protocol::transport_type> parse_transport_option(std::string_view text) noexcept {
    if (text == "websockets") return protocol::transport_type::websockets;
    if (text == "serversentevents") return protocol::transport_type::server_sent_events;
    if (text == "longpolling") return protocol::transport_type::long_polling;
    return protocol::parse_transport_name(text); // the wire names work too
}

std::string source_location::to_string() const {
    return line > 0 ? file + ":" + std::to_string(line) : file;
}

std::string cell_label(const cell& c, bool once) {
    if (once) return "-";
    return std::string(protocol::transport_name(c.transport)) + "/" + std::string(harness::to_string(c.protocol));
}

} // namespace hubspec::harness
