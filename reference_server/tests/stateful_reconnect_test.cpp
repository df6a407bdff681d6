// Stateful reconnect in the hub connection and the router, without sockets (SR-001..020).
#include "hub/hub_connection.hpp"
#include "log.hpp"
#include "manual_scheduler.hpp"
#include "router_fixture.hpp"

#include "hubspec/server/conformance_hub.hpp"

#include <catch2/catch.hpp>

using namespace hubspec::server;
namespace p = hubspec::protocol;
using hubspec::server::testing::manual_scheduler;
using hubspec::server::testing::router_fixture;

namespace {

class recording_sink final : public detail::transport_sink {
public:
    void set_binary(bool) override {}
    void send(std::shared_ptr<const std::string> records) override { out += *records; }
    void close() override { closed = true; }
    void abandon() override { abandoned = true; }

    std::string out;
    bool closed = false;
    bool abandoned = false;
};

const std::string sequence_3 = "{\"type\":1,\"invocationId\":\"1\",\"target\":\"Sequence\",\"arguments\":[3]}\x1e";

struct stateful_fixture {
    explicit stateful_fixture(int version = 2, hub_options options = {}) {
        detail::set_log_enabled(false);
        lifetime = std::make_shared<detail::hub_lifetime>(make_conformance_hub(), options, timers);
        sink = std::make_shared<recording_sink>();
        connection = std::make_shared<detail::hub_connection>(
            lifetime, detail::connection_identity{"conn", std::nullopt, p::transport_type::websockets, {}, true}, sink);
        connection->start();
        connection->on_data("{\"protocol\":\"json\",\"version\":" + std::to_string(version) + "}\x1e");
        REQUIRE(sink->out == "{}\x1e");
        sink->out.clear();
    }

    manual_scheduler timers;
    std::shared_ptr<detail::hub_lifetime> lifetime;
    std::shared_ptr<recording_sink> sink;
    std::shared_ptr<detail::hub_connection> connection;
};

} // namespace

TEST_CASE("SR-001 a version 2 handshake on a stateful-negotiated connection turns it on", "[stateful][SR-001]") {
    stateful_fixture f(2);
    CHECK(f.connection->stateful());
}

TEST_CASE("SR-002 a version 1 handshake silently leaves it off", "[stateful][SR-002]") {
    stateful_fixture f(1);
    CHECK_FALSE(f.connection->stateful());
    f.connection->on_transport_closed(detail::transport_end::ungraceful);
    CHECK(f.connection->closed());
}

TEST_CASE("SR-008 received tracked messages are acknowledged when the Ack timer fires", "[stateful][SR-008]") {
    stateful_fixture f;
    f.connection->on_data(sequence_3);
    CHECK(f.sink->out.find("\"type\":8") == std::string::npos);
    f.timers.fire_all();
    CHECK(f.sink->out.find("{\"type\":8,\"sequenceId\":1}\x1e") != std::string::npos);
}

TEST_CASE(
    "SR-013 SR-014 after an ungraceful drop the resumed transport gets Sequence first, then the un-acked messages",
    "[stateful][SR-013][SR-014][SR-012]") {
    stateful_fixture f;
    f.connection->on_data(sequence_3); // Seq(0..2) and the Completion: numbers 1..4
    const std::string sent = f.sink->out;
    f.connection->on_data("{\"type\":8,\"sequenceId\":2}\x1e"); // the client saw 1 and 2
    f.connection->on_transport_closed(detail::transport_end::ungraceful);
    REQUIRE(f.connection->awaiting_resume());
    CHECK_FALSE(f.connection->closed());

    auto fresh = std::make_shared<recording_sink>();
    REQUIRE(f.connection->resume(fresh));
    CHECK_FALSE(f.connection->awaiting_resume());
    const std::string expected_replay = sent.substr(sent.find("{\"type\":1,\"target\":\"Seq\",\"arguments\":[2]}"));
    CHECK(fresh->out == "{\"type\":9,\"sequenceId\":3}\x1e" + expected_replay);
}

