// HS-*: handshake request and response, both roles.

#include "hubspec/protocol/framing.hpp"
#include "hubspec/protocol/handshake.hpp"
#include "hubspec/protocol/message_reader.hpp"
#include "hubspec/protocol/texts.hpp"

#include "test_support.hpp"

#include <catch2/catch.hpp>

#include <array>

using namespace hubspec::protocol;
using hubspec::protocol::test::from_hex;

namespace {

const std::array<const hub_protocol*, 2> both_protocols{&json_protocol(), &messagepack_protocol()};
const std::array<transfer_format, 2> websocket_formats{transfer_format::text, transfer_format::binary};
const std::array<transfer_format, 1> sse_formats{transfer_format::text};

std::string_view body_of(std::string_view framed) {
    auto record = next_json_record(framed);
    REQUIRE(record.has_value());
    return record->body;
}

} // namespace

TEST_CASE("HS-001 H-01..H-04 handshake requests are written as clients write them", "[handshake][HS-001][HS-003]") {
    CHECK(write_handshake_request({"json", 1}) ==
          from_hex("7B 22 70 72 6F 74 6F 63 6F 6C 22 3A 22 6A 73 6F 6E 22 2C 22 76 65 72 73 69 6F 6E 22 3A 31 7D 1E"));
    CHECK(write_handshake_request({"messagepack", 1}) ==
          from_hex("7B 22 70 72 6F 74 6F 63 6F 6C 22 3A 22 6D 65 73 73 61 67 65 70 61 63 6B 22 2C 22 76 65 72 73 69 6F "
                   "6E 22 3A 31 7D 1E"));
    CHECK(write_handshake_request({"json", 2}) ==
          from_hex("7B 22 70 72 6F 74 6F 63 6F 6C 22 3A 22 6A 73 6F 6E 22 2C 22 76 65 72 73 69 6F 6E 22 3A 32 7D 1E"));
    CHECK(write_handshake_request({"messagepack", 2}) ==
          from_hex("7B 22 70 72 6F 74 6F 63 6F 6C 22 3A 22 6D 65 73 73 61 67 65 70 61 63 6B 22 2C 22 76 65 72 73 69 6F "
                   "6E 22 3A 32 7D 1E"));
}

TEST_CASE("HS-001 H-01 H-02 handshake requests are read back", "[handshake][HS-001]") {
    CHECK(parse_handshake_request(body_of(write_handshake_request({"json", 1}))).value() ==
          handshake_request{"json", 1});
    CHECK(parse_handshake_request(R"({"version":2,"protocol":"messagepack","extra":[1]})").value() ==
          handshake_request{"messagepack", 2}); // any order, unknown properties ignored (HS-012)
}

TEST_CASE("HS-007 H-05 a successful response is exactly 7B 7D 1E", "[handshake][HS-007]") {
    CHECK(write_handshake_response({}) == from_hex("7B 7D 1E"));
}

TEST_CASE("HS-008 H-06 H-08 failed responses carry the error text", "[handshake][HS-008]") {
    CHECK(write_handshake_response({texts::unsupported_protocol("foo")}) ==
          from_hex("7B 22 65 72 72 6F 72 22 3A 22 54 68 65 20 70 72 6F 74 6F 63 6F 6C 20 27 66 6F 6F 27 20 69 73 20 6E "
                   "6F 74 20 73 75 70 70 6F 72 74 65 64 2E 22 7D 1E"));
    CHECK(write_handshake_response({std::string(texts::handshake_canceled)}) ==
          "{\"error\":\"Handshake was canceled.\"}\x1e");
    CHECK(write_handshake_response({std::string(texts::handshake_canceled)}).size() == 36);
}

TEST_CASE("HS-011 malformed handshake requests are refused", "[handshake][HS-011]") {
    for (const std::string_view body :
         {R"({"protocol":"json"})", R"({"version":1})", "[]", R"({"protocol":"json","version":"1"})", R"({"type":6})",
          "not json", R"({"protocol":1,"version":1})"}) {
        INFO(body);
        auto r = parse_handshake_request(body);
        REQUIRE_FALSE(r.has_value());
        CHECK(r.error().code == error::malformed_handshake);
        CHECK(r.error().requirement == "HS-011");
    }
}

