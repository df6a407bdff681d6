// `hubspec backplane-check`'s checker: MONITOR lines read back byte for byte, a
// well-behaved exchange passes, and each way of breaking ASP.NET Core's backplane
// wire is found and named by its RB- requirement.

#include "backplane/backplane_checker.hpp"
#include "backplane/monitor_line.hpp"

#include "hubspec/protocol/backplane.hpp"
#include "hubspec/protocol/hub_protocol.hpp"

#include <catch2/catch.hpp>

#include <string>
#include <vector>

using namespace hubspec::harness::backplane;
namespace p = hubspec::protocol;
namespace bp = hubspec::protocol::backplane;

namespace {

const std::string hub = "Chat.Hub";
const std::string node_a = "10.0.0.1:1000";
const std::string node_b = "10.0.0.1:2000";
const std::string server_a = "web1_0123456789abcdef0123456789abcdef";
const std::string server_b = "web2_fedcba9876543210fedcba9876543210";

monitor_command cmd(const std::string& client, std::vector<std::string> argv) {
    return {"1.0", client, std::move(argv)};
}

bp::invocation send(std::string target, std::optional<std::string> id = std::nullopt) {
    const p::hub_message m = p::invocation_message{{}, id, std::move(target), {p::value("x")}, {}};
    return {{},
            {{"json", p::json_protocol().encode(m)}, {"messagepack", p::messagepack_protocol().encode(m)}},
            std::nullopt,
            std::nullopt};
}

/// Two nodes subscribe as .NET does; B hosts connection c1.
backplane_checker cluster() {
    backplane_checker checker("", hub);
    const bp::channel_names names("", hub);
    for (const auto& [client, server] : {std::pair{node_a, server_a}, std::pair{node_b, server_b}}) {
        checker.feed(cmd(client, {"SUBSCRIBE", names.all()}));
        checker.feed(cmd(client, {"SUBSCRIBE", names.group_commands()}));
        checker.feed(cmd(client, {"SUBSCRIBE", names.acks(server)}));
        checker.feed(cmd(client, {"SUBSCRIBE", names.results(server)}));
    }
    checker.feed(cmd(node_b, {"SUBSCRIBE", names.connection("c1")}));
    return checker;
}

std::vector<std::string> requirements(const backplane_checker& checker) {
    std::vector<std::string> out;
    for (const auto& f : checker.findings())
        out.push_back(f.requirement);
    return out;
}

} // namespace

