// The handshake readers of both roles (HS-010, HS-011, HS-013, HS-016).
#include "hubspec/protocol/handshake_reader.hpp"

#include "hubspec/protocol/texts.hpp"

#include "test_support.hpp"

#include <catch2/catch.hpp>

using namespace hubspec::protocol;
namespace texts = hubspec::protocol::texts;

TEST_CASE("HS-016 an empty object ends the handshake and bytes after RS are hub messages", "[handshake][HS-016]") {
    std::string reply = "{}\x1e{\"type\":6}\x1e";
    auto outcome = read_handshake_response(reply);
    REQUIRE(std::holds_alternative<handshake_succeeded>(outcome));
    CHECK(std::get<handshake_succeeded>(outcome).consumed == 3);
}

TEST_CASE("HS-016 a partial reply waits for more", "[handshake][HS-016]") {
    CHECK(std::holds_alternative<handshake_need_more>(read_handshake_response("{")));
    CHECK(std::holds_alternative<handshake_need_more>(read_handshake_response("")));
}

TEST_CASE("HS-016 an error reply fails with Microsoft's text", "[handshake][HS-016]") {
    auto outcome = read_handshake_response("{\"error\":\"bad\"}\x1e");
    CHECK(std::get<handshake_failed>(outcome).error == texts::server_handshake_error("bad"));
}

TEST_CASE("HS-016 a hub message instead of a reply is rejected", "[handshake][HS-016]") {
    auto outcome = read_handshake_response("{\"type\":6}\x1e");
    CHECK(std::get<handshake_failed>(outcome).error == texts::expected_handshake_response);
}

TEST_CASE("HS-016 garbage and oversized replies fail instead of hanging", "[handshake][HS-016]") {
    CHECK(std::holds_alternative<handshake_failed>(read_handshake_response("garbage\x1e")));
    CHECK(std::holds_alternative<handshake_failed>(read_handshake_response("\x1e")));
    CHECK(std::holds_alternative<handshake_failed>(read_handshake_response(std::string(100, 'x'), 64)));
}

TEST_CASE("HS-013 a request read whole leaves the bytes after its RS", "[handshake][HS-013]") {
    auto read = read_handshake_request("{\"protocol\":\"json\",\"version\":1}\x1e{\"type\":6}\x1e", 1024);
    REQUIRE(read);
    CHECK(read->request == handshake_request{"json", 1});
    CHECK(read->consumed == 32);
}

TEST_CASE("HS-010 a request over the size limit without an RS is record_too_large", "[handshake][HS-010]") {
    auto read = read_handshake_request(std::string(100, ' '), 64);
    REQUIRE(!read);
    CHECK(read.error().code == error::record_too_large);
    CHECK(read_handshake_request("{\"protocol\":", 64).error().is_need_more());
}

TEST_CASE("HS-011 an unreadable request is malformed_handshake", "[handshake][HS-011]") {
    auto read = read_handshake_request("{\"protocol\":1}\x1e", 1024);
    REQUIRE(!read);
    CHECK(read.error().code == error::malformed_handshake);
}
