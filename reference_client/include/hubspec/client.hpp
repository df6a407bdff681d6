#pragma once
// Umbrella header of the reference client.
#include "hubspec/client/connection_state.hpp"
#include "hubspec/client/errors.hpp"
#include "hubspec/client/hub_connection.hpp"
#include "hubspec/client/hub_connection_builder.hpp"
#include "hubspec/client/options.hpp"
#include "hubspec/client/retry_policy.hpp"
#include "hubspec/client/stream_reader.hpp"
#include "hubspec/client/token_command.hpp"
#include "hubspec/client/trace.hpp"
#include "hubspec/client/upload_stream.hpp"
#include "hubspec/client/value_conversion.hpp"
