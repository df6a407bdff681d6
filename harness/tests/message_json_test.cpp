// The JSON view of messages that `hubspec decode` prints and `encode` reads.

#include "hubspec/harness/codec_commands.hpp"
#include "hubspec/harness/message_json.hpp"
#include "hubspec/protocol/hub_protocol.hpp"

#include <catch2/catch.hpp>

#include <cmath>
#include <limits>
#include <sstream>

using namespace hubspec::protocol;
using hubspec::harness::message_from_json;
using hubspec::harness::message_to_json;

namespace {

std::vector<hub_message> every_kind_of_message() {
    const value awkward = array{
        value(binary{{0, 1, 0xFF}}),
        value(extension{-1, {0, 0, 0, 1}}),
        value(std::numeric_limits<std::uint64_t>::max()),
        value(std::numeric_limits<std::int64_t>::min()),
        value(1.0),
        value(-0.25),
        value(map{{value(1), value("int key")}, {value("$weird"), value(true)}}),
        value(make_map({{"plain", nullptr}, {"text", "h\xC3\xA9llo \x1e \xF0\x9F\x98\x80"}})),
    };
    return {
        invocation_message{{{"k", "v"}}, "1", "Send", {awkward, value(42)}, {"7"}},
        invocation_message{{}, std::nullopt, "Fire", {}, {}},
        stream_item_message{{}, "2", value(std::nan(""))},
        completion_message::with_result("3", nullptr),
        completion_message::with_error("4", "boom"),
        completion_message::void_result("5"),
        stream_invocation_message{{}, "6", "Stream", {value(3), value(10)}, {}},
        cancel_invocation_message{{}, "6"},
        ping_message{},
        close_message{"bye", true},
        close_message{},
        ack_message{1394},
        sequence_message{std::numeric_limits<std::int64_t>::max()},
        unknown_message{99},
    };
}

} // namespace

TEST_CASE("decode view: every message kind survives message_to_json then message_from_json", "[harness][decode]") {
    for (const auto& message : every_kind_of_message()) {
        const auto line = message_to_json(message);
        auto back = message_from_json(line);
        INFO(line);
        REQUIRE(back.has_value());
        if (const auto* item = std::get_if<stream_item_message>(&message)) {
            // NaN never equals itself; check its spelling instead.
            CHECK(line.find("{\"$double\":\"NaN\"}") != std::string::npos);
            CHECK(std::isnan(*std::get<stream_item_message>(*back).item.get_if<double>()));
            CHECK(item->invocation_id == std::get<stream_item_message>(*back).invocation_id);
        } else {
            CHECK(*back == message);
        }
    }
}

TEST_CASE("decode view: values JSON cannot carry are shown unambiguously", "[harness][decode]") {
    const auto line = message_to_json(completion_message::with_result(
        "1", array{value(binary{{1, 2}}), value(extension{-1, {9}}), value(2.0), value(2)}));
    CHECK(
        line ==
        R"({"type":"Completion","invocationId":"1","result":[{"$binary":"AQI="},{"$ext":{"type":-1,"data":"CQ=="}},2.0,2]})");
}

TEST_CASE("decode view: a line that is not a message is refused with the field named", "[harness][encode]") {
    auto missing_target = message_from_json(R"({"type":"Invocation","arguments":[]})");
    REQUIRE_FALSE(missing_target.has_value());
    CHECK(missing_target.error().message.find("'target'") != std::string::npos);

    auto unknown = message_from_json(R"({"type":"Telegram"})");
    REQUIRE_FALSE(unknown.has_value());
    CHECK(unknown.error().message.find("Telegram") != std::string::npos);
}

TEST_CASE("hubspec decode names the requirement and byte offset of malformed input", "[harness][decode][FRAME-007]") {
    hubspec::harness::codec_options options;
    options.protocol = "messagepack";
    options.hex = true;
    std::istringstream in("02 91 06  80 80 80 80 80 01");
    std::ostringstream out, err;
    CHECK(hubspec::harness::run_decode(options, in, out, err) == 1);
    CHECK(out.str() == "{\"type\":\"Ping\"}\n");
    CHECK(err.str().find("FRAME-007 at byte 3") != std::string::npos);
}

TEST_CASE("hubspec encode then decode gives back the same lines", "[harness][encode][decode]") {
    for (const auto* protocol_name : {"json", "messagepack"}) {
        std::string lines;
        for (const auto& message : every_kind_of_message()) {
            if (std::holds_alternative<stream_item_message>(message)) continue; // NaN != NaN
            // JSON cannot carry binary and extensions as such; compare them on MessagePack only.
            if (std::string_view(protocol_name) == "json" && std::holds_alternative<invocation_message>(message) &&
                !std::get<invocation_message>(message).arguments.empty()) {
                continue;
            }
            lines += message_to_json(message) + "\n";
        }
        hubspec::harness::codec_options options;
        options.protocol = protocol_name;
        std::istringstream encode_in(lines);
        std::ostringstream bytes, err;
        REQUIRE(hubspec::harness::run_encode(options, encode_in, bytes, err) == 0);
        std::istringstream decode_in(bytes.str());
        std::ostringstream decoded;
        INFO(protocol_name << ": " << err.str());
        REQUIRE(hubspec::harness::run_decode(options, decode_in, decoded, err) == 0);
        CHECK(decoded.str() == lines);
    }
}