TEST_CASE("backplane-check reads MONITOR lines with their escapes", "[backplane]") {
    auto line = parse_monitor_line(
        R"(1796537759.159682 [0 127.0.0.1:40922] "PUBLISH" "H:all" "\x92\x90\x81\xa4json\xc4;{\"a\"}\x1e")");
    REQUIRE(line.has_value());
    CHECK(line->client == "127.0.0.1:40922");
    REQUIRE(line->argv.size() == 3);
    CHECK(line->argv[2] == std::string("\x92\x90\x81\xa4json\xc4;{\"a\"}\x1e"));
    CHECK(parse_monitor_line("+1.5 [0 unix:/tmp/r.sock] \"PING\"")->argv[0] == "PING"); // a live status reply
    CHECK_FALSE(parse_monitor_line("OK").has_value());
    CHECK_FALSE(parse_monitor_line(R"(1.0 [0 a:1] "unterminated)").has_value());
}

TEST_CASE("RB-018 a group add acked after the host subscribed the group passes, and before it is found",
          "[backplane][RB-018]") {
    const bp::channel_names names("", hub);
    const std::string add = bp::encode(bp::group_command{1, server_a, 1, "room", "c1"});

    auto good = cluster();
    good.feed(cmd(node_a, {"PUBLISH", names.group_commands(), add}));
    good.feed(cmd(node_b, {"SUBSCRIBE", names.group("room")}));
    good.feed(cmd(node_b, {"PUBLISH", names.acks(server_a), bp::encode(bp::ack{1})}));
    good.feed(cmd(node_a, {"PUBLISH", names.group("room"), bp::encode(send("Send"))}));
    good.finish();
    CHECK(good.findings().empty());
    CHECK(good.nodes() == 2);
    CHECK(good.published().at("group") == 1);

    auto early = cluster();
    early.feed(cmd(node_a, {"PUBLISH", names.group_commands(), add}));
    early.feed(cmd(node_b, {"PUBLISH", names.acks(server_a), bp::encode(bp::ack{1})}));
    early.finish();
    CHECK(requirements(early) == std::vector<std::string>{"RB-018"});
}

TEST_CASE("RB-056 a group command for a hosted connection that is never acked is found", "[backplane][RB-056]") {
    const bp::channel_names names("", hub);
    auto checker = cluster();
    checker.feed(
        cmd(node_a, {"PUBLISH", names.group_commands(), bp::encode(bp::group_command{7, server_a, 2, "g", "c1"})}));
    // A command for a connection no node holds is left to time out (RB-059): not a finding.
    checker.feed(
        cmd(node_a, {"PUBLISH", names.group_commands(), bp::encode(bp::group_command{8, server_a, 1, "g", "nobody"})}));
    checker.finish();
    CHECK(requirements(checker) == std::vector<std::string>{"RB-056"});
}

TEST_CASE("RB-037 RB-031 RB-043 RB-071 payloads off ASP.NET Core's layout are found", "[backplane]") {
    const bp::channel_names names("", hub);
    auto checker = cluster();
    // nil for the excluded ids (.NET's reader throws).
    checker.feed(cmd(node_a, {"PUBLISH", names.all(), std::string("\x92\xC0\x80", 3)}));
    // An ack id in int32 form where .NET writes a fixint.
    checker.feed(cmd(node_b, {"PUBLISH", names.acks(server_a), std::string("\x91\xD2\x00\x00\x00\x09", 6)}));
    // An ordinary send whose Invocation carries an id: clients would answer it.
    checker.feed(cmd(node_a, {"PUBLISH", names.user("u"), bp::encode(send("Send", "1"))}));
    // A client-result request on a group channel.
    auto request = send("Get", "AAECAwQFBgcICQoLDA0ODw");
    request.invocation_id = "AAECAwQFBgcICQoLDA0ODw";
    request.return_channel = names.results_unprefixed(server_a);
    checker.feed(cmd(node_a, {"PUBLISH", names.group("g"), bp::encode(request)}));
    checker.finish();
    const auto found = requirements(checker);
    CHECK(std::count(found.begin(), found.end(), "RB-037") == 1);
    CHECK(std::count(found.begin(), found.end(), "RB-031") == 1);
    CHECK(std::count(found.begin(), found.end(), "RB-043") == 2); // one per protocol entry
    CHECK(std::count(found.begin(), found.end(), "RB-071") == 1);
}

TEST_CASE("RB-065 RB-039 a client result must come back where it was asked for", "[backplane][RB-065]") {
    const bp::channel_names names("app1", hub);
    backplane_checker checker("app1", hub);
    const std::string id = "AAECAwQFBgcICQoLDA0ODw";
    auto request = send("Get", id);
    request.invocation_id = id;
    request.return_channel = names.results(server_a); // with the prefix: RB-039
    checker.feed(cmd(node_a, {"PUBLISH", names.connection("c1"), bp::encode(request)}));
    const p::hub_message answer = p::completion_message::with_result(id, p::value("v"));
    checker.feed(cmd(node_b, {"PUBLISH", names.results(server_b),
                              bp::encode(bp::completion{"json", p::json_protocol().encode(answer)})}));
    checker.finish();
    const auto found = requirements(checker);
    CHECK(std::count(found.begin(), found.end(), "RB-039") == 1);
    CHECK(std::count(found.begin(), found.end(), "RB-065") == 1); // answered on B's channel, asked for on A's
}

TEST_CASE("RB-014 RB-006 RB-007 subscription order, pattern subscriptions and keys", "[backplane][RB-014]") {
    const bp::channel_names names("", hub);
    backplane_checker checker("", hub);
    checker.feed(cmd(node_a, {"SUBSCRIBE", names.all()}));
    checker.feed(cmd(node_a, {"SUBSCRIBE", names.acks(server_a)}));
    checker.feed(cmd(node_a, {"SUBSCRIBE", names.group_commands()}));
    checker.feed(cmd(node_a, {"SUBSCRIBE", names.results(server_a)}));
    checker.feed(cmd(node_a, {"PSUBSCRIBE", names.group("*")}));
    checker.feed(cmd(node_a, {"SET", "members:room", "c1"}));
    checker.feed(cmd(node_a, {"SUBSCRIBE", "__Booksleeve_MasterChanged"})); // StackExchange.Redis's own: ignored
    checker.finish();
    CHECK(requirements(checker) == std::vector<std::string>{"RB-014", "RB-006", "RB-007"});
}

TEST_CASE("RB-014 a SUBSCRIBE repeated on the same connection is not a finding", "[backplane][RB-014]") {
    // StackExchange.Redis under load: all, all, internal:groups, internal:groups, ack, return.
    const bp::channel_names names("", hub);
    backplane_checker checker("", hub);
    for (const auto& channel : {names.all(), names.all(), names.group_commands(), names.group_commands(),
                                names.acks(server_a), names.results(server_a)})
        checker.feed(cmd(node_a, {"SUBSCRIBE", channel}));
    checker.finish();
    const auto found = requirements(checker);
    CHECK(std::count(found.begin(), found.end(), "RB-014") == 0);

    // Out of order is still a finding, repeats or not.
    backplane_checker wrong("", hub);
    for (const auto& channel :
         {names.all(), names.all(), names.acks(server_a), names.group_commands(), names.results(server_a)})
        wrong.feed(cmd(node_a, {"SUBSCRIBE", channel}));
    wrong.finish();
    const auto wrong_found = requirements(wrong);
    CHECK(std::count(wrong_found.begin(), wrong_found.end(), "RB-014") == 1);
}

TEST_CASE("RB-014 RB-018 a node that subscribes again after a reconnect is not a finding", "[backplane][RB-014]") {
    const bp::channel_names names("", hub);
    auto checker = cluster();
    // Node B reconnects from another address and subscribes again, its own way round.
    const std::string b_again = "10.0.0.1:3000";
    checker.feed(cmd(b_again, {"SUBSCRIBE", names.all()}));
    checker.feed(cmd(b_again, {"SUBSCRIBE", names.results(server_b)}));
    checker.feed(cmd(b_again, {"SUBSCRIBE", names.acks(server_b)}));
    checker.feed(cmd(b_again, {"SUBSCRIBE", names.group_commands()}));
    checker.feed(cmd(b_again, {"SUBSCRIBE", names.connection("c1")}));
    checker.feed(cmd(b_again, {"SUBSCRIBE", names.group("room")}));
    // MONITOR never saw the old connection go: an add acked by the new one, which holds the group, is right.
    checker.feed(
        cmd(node_a, {"PUBLISH", names.group_commands(), bp::encode(bp::group_command{3, server_a, 1, "room", "c1"})}));
    checker.feed(cmd(b_again, {"PUBLISH", names.acks(server_a), bp::encode(bp::ack{3})}));
    checker.finish();
    CHECK(checker.findings().empty());
}
