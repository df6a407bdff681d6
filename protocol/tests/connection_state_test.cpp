// The lifecycle table (connection_state.hpp): what each state allows.
#include "hubspec/protocol/connection_state.hpp"

#include <catch2/catch.hpp>

using namespace hubspec::protocol;
using s = connection_state;
using i = connection_input;

TEST_CASE("HS-007 HS-008 the handshake ends once, in connected or closed", "[connection_state][HS-007][HS-008]") {
    CHECK(next_state(s::handshaking, i::handshake_succeeded) == s::connected);
    CHECK(next_state(s::handshaking, i::handshake_failed) == s::closed);
    CHECK(!next_state(s::connected, i::handshake_succeeded));
    CHECK(!next_state(s::handshaking, i::close_sent)); // no Close before the handshake (HS-008)
}

TEST_CASE("MSG-072 a Close either way leads to closing, then the end to closed", "[connection_state][MSG-072]") {
    CHECK(next_state(s::connected, i::close_sent) == s::closing);
    CHECK(next_state(s::connected, i::close_received) == s::closing);
    CHECK(next_state(s::closing, i::ended) == s::closed);
}

TEST_CASE("SR-011 SR-016 only a connected connection waits for a resume", "[connection_state][SR-011][SR-016]") {
    CHECK(next_state(s::connected, i::transport_lost) == s::transport_lost);
    CHECK(next_state(s::transport_lost, i::transport_resumed) == s::connected);
    CHECK(next_state(s::connected, i::transport_resumed) == s::connected); // SR-019
    CHECK(!next_state(s::closing, i::transport_lost));
    CHECK(!next_state(s::handshaking, i::transport_lost));
    CHECK(next_state(s::transport_lost, i::ended) == s::closed); // SR-012
}

TEST_CASE("closed is final", "[connection_state]") {
    for (auto input : {i::handshake_succeeded, i::handshake_failed, i::close_sent, i::close_received, i::transport_lost,
                       i::transport_resumed, i::ended})
        CHECK(!next_state(s::closed, input));
    CHECK(to_string(s::transport_lost) == "transport_lost");
}
