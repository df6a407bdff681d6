// The Redis backplane's wire (redis-backplane.md): the digest's hex examples (§12)
// and payloads captured from two ASP.NET Core 10.0.15 nodes
// (interop/redis-capture/captured/), written byte-exact and read back; channel
// names; and the payloads a reader must refuse, each naming its RB- requirement.

#include "hubspec/protocol/backplane.hpp"
#include "hubspec/protocol/hub_protocol.hpp"

#include "test_support.hpp"

#include <catch2/catch.hpp>

#include <string>

using namespace hubspec::protocol;
using namespace hubspec::protocol::backplane;
using hubspec::protocol::test::from_hex;

namespace {

const std::string j02 = R"({"type":1,"target":"Send","arguments":[42,"Test Message"]})"
                        "\x1e";
const std::string server = "web1_02db60e5fab243b890a847fa5c4dcb29";
const std::string connection = "zm1Ct7uQAp4Kc3r8Yt5Nnw";

// Captured: node 1's Broadcast("all-1") with both protocols (aspnetcore-10.0.15, first PUBLISH).
const std::string captured_all =
    "92 90 82 A4 6A 73 6F 6E C4 36 7B 22 74 79 70 65 22 3A 31 2C 22 74 61 72 67 65 74 22 3A 22 42 72 6F 61 64 63 61 "
    "73 74 22 2C 22 61 72 67 75 6D 65 6E 74 73 22 3A 5B 22 61 6C 6C 2D 31 22 5D 7D 1E AB 6D 65 73 73 61 67 65 70 61 "
    "63 6B C4 17 16 96 01 80 C0 A9 42 72 6F 61 64 63 61 73 74 91 A5 61 6C 6C 2D 31 90";
// Captured: the group command adding Bob to "room" from node 1, with a 35-byte server name.
const std::string captured_group_add =
    "95 01 D9 23 76 6D 5F 34 30 62 30 34 66 61 62 33 64 34 35 34 61 38 66 61 66 61 64 32 32 64 63 37 66 62 30 35 36 "
    "30 34 01 A4 72 6F 6F 6D B6 73 4F 41 35 58 73 4D 44 56 54 50 46 79 6D 6C 76 4F 69 72 5F 61 41";
// Captured: Bob's MessagePack answer to the client-result request, on node 1's return channel.
const std::string captured_completion =
    "92 AB 6D 65 73 73 61 67 65 70 61 63 6B C4 2A 29 95 03 80 B6 35 4A 54 52 79 39 36 35 52 55 61 77 6D 75 31 34 50 "
    "63 49 6B 38 41 03 AD 61 6E 73 77 65 72 20 74 6F 20 71 2D 31";

invocation decoded_invocation(const std::string& hex) {
    auto decoded = decode_invocation(from_hex(hex));
    INFO((decoded ? std::string("ok") : decoded.error().to_string()));
    REQUIRE(decoded.has_value());
    return *decoded;
}

protocol_error refused_invocation(const std::string& hex) {
    auto decoded = decode_invocation(from_hex(hex));
    REQUIRE_FALSE(decoded.has_value());
    return decoded.error();
}

} // namespace

TEST_CASE("RB-001 channel names are prefix, hub key, then the kind's suffix", "[backplane][RB-001]") {
    const channel_names plain("", "SignalRChat.Hubs.ChatHub");
    CHECK(plain.all() == "SignalRChat.Hubs.ChatHub:all");
    CHECK(plain.group_commands() == "SignalRChat.Hubs.ChatHub:internal:groups");
    CHECK(plain.acks(server) == "SignalRChat.Hubs.ChatHub:internal:ack:" + server);
    CHECK(plain.results(server) == "SignalRChat.Hubs.ChatHub:internal:return:" + server);
    CHECK(plain.connection(connection) == "SignalRChat.Hubs.ChatHub:connection:" + connection);
    CHECK(plain.user("alice") == "SignalRChat.Hubs.ChatHub:user:alice");

    const channel_names prefixed("app1", "SignalRChat.Hubs.ChatHub");
    CHECK(prefixed.all() == "app1SignalRChat.Hubs.ChatHub:all");
    // RB-039: the return channel inside a request carries no prefix; the subscription does.
    CHECK(prefixed.results(server) == "app1SignalRChat.Hubs.ChatHub:internal:return:" + server);
    CHECK(prefixed.results_unprefixed(server) == "SignalRChat.Hubs.ChatHub:internal:return:" + server);
}

