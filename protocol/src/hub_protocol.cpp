#include "hubspec/protocol/hub_protocol.hpp"

namespace hubspec::protocol {

std::string_view transfer_format_name(transfer_format f) noexcept {
    return f == transfer_format::binary ? "Binary" : "Text";
}

const hub_protocol* find_protocol(std::string_view name) noexcept {
    // Names compare exactly, as ASP.NET Core's protocol resolver does (HS-005).
    if (name == json_protocol().name()) return &json_protocol();
    if (name == messagepack_protocol().name()) return &messagepack_protocol();
    return nullptr;
}

} // namespace hubspec::protocol
