#pragma once
// The client names the core's URL parts in its own namespace.

#include <hubspec/protocol/url.hpp>

namespace hubspec::client::detail {

using protocol::http_url;
using protocol::parse_http_url;

} // namespace hubspec::client::detail
