#pragma once
// Which transports to try, in which order (NEG-030): the server's order, keeping
// only those the user allowed and that carry the hub protocol's transfer format.

#include <hubspec/protocol/hub_protocol.hpp>
#include <hubspec/protocol/negotiate.hpp>

#include <string>
#include <vector>

namespace hubspec::client::detail {

struct transport_choice {
    std::vector<protocol::transport_type> candidates; // in the server's order
    std::vector<std::string> skipped;                 // one reason per transport left out, for the error text
};

/// `allowed` empty means every transport. Unknown names and formats are skipped (NEG-016).
transport_choice select_transports(const std::vector<protocol::available_transport>& offered,
                                   const std::vector<protocol::transport_type>& allowed,
                                   protocol::transfer_format format);

/// Microsoft's text when nothing could be started.
std::string no_transport_error(const std::vector<std::string>& reasons);

} // namespace hubspec::client::detail
