// The client's handshake response reader (HS-016).
#include "handshake_reader.hpp"

#include <hubspec/protocol/texts.hpp>

#include <catch2/catch.hpp>

using namespace hubspec::client::detail;
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
