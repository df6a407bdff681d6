#pragma once
// One line that tells a person what a transport payload held: the decoded hub
// messages in hubspec's JSON view where they parse, else the text, else hex.

#include <hubspec/protocol/hub_protocol.hpp>

#include <string>
#include <string_view>

namespace hubspec::harness::detail {

std::string describe_payload(std::string_view bytes, const protocol::hub_protocol& protocol);

} // namespace hubspec::harness::detail