TEST_CASE("RB-004 group names go into channels verbatim", "[backplane][RB-004]") {
    const channel_names names("", "H");
    CHECK(names.group("a:b*") == "H:group:a:b*");
    auto parsed = parse_channel("H:group:a:b*");
    REQUIRE(parsed.has_value());
    CHECK(parsed->kind == channel_kind::group);
    CHECK(parsed->hub_key == "H");
    CHECK(parsed->name == "a:b*");
}

TEST_CASE("RB-008 channels are taken apart, and those outside the scheme are not", "[backplane][RB-008]") {
    auto ack = parse_channel("app1Hubspec.X:internal:ack:vm_1", "app1");
    REQUIRE(ack.has_value());
    CHECK(ack->kind == channel_kind::ack);
    CHECK(ack->hub_key == "Hubspec.X");
    CHECK(ack->name == "vm_1");
    CHECK(parse_channel("H:internal:groups")->kind == channel_kind::group_commands);
    CHECK(parse_channel("H:internal:return:s")->kind == channel_kind::results);
    CHECK(parse_channel("H:all")->kind == channel_kind::all);
    CHECK_FALSE(parse_channel("__Booksleeve_MasterChanged").has_value());
    CHECK_FALSE(parse_channel("H:elsewhere").has_value());
    CHECK(parse_channel("H:group:")->name.empty()); // .NET allows an empty group name
    CHECK_FALSE(parse_channel("H:connection:").has_value());
    CHECK_FALSE(parse_channel("other:H:all", "app1").has_value());
}

TEST_CASE("RB-036 X-1 an All-send from a JSON-only node is written and read", "[backplane][RB-036]") {
    const std::string x1 = "92 90 81 A4 6A 73 6F 6E C4 3B " + to_hex(j02);
    const invocation payload{{}, {{"json", j02}}, std::nullopt, std::nullopt};
    CHECK(to_hex(encode(payload)) == to_hex(from_hex(x1)));
    const invocation read = decoded_invocation(x1);
    CHECK(read.excluded_ids.empty());
    REQUIRE(read.message_for("json") != nullptr);
    CHECK(*read.message_for("json") == j02);
    CHECK(read.message_for("messagepack") == nullptr);
    CHECK_FALSE(read.invocation_id.has_value());
}

TEST_CASE("RB-037 X-3 Others lists the excluded connection", "[backplane][RB-037]") {
    const invocation payload{{connection}, {{"json", j02}}, std::nullopt, std::nullopt};
    const std::string x3 = "92 91 B6 " + to_hex(connection) + " 81 A4 6A 73 6F 6E C4 3B " + to_hex(j02);
    CHECK(to_hex(encode(payload)) == to_hex(from_hex(x3)));
    CHECK(decoded_invocation(x3).excludes(connection));
    CHECK_FALSE(decoded_invocation(x3).excludes("ZM1Ct7uQAp4Kc3r8Yt5Nnw")); // ordinal (RB-025)
}