TEST_CASE("HS-004 H-07 a version above the protocol's is refused with Microsoft's text", "[handshake][HS-004]") {
    auto answer = answer_handshake({"json", 3}, both_protocols, websocket_formats);
    REQUIRE(answer.error);
    CHECK(write_handshake_response(answer) ==
          from_hex("7B 22 65 72 72 6F 72 22 3A 22 54 68 65 20 73 65 72 76 65 72 20 64 6F 65 73 20 6E 6F 74 20 73 75 70 "
                   "70 6F 72 74 20 76 65 72 73 69 6F 6E 20 33 20 6F 66 20 74 68 65 20 27 6A 73 6F 6E 27 20 70 72 6F 74 "
                   "6F 63 6F 6C 2E 22 7D 1E"));
    CHECK_FALSE(answer_handshake({"json", 2}, both_protocols, websocket_formats).error);
    CHECK_FALSE(answer_handshake({"messagepack", 1}, both_protocols, websocket_formats).error);
}

TEST_CASE("HS-005 an unknown protocol is refused", "[handshake][HS-005]") {
    CHECK(answer_handshake({"foo", 1}, both_protocols, websocket_formats).error ==
          "The protocol 'foo' is not supported.");
    CHECK(answer_handshake({"JSON", 1}, both_protocols, websocket_formats).error ==
          "The protocol 'JSON' is not supported.");
}

TEST_CASE("HS-006 SSE-009 MessagePack over a text-only transport is refused", "[handshake][HS-006][SSE-009]") {
    CHECK(answer_handshake({"messagepack", 1}, both_protocols, sse_formats).error ==
          "Cannot use the 'messagepack' protocol on the current transport. The transport does not support 'Binary' "
          "transfer format.");
    CHECK_FALSE(answer_handshake({"json", 1}, both_protocols, sse_formats).error);
}

TEST_CASE("HS-016 a response that is a hub message is refused", "[handshake][HS-016]") {
    auto r = parse_handshake_response(R"({"type":6})");
    REQUIRE_FALSE(r.has_value());
    CHECK(r.error().code == error::unexpected_handshake_type);
    CHECK(r.error().message == texts::expected_handshake_response);
}

TEST_CASE("HS-016 an error response is returned for the caller to report", "[handshake][HS-016]") {
    auto r = parse_handshake_response(R"({"error":"The protocol 'foo' is not supported.","x":1})");
    REQUIRE(r.has_value());
    CHECK(r->error == "The protocol 'foo' is not supported.");
    CHECK(texts::server_handshake_error(*r->error) ==
          "Server returned handshake error: The protocol 'foo' is not supported.");
    CHECK_FALSE(parse_handshake_response("{}").value().error);
}

TEST_CASE("HS-013 F-J3 bytes after the handshake's RS are hub messages", "[handshake][HS-013]") {
    const std::string input = write_handshake_request({"json", 1}) + "{\"type\":6}\x1e";
    auto record = next_json_record(input);
    REQUIRE(record.has_value());
    CHECK(parse_handshake_request(record->body).value() == handshake_request{"json", 1});
    message_reader reader(json_protocol());
    reader.feed(std::string_view(input).substr(record->consumed));
    auto ping = reader.next();
    REQUIRE(ping.has_value());
    CHECK(std::holds_alternative<ping_message>(*ping));
}

TEST_CASE("HS-020 F-M7 a MessagePack connection starts with a JSON handshake then binary records",
          "[handshake][HS-020]") {
    const std::string input = from_hex("7B 22 70 72 6F 74 6F 63 6F 6C 22 3A 22 6D 65 73 73 61 67 65 70 61 63 6B 22 2C "
                                       "22 76 65 72 73 69 6F 6E 22 3A 31 7D 1E 02 91 06");
    auto record = next_json_record(input);
    REQUIRE(record.has_value());
    CHECK(parse_handshake_request(record->body).value() == handshake_request{"messagepack", 1});
    message_reader reader(messagepack_protocol());
    reader.feed(std::string_view(input).substr(record->consumed));
    auto ping = reader.next();
    REQUIRE(ping.has_value());
    CHECK(std::holds_alternative<ping_message>(*ping));
}

TEST_CASE("HS-010 a handshake larger than the limit without RS is refused as too large", "[handshake][HS-010]") {
    auto r = next_json_record(std::string(40000, ' '), default_maximum_message_size);
    REQUIRE_FALSE(r.has_value());
    CHECK(r.error().code == error::record_too_large); // the server answers texts::handshake_canceled
}
