#include "transport_selection.hpp"

#include <algorithm>

namespace hubspec::client::detail {

namespace {
bool contains(const std::vector<protocol::transport_type>& list, protocol::transport_type t) {
    return std::find(list.begin(), list.end(), t) != list.end();
}
} // namespace

transport_choice select_transports(const std::vector<protocol::available_transport>& offered,
                                   const std::vector<protocol::transport_type>& allowed,
                                   protocol::transfer_format format, const std::vector<transport_failure>& failed) {
    transport_choice out;
    std::vector<protocol::transport_type> named; // failures reported already
    auto wanted_format = protocol::transfer_format_name(format);
    for (const auto& entry : offered) {
        auto type = protocol::parse_transport_name(entry.transport);
        // The texts are the TS client's (HttpConnection._resolveTransportOrError).
        auto skip = [&](const std::string& why) { out.reasons.push_back(entry.transport + " failed: " + why); };
        if (!type) {
            skip("Skipping transport '" + entry.transport + "' because it is not supported by this client.");
            continue;
        }
        if (contains(out.candidates, *type) || contains(named, *type)) continue; // listed twice: once is enough
        auto previous = std::find_if(failed.begin(), failed.end(), [&](const auto& f) { return f.type == *type; });
        if (previous != failed.end()) {
            skip(previous->error);
            named.push_back(*type);
            continue;
        }
        if (!allowed.empty() && !contains(allowed, *type)) {
            skip("'" + entry.transport + "' is disabled by the client.");
            continue;
        }
        auto can_carry = protocol::transfer_formats_of(*type);
        if (std::find(entry.transfer_formats.begin(), entry.transfer_formats.end(), wanted_format) ==
                entry.transfer_formats.end() ||
            std::find(can_carry.begin(), can_carry.end(), format) == can_carry.end()) {
            skip("'" + entry.transport + "' does not support " + std::string(wanted_format) + ".");
            continue;
        }
        out.candidates.push_back(*type);
    }
    // A transport that failed and is no longer offered still explains the outcome.
    for (const auto& f : failed)
        if (!contains(named, f.type) && !contains(out.candidates, f.type))
            out.reasons.push_back(std::string(protocol::transport_name(f.type)) + " failed: " + f.error);
    return out;
}

std::string no_transport_error(const std::vector<std::string>& reasons) {
    if (reasons.empty()) return "None of the transports supported by the client are supported by the server.";
    std::string text = "Unable to connect to the server with any of the available transports.";
    for (const auto& r : reasons)
        text += " " + r;
    return text;
}

} // namespace hubspec::client::detail