TEST_CASE("RB-045 [CAPTURED] an All-send carries json then messagepack, each as this core frames it",
          "[backplane][RB-045][RB-044]") {
    const invocation read = decoded_invocation(captured_all);
    REQUIRE(read.messages.size() == 2);
    CHECK(read.messages[0].protocol == "json");
    CHECK(read.messages[1].protocol == "messagepack");
    // What hubspec would publish for the same send is what .NET published (RB-044).
    const hub_message broadcast = invocation_message{{}, std::nullopt, "Broadcast", {value("all-1")}, {}};
    const invocation ours{
        {},
        {{"json", json_protocol().encode(broadcast)}, {"messagepack", messagepack_protocol().encode(broadcast)}},
        std::nullopt,
        std::nullopt};
    CHECK(to_hex(encode(ours)) == to_hex(from_hex(captured_all)));
}

TEST_CASE("RB-038 X-5 a client-result request has four items, its return channel unprefixed",
          "[backplane][RB-038][RB-039]") {
    const std::string request_json =
        R"({"type":1,"invocationId":"AAECAwQFBgcICQoLDA0ODw","target":"GetMessage","arguments":[]})"
        "\x1e";
    const std::string return_channel = "SignalRChat.Hubs.ChatHub:internal:return:" + server;
    const invocation payload{{}, {{"json", request_json}}, "AAECAwQFBgcICQoLDA0ODw", return_channel};
    const std::string x5 = "94 90 81 A4 6A 73 6F 6E C4 58 " + to_hex(request_json) + " B6 " +
                           to_hex(std::string("AAECAwQFBgcICQoLDA0ODw")) + " D9 4E " + to_hex(return_channel);
    CHECK(to_hex(encode(payload)) == to_hex(from_hex(x5)));
    const invocation read = decoded_invocation(x5);
    CHECK(read.invocation_id == "AAECAwQFBgcICQoLDA0ODw");
    CHECK(read.return_channel == return_channel);
}

TEST_CASE("RB-040 a 3-item invocation is an ordinary send", "[backplane][RB-040]") {
    const invocation read = decoded_invocation("93 90 81 A4 6A 73 6F 6E C4 01 7B A3 78 79 7A");
    CHECK_FALSE(read.invocation_id.has_value());
    CHECK(*read.message_for("json") == "{");
}

TEST_CASE("RB-053 [CAPTURED] a group command is written and read byte-exact", "[backplane][RB-053]") {
    auto read = decode_group_command(from_hex(captured_group_add));
    REQUIRE(read.has_value());
    CHECK(read->id == 1);
    CHECK(read->server_name == "vm_40b04fab3d454a8fafad22dc7fb05604");
    CHECK(read->action == static_cast<std::uint8_t>(group_action::add));
    CHECK(read->group == "room");
    CHECK(read->connection_id == "sOA5XsMDVTPFymlvOir_aA");
    CHECK(to_hex(encode(*read)) == to_hex(from_hex(captured_group_add)));

    // X-4's Remove with id 300: `CD 01 2C`, action 02 (RB-031).
    const group_command remove{300, server, 2, "room", connection};
    CHECK(to_hex(encode(remove)).starts_with("95 CD 01 2C D9 25"));
    CHECK(encode(remove).size() == 72);
}

TEST_CASE("RB-034 acks in any integer width are read, and written in the smallest", "[backplane][RB-034]") {
    CHECK(to_hex(encode(ack{1})) == "91 01");
    CHECK(to_hex(encode(ack{300})) == "91 CD 01 2C");
    CHECK(to_hex(encode(ack{-1})) == "91 FF"); // the counter wraps to negative ids (RB-054)
    auto wide = decode_ack(from_hex("91 D2 00 00 00 01"));
    REQUIRE(wide.has_value());
    CHECK(wide->id == 1);
    auto longer = decode_ack(from_hex("92 01 C0")); // RB-035: extra items are ignored
    REQUIRE(longer.has_value());
    CHECK(longer->id == 1);
}

