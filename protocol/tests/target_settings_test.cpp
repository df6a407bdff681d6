// The settings table every CLI, the embedded server and Python read (target_settings.hpp):
// a wrong row here would give a flag, a `{name}` or a keyword the wrong member.
#include "hubspec/protocol/target_settings.hpp"

#include <catch2/catch.hpp>

#include <set>
#include <string>

using namespace hubspec::protocol;

TEST_CASE("KA-001 KA-003 HS-009 FRAME-009 every setting has one member, a unique name and flag",
          "[target_settings][KA-001][KA-003][HS-009][FRAME-009]") {
    std::set<std::string_view> names;
    std::set<std::string_view> flags;
    for (const auto& row : target_setting_table) {
        INFO(row.name);
        CHECK((row.duration != nullptr) + (row.size != nullptr) + (row.toggle != nullptr) == 1);
        CHECK(names.insert(row.name).second);
        CHECK(flags.insert(row.flag).second);
        CHECK(row.flag.starts_with("--"));
        CHECK_FALSE(row.requirements.empty());
        CHECK(row.embedded > 0);
        CHECK(find_target_setting(row.name) == &row);
    }
    CHECK(find_target_setting("no_such_setting") == nullptr);
}

TEST_CASE("KA-001 KA-003 HS-009 FRAME-009 the defaults are ASP.NET Core's and each row sets its own member",
          "[target_settings][KA-001][KA-003][HS-009][FRAME-009]") {
    CHECK(find_target_setting("keepalive_ms")->default_value() == 15'000);
    CHECK(find_target_setting("client_timeout_ms")->default_value() == 30'000);
    CHECK(find_target_setting("handshake_timeout_ms")->default_value() == 15'000);
    CHECK(find_target_setting("disconnect_timeout_ms")->default_value() == 15'000);
    CHECK(find_target_setting("long_poll_timeout_ms")->default_value() == 90'000);
    CHECK(find_target_setting("max_message_size")->default_value() == 32 * 1024);
    CHECK(find_target_setting("parallel_invocations")->default_value() == 1);
    CHECK(find_target_setting("stateful_reconnect")->default_value() == 0);

    const auto embedded = embedded_target_settings();
    for (const auto& row : target_setting_table) {
        INFO(row.name);
        CHECK(row.get(embedded) == row.embedded);
        target_settings changed;
        const std::int64_t other_value = row.toggle ? 1 - row.default_value() : 12'345;
        row.set(changed, other_value);
        CHECK(row.get(changed) == other_value);
        for (const auto& other : target_setting_table) {
            if (&other != &row) CHECK(other.get(changed) == other.default_value()); // no row writes another's member
        }
    }
}
