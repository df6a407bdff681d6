// The conformance hub contract from the client side, over every transport ×
// hub protocol (SSE: JSON only), against Microsoft's ASP.NET Core server and
// against hubspec-server.
#include "interop_support.hpp"
#include "peer_process.hpp"

#include <hubspec/protocol/texts.hpp>

using namespace hubspec::client;
using namespace hubspec::client::test;
namespace texts = hubspec::protocol::texts;
using hubspec::protocol::value;

namespace {
struct contract_case {
    server_kind server;
    test::cell cell;
};

std::vector<contract_case> every_case() {
    std::vector<contract_case> out;
    for (auto server : {server_kind::aspnetcore, server_kind::hubspec})
        for (const auto& c : every_cell())
            out.push_back({server, c});
    return out;
}

std::string describe(const contract_case& tc) {
    return std::string(name_of(tc.server)) + " " + test::describe(tc.cell);
}
} // namespace

TEST_CASE("HS-001 WS-009 Echo returns every value with its type kept", "[interop][HS-001][WS-009][MSG-010]") {
    auto tc = GENERATE(from_range(every_case()));
    INFO(describe(tc));
    auto& peer = shared_server(tc.server);
    auto connection = cell_builder(peer.url("/conformance"), tc.cell).build();
    await(connection.start());
    CHECK(connection.state() == connection_state::connected);
    CHECK(connection.connection_id().has_value());
    std::vector<value> values{value(nullptr),
                              value(true),
                              value(42),
                              value(-7),
                              value(1.5),
                              value("héllo"),
                              value(hubspec::protocol::array{1, "two", nullptr}),
                              value(hubspec::protocol::make_map({{"a", 1}, {"b", "x"}}))};
    if (tc.cell.protocol == "messagepack") values.push_back(value(hubspec::protocol::binary{{0, 1, 255}}));
    for (const auto& v : values)
        CHECK(await(connection.invoke("Echo", {v})) == v);
    await(connection.stop());
    CHECK(connection.state() == connection_state::disconnected);
}

TEST_CASE("MSG-042 Add returns a typed sum and VoidMethod returns null", "[interop][MSG-042]") {
    auto tc = GENERATE(from_range(every_case()));
    INFO(describe(tc));
    auto& peer = shared_server(tc.server);
    auto connection = cell_builder(peer.url("/conformance"), tc.cell).build();
    await(connection.start());
    CHECK(await(connection.invoke_as<int>("Add", {2, 3})) == 5);
    CHECK(await(connection.invoke("VoidMethod")).is_null());
    CHECK(await(connection.invoke_as<std::string>("HelloWorld")) == "Hello World!");
    CHECK(await(connection.invoke_as<std::string>("GetActiveTransportName")) ==
          std::string(hubspec::protocol::transport_name(tc.cell.transport)));
    await(connection.send("VoidMethod"));
}

TEST_CASE("ERR-002 ThrowException fails the invocation with the server's error", "[interop][ERR-002]") {
    auto tc = GENERATE(from_range(every_case()));
    INFO(describe(tc));
    auto& peer = shared_server(tc.server);
    auto connection = cell_builder(peer.url("/conformance"), tc.cell).build();
    await(connection.start());
    auto f = connection.invoke("ThrowException", {"boom"});
    REQUIRE(f.wait_for(await_timeout) == std::future_status::ready);
    REQUIRE_THROWS_AS(f.get(), hub_exception);
    try {
        connection.invoke("ThrowException", {"boom"}).get();
    } catch (const hub_exception& e) {
        CHECK(std::string(e.what()).rfind(texts::unexpected_error_invoking("ThrowException"), 0) == 0);
    }
    CHECK(await(connection.invoke_as<int>("Add", {1, 1})) == 2); // the connection survives it
}

TEST_CASE("MSG-022 Stream delivers every item in order then completes", "[interop][MSG-022]") {
    auto tc = GENERATE(from_range(every_case()));
    INFO(describe(tc));
    auto& peer = shared_server(tc.server);
    auto connection = cell_builder(peer.url("/conformance"), tc.cell).build();
    await(connection.start());
    auto reader = connection.stream("Stream", {5, 10});
    std::vector<int> items;
    while (auto item = reader.next(20s))
        items.push_back(from_value<int>(*item));
    CHECK(items == std::vector<int>{0, 1, 2, 3, 4});
    CHECK(connection.stream("EmptyStream").read_all().empty());
}

TEST_CASE("ERR-013 a failing stream delivers its items before the error", "[interop][ERR-013]") {
    auto tc = GENERATE(from_range(every_case()));
    INFO(describe(tc));
    auto& peer = shared_server(tc.server);
    auto connection = cell_builder(peer.url("/conformance"), tc.cell).build();
    await(connection.start());
    auto reader = connection.stream("StreamThrowException", {2, "bad"});
    CHECK(reader.next(20s) == std::optional<value>(0));
    CHECK(reader.next(20s) == std::optional<value>(1));
    CHECK_THROWS_AS(reader.next(20s), hub_exception);
}

TEST_CASE("MSG-051 cancelling InfiniteStream stops it on the server", "[interop][MSG-051][MSG-053]") {
    auto tc = GENERATE(from_range(every_case()));
    INFO(describe(tc));
    auto& peer = shared_server(tc.server);
    auto connection = cell_builder(peer.url("/conformance"), tc.cell).build();
    await(connection.start());
    auto reader = connection.stream("InfiniteStream", {10});
    CHECK(reader.next(20s).has_value());
    CHECK(reader.next(20s).has_value());
    reader.cancel();
    CHECK_FALSE(reader.next(1s).has_value());
    // The server counts the cancel when its producer notices; ask until it has.
    auto deadline = std::chrono::steady_clock::now() + 20s;
    int count = 0;
    while ((count = await(connection.invoke_as<int>("GetCancelCount"))) == 0 &&
           std::chrono::steady_clock::now() < deadline) {
        await(connection.invoke("Delay", {20}));
    }
    CHECK(count == 1);
}