TEST_CASE("RB-065 [CAPTURED] a completion comes back as [protocol, framed Completion]", "[backplane][RB-065]") {
    auto read = decode_completion(from_hex(captured_completion));
    REQUIRE(read.has_value());
    CHECK(read->protocol == "messagepack");
    auto record = messagepack_protocol().next_record(read->bytes);
    REQUIRE(record.has_value());
    auto message = messagepack_protocol().parse(record->body);
    REQUIRE(message.has_value());
    const auto* done = std::get_if<completion_message>(&*message);
    REQUIRE(done != nullptr);
    CHECK(done->invocation_id == "5JTRy965RUawmu14PcIk8A");
    CHECK(to_hex(encode(*read)) == to_hex(from_hex(captured_completion)));
}

TEST_CASE("RB-035 payloads off the layout are refused, naming the requirement", "[backplane][RB-035]") {
    const auto one_item = refused_invocation("91 90");
    CHECK(one_item.code == error::invalid_backplane_payload);
    CHECK(one_item.requirement == "RB-035");
    CHECK(one_item.message.find("Insufficient items in Invocation array") != std::string::npos);

    const auto nil_excluded = refused_invocation("92 C0 81 A4 6A 73 6F 6E C4 01 7B");
    CHECK(nil_excluded.requirement == "RB-037");
    CHECK(nil_excluded.message.find("nil") != std::string::npos);

    const auto str_message = refused_invocation("92 90 81 A4 6A 73 6F 6E A1 7B");
    CHECK(str_message.requirement == "RB-033");

    const auto not_array = refused_invocation("81 A4 6A 73 6F 6E C4 01 7B");
    CHECK(not_array.requirement == "RB-030");

    const auto trailing = refused_invocation("92 90 80 C0");
    CHECK(trailing.requirement == "RB-030");
    CHECK(trailing.message.find("after the payload") != std::string::npos);

    auto truncated = decode_invocation(from_hex("92 90 81 A4 6A 73 6F 6E C4 05 7B"));
    REQUIRE_FALSE(truncated.has_value());
    CHECK(truncated.error().code == error::truncated);

    auto short_command = decode_group_command(from_hex("94 01 A1 73 01 A1 67"));
    REQUIRE_FALSE(short_command.has_value());
    CHECK(short_command.error().message.find("Insufficient items in GroupCommand array") != std::string::npos);

    auto big_id = decode_ack(from_hex("91 CE 80 00 00 00"));
    REQUIRE_FALSE(big_id.has_value());
    CHECK(big_id.error().message.find("outside int32") != std::string::npos);
}

TEST_CASE("RB-011 server names and invocation ids have .NET's forms", "[backplane][RB-011][RB-062]") {
    std::array<std::uint8_t, 16> bytes{};
    for (std::uint8_t i = 0; i < 16; ++i)
        bytes[i] = i;
    CHECK(make_server_name("web1", bytes) == "web1_000102030405060708090a0b0c0d0e0f");
    CHECK(make_invocation_id(bytes) == "AAECAwQFBgcICQoLDA0ODw");
}

TEST_CASE("a backplane's Redis is named by a redis:// URL with its credentials", "[backplane]") {
    auto plain = parse_redis_url("127.0.0.1:6400");
    REQUIRE(plain.has_value());
    CHECK(plain->host == "127.0.0.1");
    CHECK(plain->port == 6400);
    CHECK(plain->password.empty());
    auto full = parse_redis_url("redis://app:s3:cret@redis.local/0");
    REQUIRE(full.has_value());
    CHECK(full->host == "redis.local");
    CHECK(full->port == 6379);
    CHECK(full->user == "app");
    CHECK(full->password == "s3:cret");
    CHECK(parse_redis_url("redis://:pw@h:1")->password == "pw");
    CHECK(parse_redis_url("redis://:pw@h:1")->user.empty());
    CHECK_FALSE(parse_redis_url("h:70000").has_value());
    CHECK_FALSE(parse_redis_url("h:port").has_value());
    CHECK_FALSE(parse_redis_url("redis://:pw@").has_value());
}
