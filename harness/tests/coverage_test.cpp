// Requirement coverage on hand-made scenarios: covered, missing, untestable,
// client-side and MAY requirements (owed nothing), and unknown references.

#include "hubspec/harness/coverage.hpp"

#include <catch2/catch.hpp>

#include <sstream>

using namespace hubspec::harness;
using hubspec::protocol::value;

namespace {

requirement_catalogue small_catalogue() {
    return requirement_catalogue::load_text(R"(
- id: NEG-001
  level: MUST
  side: S
  text: "Negotiate is served only for POST."
- id: NEG-002
  level: MUST
  side: C
  text: "Client builds the negotiate URL."
- id: NEG-012
  level: SHOULD
  side: S
  text: "connectionId and connectionToken are each 16 cryptographically random bytes rendered as unpadded base64url (22 chars), as .NET does."
- id: WS-016
  level: MAY
  side: S
  text: "A sub-protocol only when configured."
- id: WS-017
  level: MUST
  side: S
  text: "Errors before the upgrade are HTTP status codes."
  untestable: "needs a server failure"
- id: HS-002
  level: MUST
  side: S+C
  text: "Protocol names are json and messagepack."
- id: ERR-005
  level: MUST
  side: S
  text: "Unauthorized method."
  untestable: "no such method in the contract"
)",
                                            "cat.yaml");
}

scenario make_scenario(std::string id, std::vector<std::string> requires_ids, int line) {
    scenario sc;
    sc.id = std::move(id);
    sc.title = sc.id;
    sc.requires_ids = std::move(requires_ids);
    sc.where = {"scenarios/test.yaml", line};
    return sc;
}

step step_requiring(value requires_value, int line) {
    step s;
    s.action = "raw_expect";
    s.params = value(hubspec::protocol::map{{value("as"), value("a")}, {value("requires"), std::move(requires_value)}});
    s.where = {"scenarios/test.yaml", line};
    return s;
}

} // namespace

TEST_CASE("coverage names covering scenarios, missing and unknown IDs", "[coverage]") {
    const auto catalogue = small_catalogue();
    auto first = make_scenario("negotiate.post-only", {"NEG-001", "NEG-002"}, 1);
    auto second = make_scenario("handshake.names", {"HS-002", "NEG-001"}, 10);
    second.steps.push_back(step_requiring(value("NEG-001"), 14)); // the same scenario twice: listed once
    second.steps.push_back(step_requiring(value("XYZ-001"), 16));
    auto third = make_scenario("typo.scenario", {"NEG-01"}, 20);

    const auto report = compute_coverage(catalogue, {first, second, third});

    REQUIRE(report.scenarios_by_requirement.size() == catalogue.all().size());
    CHECK(report.scenarios_by_requirement.at("NEG-001") ==
          std::vector<std::string>{"negotiate.post-only", "handshake.names"});
    CHECK(report.scenarios_by_requirement.at("NEG-002") == std::vector<std::string>{"negotiate.post-only"});
    CHECK(report.scenarios_by_requirement.at("HS-002") == std::vector<std::string>{"handshake.names"});
    CHECK(report.scenarios_by_requirement.at("NEG-012").empty());

    // NEG-012 (server SHOULD) is owed; WS-016 (MAY) and client-side ones are not; untestable ones are justified.
    CHECK(report.missing == std::vector<std::string>{"NEG-012"});
    CHECK(report.covered_but_untestable.empty());

    REQUIRE(report.unknown_references.size() == 2);
    CHECK(report.unknown_references[0].requirement_id == "XYZ-001");
    CHECK(report.unknown_references[0].scenario_id == "handshake.names");
    CHECK(report.unknown_references[0].where.to_string() == "scenarios/test.yaml:16");
    CHECK(report.unknown_references[1].requirement_id == "NEG-01");
    CHECK(report.unknown_references[1].where.to_string() == "scenarios/test.yaml:20");
    CHECK_FALSE(coverage_complete(report));
}