TEST_CASE("SR-006 a replayed client message already processed is not dispatched again", "[stateful][SR-006]") {
    stateful_fixture f;
    f.connection->on_data("{\"type\":1,\"invocationId\":\"1\",\"target\":\"Echo\",\"arguments\":[1]}\x1e");
    f.sink->out.clear();
    f.connection->on_transport_closed(detail::transport_end::ungraceful);
    auto fresh = std::make_shared<recording_sink>();
    REQUIRE(f.connection->resume(fresh));
    fresh->out.clear();
    f.connection->on_data("{\"type\":9,\"sequenceId\":1}\x1e{\"type\":1,\"invocationId\":\"1\",\"target\":\"Echo\","
                          "\"arguments\":[1]}\x1e");
    CHECK(fresh->out.find("\"type\":3") == std::string::npos);
}

TEST_CASE("SR-016 a graceful end leaves nothing to resume", "[stateful][SR-016]") {
    stateful_fixture f;
    f.connection->on_transport_closed(detail::transport_end::graceful);
    CHECK(f.connection->closed());
    CHECK_FALSE(f.connection->resume(std::make_shared<recording_sink>()));
}

TEST_CASE("SR-012 without a resume in time the connection ends", "[stateful][SR-012]") {
    stateful_fixture f;
    f.connection->on_transport_closed(detail::transport_end::ungraceful);
    f.connection->expire();
    CHECK(f.connection->closed());
    CHECK(f.lifetime->size() == 0);
}

TEST_CASE("SR-020 Abort() disables stateful reconnect", "[stateful][SR-020]") {
    stateful_fixture f;
    f.connection->on_data("{\"type\":1,\"invocationId\":\"1\",\"target\":\"Abort\",\"arguments\":[]}\x1e");
    CHECK(f.connection->closed());
    CHECK_FALSE(f.connection->resume(std::make_shared<recording_sink>()));
}

TEST_CASE("SR-010 over the buffer limit tracked sends wait until an Ack frees room", "[stateful][SR-010]") {
    hub_options options;
    options.stateful_reconnect_buffer_size = 10;
    stateful_fixture f(2, options);
    f.connection->on_data(sequence_3);
    // The first message crosses the limit and still goes; the rest wait.
    CHECK(f.sink->out == "{\"type\":1,\"target\":\"Seq\",\"arguments\":[0]}\x1e");
    f.sink->out.clear();
    f.connection->on_data("{\"type\":8,\"sequenceId\":1}\x1e");
    CHECK(f.sink->out == "{\"type\":1,\"target\":\"Seq\",\"arguments\":[1]}\x1e");
}

TEST_CASE("SR-019 SR-011 a WebSocket with the token of a stateful connection resumes it instead of 409",
          "[router][stateful][SR-019][SR-011]") {
    router_fixture f;
    const auto v1 = f.negotiate("?negotiateVersion=1&useStatefulReconnect=true");
    const std::string target = "/conformance?id=" + *v1.connection_token;
    auto routed = f.router.route({"GET", target, {}, true});
    REQUIRE(std::holds_alternative<detail::websocket_accept>(routed));
    auto accept = std::get<detail::websocket_accept>(routed);
    CHECK_FALSE(accept.resume);
    auto sink = std::make_shared<recording_sink>();
    accept.connection->attach(sink);
    accept.connection->start();
    accept.connection->on_data("{\"protocol\":\"json\",\"version\":2}\x1e");
    REQUIRE(accept.connection->stateful());

    // SR-019: while the old transport still looks active.
    auto again = f.router.route({"GET", target, {}, true});
    REQUIRE(std::holds_alternative<detail::websocket_accept>(again));
    CHECK(std::get<detail::websocket_accept>(again).resume);
    CHECK(std::get<detail::websocket_accept>(again).connection == accept.connection);

    // SR-011/012: after an ungraceful drop, within the disconnect timeout.
    f.router.transport_ended(accept.token, sink.get(), detail::transport_end::ungraceful);
    CHECK(accept.connection->awaiting_resume());
    auto resumed = f.router.route({"GET", target, {}, true});
    REQUIRE(std::holds_alternative<detail::websocket_accept>(resumed));
    CHECK(std::get<detail::websocket_accept>(resumed).resume);

    // SR-012: after it, the token is gone.
    f.router.sweep(std::chrono::steady_clock::now() + std::chrono::seconds(16));
    CHECK(accept.connection->closed());
    CHECK(f.reply("GET", target, true).status == 404);
}
