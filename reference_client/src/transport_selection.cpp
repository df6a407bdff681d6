#include "transport_selection.hpp"

#include <algorithm>

namespace hubspec::client::detail {

transport_choice select_transports(const std::vector<protocol::available_transport>& offered,
                                   const std::vector<protocol::transport_type>& allowed,
                                   protocol::transfer_format format) {
    transport_choice out;
    auto wanted_format = protocol::transfer_format_name(format);
    for (const auto& entry : offered) {
        auto type = protocol::parse_transport_name(entry.transport);
        if (!type) {
            out.skipped.push_back("Skipping transport '" + entry.transport +
                                  "' because it is not supported by this client.");
            continue;
        }
        if (!allowed.empty() && std::find(allowed.begin(), allowed.end(), *type) == allowed.end()) {
            out.skipped.push_back("'" + entry.transport + "' is disabled by the client.");
            continue;
        }
        if (std::find(entry.transfer_formats.begin(), entry.transfer_formats.end(), wanted_format) ==
            entry.transfer_formats.end()) {
            out.skipped.push_back("'" + entry.transport + "' does not support " + std::string(wanted_format) + ".");
            continue;
        }
        if (std::find(out.candidates.begin(), out.candidates.end(), *type) == out.candidates.end())
            out.candidates.push_back(*type);
    }
    return out;
}

std::string no_transport_error(const std::vector<std::string>& reasons) {
    std::string text = "Unable to connect to the server with any of the available transports.";
    for (const auto& r : reasons)
        text += " " + r;
    return text;
}

} // namespace hubspec::client::detail
