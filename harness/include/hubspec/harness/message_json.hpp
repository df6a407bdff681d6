#pragma once
// hubspec's own JSON view of hub messages, for people and tools: `hubspec
// decode` prints it, `hubspec encode` reads it, transcripts will show it.
//
//   {"type":"Invocation","headers":{"k":"v"},"invocationId":"1","target":"Send",
//    "arguments":[1,2.0,{"$binary":"AQI="}],"streamIds":["2"]}
//
// Field names follow the JSON hub protocol; `type` is the message name. Values
// are plain JSON except where JSON would lose something, so MessagePack values
// are shown unambiguously:
//   binary            {"$binary":"<base64>"}
//   extension         {"$ext":{"type":-1,"data":"<base64>"}}
//   map, non-string   {"$map":[[key,value],…]}  (also used when a key starts with '$')
//   double            always with '.' or an exponent (1.0, not 1)
//   NaN, ±infinity    {"$double":"NaN"} / "Infinity" / "-Infinity"

#include "hubspec/protocol/error.hpp"
#include "hubspec/protocol/hub_message.hpp"

#include <string>
#include <string_view>

namespace hubspec::harness {

/// One message as a single line of JSON (no trailing newline).
std::string message_to_json(const protocol::hub_message& message);

/// The reverse; errors name the field that is wrong.
protocol::result<protocol::hub_message> message_from_json(std::string_view line);

/// A value in the view above, and back.
void write_value_json(const protocol::value& v, std::string& out);
protocol::result<protocol::value> value_from_json(const protocol::value& parsed_json);

} // namespace hubspec::harness
