#pragma once
// Which transports to try, in which order (NEG-030, NEG-031): the server's order,
// keeping only those the user allowed, that carry the hub protocol's transfer
// format, and that have not already failed in this start.

#include <hubspec/protocol/hub_protocol.hpp>
#include <hubspec/protocol/negotiate.hpp>

#include <string>
#include <vector>

namespace hubspec::client::detail {

/// A transport that failed to start during this connect attempt, and why.
struct transport_failure {
    protocol::transport_type type;
    std::string error;
};

struct transport_choice {
    std::vector<protocol::transport_type> candidates; // still to try, in the server's order
    /// One "<Name> failed: <why>" per transport left out or failed, in the server's order.
    std::vector<std::string> reasons;
};

/// `allowed` empty means every transport. Unknown names and formats are skipped
/// (NEG-016); so is a transport that cannot carry `format` whatever the server
/// says (SSE is text only, SSE-009).
transport_choice select_transports(const std::vector<protocol::available_transport>& offered,
                                   const std::vector<protocol::transport_type>& allowed,
                                   protocol::transfer_format format, const std::vector<transport_failure>& failed = {});

/// The start's error when nothing is left to try: Microsoft's text followed by
/// each reason, or its text for an empty offer.
std::string no_transport_error(const std::vector<std::string>& reasons);

} // namespace hubspec::client::detail
