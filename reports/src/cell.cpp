#include "hubspec/reports/cell.hpp"

namespace hubspec::harness {

std::string_view to_string(protocol_name p) noexcept {
    return p == protocol_name::json ? "json" : "messagepack";
}

std::optional<protocol_name> parse_protocol_name(std::string_view text) noexcept {
    if (text == "json") return protocol_name::json;
    if (text == "messagepack") return protocol_name::messagepack;
    return std::nullopt;
}

std::string cell_label(const cell& c, bool once) {
    if (once) return "-";
    return std::string(protocol::transport_name(c.transport)) + "/" + std::string(harness::to_string(c.protocol));
}

} // namespace hubspec::harness