TEST_CASE("MSG-094 Sum and UploadConcat read upload streams", "[interop][MSG-094]") {
    auto tc = GENERATE(from_range(every_case()));
    INFO(describe(tc));
    auto& peer = shared_server(tc.server);
    auto connection = cell_builder(peer.url("/conformance"), tc.cell).build();
    await(connection.start());
    upload_stream numbers;
    numbers.write(1); // before the invocation: kept and sent after it
    auto sum = connection.invoke_as<long>("Sum", {}, {numbers});
    numbers.write(2);
    numbers.write(39);
    numbers.complete();
    CHECK(await(std::move(sum)) == 42);
    upload_stream words;
    auto concat = connection.invoke_as<std::string>("UploadConcat", {}, {words});
    for (auto w : {"a", "b", "c"})
        words.write(w);
    words.complete();
    CHECK(await(std::move(concat)) == "abc");
}

TEST_CASE("CR-002 ClientResult returns what the client's handler returned", "[interop][CR-002][CR-003][CR-005]") {
    auto tc = GENERATE(from_range(every_case()));
    INFO(describe(tc));
    auto& peer = shared_server(tc.server);
    auto connection = cell_builder(peer.url("/conformance"), tc.cell).build();
    connection.on("Double", [](const arguments& args) { return value(from_value<int>(args.at(0)) * 2); });
    connection.on("Boom", [](const arguments&) -> value { throw std::runtime_error("client-boom"); });
    await(connection.start());
    CHECK(await(connection.invoke_as<int>("ClientResult", {"Double", 21})) == 42);
    CHECK_THROWS_AS(await(connection.invoke("ClientResult", {"Missing", 1})), hub_exception); // CR-003
    try {
        connection.invoke("ClientResult", {"Boom", 1}).get();
        FAIL("expected an error");
    } catch (const hub_exception& e) {
        CHECK(std::string(e.what()).find("client-boom") != std::string::npos); // CR-005
    }
}

TEST_CASE("GRP-008 server calls reach handlers registered in any case", "[interop][GRP-008][GRP-002]") {
    auto tc = GENERATE(from_range(every_case()));
    INFO(describe(tc));
    auto& peer = shared_server(tc.server);
    auto a = cell_builder(peer.url("/conformance"), tc.cell).build();
    // b speaks the other protocol where its transport can carry it.
    cell other = tc.cell;
    if (other.transport != transport_type::server_sent_events)
        other.protocol = other.protocol == "json" ? "messagepack" : "json";
    auto b = cell_builder(peer.url("/conformance"), other).build();
    mailbox<value> echoes, a_groups, b_groups;
    a.on("echo", [&](const arguments& args) { echoes.push(args.at(0)); });
    a.on("GroupMessage", [&](const arguments& args) { a_groups.push(args.at(1)); });
    b.on("GroupMessage", [&](const arguments& args) { b_groups.push(args.at(1)); });
    await(a.start());
    await(b.start());
    await(a.invoke("EchoToCaller", {"hi"}));
    CHECK(echoes.take() == std::optional<value>("hi"));
    await(a.invoke("JoinGroup", {"g1"}));
    await(b.invoke("SendToGroup", {"g1", 7}));
    CHECK(a_groups.take() == std::optional<value>(7));
    await(b.invoke("JoinGroup", {"g1"}));
    await(a.invoke("SendToOthersInGroup", {"g1", "x"}));
    CHECK(b_groups.take() == std::optional<value>("x"));
    await(b.invoke("VoidMethod")); // a round trip: anything for b before it has arrived
    CHECK(b_groups.size() == 0);
    a.off("echo");
    await(a.invoke("EchoToCaller", {"again"}));
    CHECK_FALSE(echoes.take(300ms).has_value());
}

TEST_CASE("NEG-018 a redirect's access token reaches the authenticated hub", "[interop][NEG-018][NEG-032]") {
    auto tc = GENERATE(from_range(every_case()));
    INFO(describe(tc));
    auto& peer = shared_server(tc.server);
    auto connection = cell_builder(peer.url("/redirect"), tc.cell).build();
    await(connection.start());
    CHECK(await(connection.invoke_as<std::string>("GetUserIdentifier")) == "redirected");
}

TEST_CASE("NEG-032 the access token provider's token is sent as a bearer header", "[interop][NEG-032][NEG-033]") {
    auto tc = GENERATE(from_range(every_case()));
    INFO(describe(tc));
    auto& peer = shared_server(tc.server);
    auto unauthenticated = cell_builder(peer.url("/conformance-auth"), tc.cell).build();
    CHECK_THROWS_AS(await(unauthenticated.start()), connection_exception);
    CHECK(unauthenticated.state() == connection_state::disconnected);
    // The redirect hands out a valid token; reuse it through the provider.
    auto via_redirect = cell_builder(peer.url("/redirect"), tc.cell).build();
    await(via_redirect.start());
    auto header = await(via_redirect.invoke_as<std::string>("GetHeader", {"Authorization"}));
    REQUIRE(header.rfind("Bearer ", 0) == 0);
    auto token = header.substr(7);
    auto connection = cell_builder(peer.url("/conformance-auth"), tc.cell)
                          .with_access_token_provider([token] { return token; })
                          .with_header("X-Hubspec", "yes")
                          .build();
    await(connection.start());
    CHECK(await(connection.invoke_as<std::string>("GetUserIdentifier")) == "redirected");
    CHECK(await(connection.invoke_as<std::string>("GetHeader", {"X-Hubspec"})) == "yes");
}
