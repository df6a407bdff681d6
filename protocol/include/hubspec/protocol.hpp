#pragma once
// Umbrella header of the protocol core.
#include "hubspec/protocol/error.hpp"
#include "hubspec/protocol/framing.hpp"
#include "hubspec/protocol/handshake.hpp"
#include "hubspec/protocol/hub_message.hpp"
#include "hubspec/protocol/hub_protocol.hpp"
#include "hubspec/protocol/json_value.hpp"
#include "hubspec/protocol/message_reader.hpp"
#include "hubspec/protocol/negotiate.hpp"
#include "hubspec/protocol/sse.hpp"
#include "hubspec/protocol/texts.hpp"
#include "hubspec/protocol/url.hpp"
#include "hubspec/protocol/value.hpp"
