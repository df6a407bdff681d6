#include "engine/payload_text.hpp"

#include "hubspec/harness/message_json.hpp"

#include <hubspec/protocol/hex.hpp>

#include <algorithm>

namespace hubspec::harness::detail {
namespace {

/// Every record decoded, or nothing if any part is not a whole message.
std::optional<std::string> decode_records(std::string_view bytes, const protocol::hub_protocol& protocol) {
    std::string out;
    while (!bytes.empty()) {
        auto record = protocol.next_record(bytes);
        if (!record) return std::nullopt;
        auto message = protocol.parse(record->body);
        if (!out.empty()) out += "  ";
        if (message)
            out += message_to_json(*message);
        else if (protocol.format() == protocol::transfer_format::text)
            out += std::string(record->body) + "\\u001e";
        else
            return std::nullopt;
        bytes.remove_prefix(record->consumed);
    }
    return out;
}

bool printable(std::string_view bytes) {
    return std::all_of(bytes.begin(), bytes.end(),
                       [](unsigned char c) { return c >= 0x20 || c == '\n' || c == '\r' || c == '\t' || c == 0x1e; });
}

std::string show_text(std::string_view bytes) {
    std::string out;
    for (char c : bytes) {
        if (c == '\x1e')
            out += "\\u001e";
        else if (c == '\n')
            out += "\\n";
        else if (c == '\r')
            out += "\\r";
        else
            out += c;
    }
    return out;
}

} // namespace

std::string describe_payload(std::string_view bytes, const protocol::hub_protocol& protocol) {
    if (bytes.empty()) return "(empty)";
    if (auto decoded = decode_records(bytes, protocol)) return *decoded;
    // The handshake is JSON even on a MessagePack connection.
    if (auto decoded = decode_records(bytes, protocol::json_protocol())) return *decoded;
    if (printable(bytes)) return show_text(bytes);
    return "hex " + protocol::to_hex(bytes);
}

} // namespace hubspec::harness::detail
