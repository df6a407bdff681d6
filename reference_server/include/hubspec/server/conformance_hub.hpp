#pragma once
// The hubs of the contract (shared/spec/conformance-hub.md, design §3).

#include "hubspec/server/hub.hpp"
#include "hubspec/server/server.hpp"

namespace hubspec::server {

/// Every method of the conformance hub contract, version 1.
hub make_conformance_hub();

/// SendMessage(user, message) -> ReceiveMessage(user, message) to all.
hub make_chat_hub();

/// /conformance, /conformance-nows, /conformance-auth, /token, /redirect, /chat.
void add_contract_endpoints(server& s);

} // namespace hubspec::server
