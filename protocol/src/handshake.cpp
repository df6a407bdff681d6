#include "hubspec/protocol/handshake.hpp"

#include "hubspec/protocol/framing.hpp"
#include "hubspec/protocol/json_value.hpp"
#include "hubspec/protocol/texts.hpp"

#include <algorithm>

namespace hubspec::protocol {

namespace {

protocol_error malformed(std::string detail) {
    return make_protocol_error(error::malformed_handshake, std::move(detail));
}

} // namespace

std::string write_handshake_request(const handshake_request& request) {
    std::string out = "{\"protocol\":";
    write_json_string(request.protocol, out);
    out += ",\"version\":";
    out += std::to_string(request.version);
    out += '}';
    out += record_separator;
    return out;
}

std::string write_handshake_response(const handshake_response& response) {
    std::string out = "{";
    if (response.error) {
        out += "\"error\":";
        write_json_string(*response.error, out);
    }
    out += '}';
    out += record_separator;
    return out;
}

result<handshake_request> parse_handshake_request(std::string_view body) {
    auto parsed = parse_json_value(body);
    if (!parsed) return malformed("the handshake request is not valid JSON: " + parsed.error().message);
    if (parsed->kind() != value_kind::map) return malformed("the handshake request is not a JSON object");
    const value* protocol = parsed->find("protocol");
    const value* version = parsed->find("version");
    if (protocol == nullptr) return malformed(texts::missing_required_property("protocol"));
    if (version == nullptr) return malformed(texts::missing_required_property("version"));
    if (protocol->as_string() == nullptr) return malformed("'protocol' must be a string");
    const auto number = version->as_int64();
    if (!number) return malformed("'version' must be an integer");
    return handshake_request{*protocol->as_string(), *number}; // unknown properties ignored (HS-012)
}

result<handshake_response> parse_handshake_response(std::string_view body) {
    auto parsed = parse_json_value(body);
    if (!parsed) return malformed("the handshake response is not valid JSON: " + parsed.error().message);
    if (parsed->kind() != value_kind::map) return malformed("the handshake response is not a JSON object");
    if (parsed->find("type") != nullptr) {
        return make_protocol_error(error::unexpected_handshake_type, std::string(texts::expected_handshake_response));
    }
    handshake_response response;
    if (const value* e = parsed->find("error"); e != nullptr && !e->is_null()) {
        if (e->as_string() == nullptr) return malformed("'error' must be a string");
        response.error = *e->as_string();
    }
    return response;
}

handshake_response answer_handshake(const handshake_request& request,
                                    std::span<const hub_protocol* const> supported_protocols,
                                    std::span<const transfer_format> transport_formats) {
    const auto found = std::find_if(supported_protocols.begin(), supported_protocols.end(),
                                    [&](const hub_protocol* p) { return p->name() == request.protocol; });
    if (found == supported_protocols.end()) return {texts::unsupported_protocol(request.protocol)};
    const hub_protocol& protocol = **found;
    if (request.version > protocol.version()) {
        return {texts::unsupported_protocol_version(request.protocol, request.version)};
    }
    if (std::find(transport_formats.begin(), transport_formats.end(), protocol.format()) == transport_formats.end()) {
        return {texts::unsupported_transfer_format(request.protocol, transfer_format_name(protocol.format()))};
    }
    return {};
}

} // namespace hubspec::protocol
