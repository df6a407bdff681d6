// Scenario scripts from YAML (design §7): what loads, and the errors that name file and line.

#include "hubspec/harness/runner.hpp"
#include "hubspec/harness/scenario_loader.hpp"

#include <catch2/catch.hpp>

#include <stdexcept>

using namespace hubspec::harness;
using Catch::Matchers::Contains;

TEST_CASE("a scenario loads with its requirements, needs, matrix and steps", "[scenario_loader]") {
    auto scenarios = load_scenarios_text(R"(
- id: groups.reach-members
  title: A group message reaches members
  requires: [GRP-002, GRP-003]
  methods: [JoinGroup, SendToGroup]
  transports: [websockets, LongPolling]
  protocols: [json]
  steps:
    - connect: {as: a}
    - invoke: {as: a, method: JoinGroup, args: [g1]}
)",
                                         "groups.yaml", is_known_step);
    REQUIRE(scenarios.size() == 1);
    const auto& sc = scenarios[0];
    CHECK(sc.id == "groups.reach-members");
    CHECK(sc.requires_ids == std::vector<std::string>{"GRP-002", "GRP-003"});
    CHECK(sc.methods.size() == 2);
    CHECK(sc.transports ==
          std::vector{hubspec::protocol::transport_type::websockets, hubspec::protocol::transport_type::long_polling});
    CHECK(sc.protocols == std::vector{protocol_name::json});
    REQUIRE(sc.steps.size() == 2);
    CHECK(sc.steps[1].action == "invoke");
    CHECK(sc.steps[1].where.to_string() == "groups.yaml:10");
    CHECK(*sc.steps[1].params.find("method")->as_string() == "JoinGroup");
}

TEST_CASE("YAML scalars become typed values and quoted ones stay strings", "[scenario_loader]") {
    auto v = yaml_to_value("[1, -2, 1.5, true, null, '7', abc, 0x10, !binary AQI=]", "t.yaml");
    const auto& items = *v.get_if<hubspec::protocol::array>();
    CHECK(items[0] == hubspec::protocol::value{1});
    CHECK(items[1] == hubspec::protocol::value{-2});
    CHECK(items[2] == hubspec::protocol::value{1.5});
    CHECK(items[3] == hubspec::protocol::value{true});
    CHECK(items[4].is_null());
    CHECK(items[5] == hubspec::protocol::value{"7"});
    CHECK(items[6] == hubspec::protocol::value{"abc"});
    CHECK(items[7] == hubspec::protocol::value{16});
    CHECK(items[8] == hubspec::protocol::value{hubspec::protocol::binary{{1, 2}}});
}

TEST_CASE("malformed scenario files are refused with file, line and the problem", "[scenario_loader]") {
    CHECK_THROWS_WITH(load_scenarios_text("- id: a\n  title: t\n  requires: [X-1]\n  steps:\n    - fly: {}\n", "f.yaml",
                                          is_known_step),
                      Contains("f.yaml:5") && Contains("unknown step `fly`"));
    CHECK_THROWS_WITH(load_scenarios_text("- id: a\n  title: t\n  steps: [{stop: {}}]\n", "f.yaml", is_known_step),
                      Contains("needs `requires`"));
    CHECK_THROWS_WITH(
        load_scenarios_text("- id: a\n  title: t\n  requires: [X-1]\n  colour: red\n  steps: [{stop: {}}]\n", "f.yaml",
                            is_known_step),
        Contains("f.yaml:4") && Contains("unknown scenario key `colour`"));
    CHECK_THROWS_WITH(
        load_scenarios_text(
            "- id: a\n  title: t\n  requires: [X-1]\n  transports: [carrier-pigeon]\n  steps: [{stop: {}}]\n", "f.yaml",
            is_known_step),
        Contains("unknown transport `carrier-pigeon`"));
    const char* twice = "- {id: a, title: t, requires: [X-1], steps: [{stop: {}}]}\n"
                        "- {id: a, title: t, requires: [X-1], steps: [{stop: {}}]}\n";
    CHECK_THROWS_WITH(load_scenarios_text(twice, "f.yaml", is_known_step),
                      Contains("f.yaml:2") && Contains("duplicate scenario id `a`"));
    CHECK_THROWS_WITH(load_scenarios_text("- id: [unclosed\n", "f.yaml", is_known_step), Contains("f.yaml:"));
}

TEST_CASE("the project's scenario files all load", "[scenario_loader]") {
    auto scenarios = load_scenarios_directory(std::string(HUBSPEC_SOURCE_DIR) + "/scenarios", is_known_step);
    CHECK(scenarios.size() > 10);
}