TEST_CASE("coverage counts per group over server-side MUST and SHOULD", "[coverage]") {
    const auto catalogue = small_catalogue();
    const auto report = compute_coverage(catalogue, {make_scenario("a", {"NEG-001", "HS-002"}, 1)});
    const auto groups = coverage_by_group(catalogue, report);
    REQUIRE(groups.size() == 4);
    CHECK(groups[0].group == "NEG");
    CHECK(groups[0].covered == 1);
    CHECK(groups[0].untestable == 0);
    CHECK(groups[0].missing == 1); // NEG-012; NEG-002 is the client's
    CHECK(groups[1].group == "WS");
    CHECK(groups[1].covered == 0);
    CHECK(groups[1].untestable == 1); // WS-016 (MAY) does not count
    CHECK(groups[1].missing == 0);
    CHECK(groups[2].group == "HS");
    CHECK(groups[2].covered == 1);
    CHECK(groups[3].group == "ERR");
    CHECK(groups[3].untestable == 1);
}

TEST_CASE("coverage is complete when every owed requirement is covered or justified", "[coverage]") {
    const auto catalogue = small_catalogue();
    auto sc = make_scenario("all", {"NEG-001", "HS-002"}, 1);
    sc.steps.push_back(step_requiring(value(hubspec::protocol::array{value("NEG-012"), value("ERR-005")}), 3));
    const auto report = compute_coverage(catalogue, {sc});
    CHECK(report.missing.empty());
    CHECK(report.unknown_references.empty());
    CHECK(report.covered_but_untestable == std::vector<std::string>{"ERR-005"});
    CHECK(coverage_complete(report));

    std::ostringstream out;
    print_coverage(out, catalogue, report);
    CHECK(out.str().find("Coverage complete.") != std::string::npos);
    CHECK(out.str().find("Missing") == std::string::npos);
    CHECK(out.str().find("drop the mark?): ERR-005") != std::string::npos);
}

TEST_CASE("print_coverage shows the table, missing IDs and unknown references", "[coverage]") {
    const auto catalogue = small_catalogue();
    const auto report = compute_coverage(catalogue, {make_scenario("a", {"NEG-001", "BAD-9"}, 7)});
    std::ostringstream out;
    print_coverage(out, catalogue, report);
    const auto text = out.str();
    INFO(text);
    CHECK(text.find("Server-side MUST and SHOULD requirements: 5\n") != std::string::npos);
    CHECK(text.find("group     covered  untestable  missing\n") != std::string::npos);
    CHECK(text.find("NEG             1           0        1\n") != std::string::npos);
    CHECK(text.find("HS              0           0        1\n") != std::string::npos);
    CHECK(text.find("total           1           2        2\n") != std::string::npos);
    CHECK(text.find("Missing (2)") != std::string::npos);
    CHECK(text.find("  NEG-012   SHOULD connectionId and connectionToken are each 16") != std::string::npos);
    CHECK(text.find("…\n") != std::string::npos); // the long text is shortened
    CHECK(text.find("  HS-002    MUST   Protocol names are json and messagepack.\n") != std::string::npos);
    CHECK(text.find("scenarios/test.yaml:7: scenario a names BAD-9, which is not in the catalogue") !=
          std::string::npos);
    CHECK(text.find("Coverage incomplete: 2 missing, 1 unknown reference(s).") != std::string::npos);
}

TEST_CASE("requirement groups and what counts toward coverage", "[coverage]") {
    CHECK(requirement_group("NEG-010") == "NEG");
    CHECK(requirement_group("FRAME-001") == "FRAME");
    CHECK(requirement_group("odd") == "odd");
    requirement r;
    r.side = requirement_side::both;
    r.level = requirement_level::should;
    CHECK(counts_toward_coverage(r));
    r.level = requirement_level::may;
    CHECK_FALSE(counts_toward_coverage(r));
    r.level = requirement_level::must;
    r.side = requirement_side::client;
    CHECK_FALSE(counts_toward_coverage(r));
    // A client under test owes the client-side and shared requirements, not the server's.
    CHECK(counts_toward_coverage(r, requirement_side::client));
    r.side = requirement_side::both;
    CHECK(counts_toward_coverage(r, requirement_side::client));
    r.side = requirement_side::server;
    CHECK_FALSE(counts_toward_coverage(r, requirement_side::client));
}
