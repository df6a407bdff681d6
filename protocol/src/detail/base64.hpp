#pragma once
// Transitional: base64 is public now (hubspec/protocol/base64.hpp).
#include "hubspec/protocol/base64.hpp"

namespace hubspec::protocol::detail {
using protocol::append_base64;
using protocol::base64_alphabet;
using protocol::base64_padding;
using protocol::from_base64;
using protocol::to_base64;
}  // namespace hubspec::protocol::detail
