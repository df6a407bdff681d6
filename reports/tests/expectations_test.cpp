// --expect files: the format, errors with file:line, matching, and --write-expect round trips.

#include "hubspec/reports/expectations.hpp"

#include <catch2/catch.hpp>

#include <sstream>

using namespace hubspec::harness;
using hubspec::protocol::transport_type;

namespace {

constexpr transport_type all_transports[] = {transport_type::websockets, transport_type::server_sent_events,
                                             transport_type::long_polling};

cell_result make_cell(outcome o, transport_type t, protocol_name p, std::string seen = "nothing") {
    cell_result c;
    c.where = {t, p};
    c.result = o;
    if (o == outcome::fail || o == outcome::non_strict)
        c.failed = failure{2, "expect_message (scenarios/x.yaml:9)", "a message", std::move(seen), "GRP-002", "text"};
    if (o == outcome::error) c.reason = "the target vanished";
    if (o == outcome::skip) c.reason = "transport not offered";
    return c;
}

/// Six cells, each outcome chosen by `pick`.
scenario_result scenario_of(std::string id, outcome (*pick)(transport_type, protocol_name)) {
    scenario_result s{std::move(id), "a title", {"GRP-002"}, {}};
    for (const auto t : all_transports) {
        for (const auto p : {protocol_name::json, protocol_name::messagepack})
            s.cells.push_back(make_cell(pick(t, p), t, p));
    }
    return s;
}

run_result sample_run() {
    run_result run;
    run.target.url = "http://127.0.0.1:5000/conformance";
    // Every cell fails alike: one entry for all.
    run.scenarios.push_back(scenario_of("all.fail", [](transport_type, protocol_name) { return outcome::fail; }));
    // WebSockets fails on both protocols, the rest pass: one entry naming websockets.
    run.scenarios.push_back(scenario_of("ws.fail", [](transport_type t, protocol_name) {
        return t == transport_type::websockets ? outcome::fail : outcome::pass;
    }));
    // Two cells fail with passes in between: one entry each.
    run.scenarios.push_back(scenario_of("scattered", [](transport_type t, protocol_name p) {
        if (t == transport_type::websockets && p == protocol_name::json) return outcome::fail;
        if (t == transport_type::long_polling && p == protocol_name::messagepack) return outcome::fail;
        return outcome::pass;
    }));
    // Mixed outcomes, skips and a SHOULD.
    run.scenarios.push_back(scenario_of("mixed", [](transport_type t, protocol_name p) {
        if (t == transport_type::server_sent_events)
            return p == protocol_name::json ? outcome::non_strict : outcome::skip;
        if (t == transport_type::long_polling) return outcome::error;
        return outcome::pass;
    }));
    // A scenario that runs once.
    scenario_result once{
        "negotiate.once",
        "once",
        {"NEG-001"},
        {make_cell(outcome::fail, transport_type::websockets, protocol_name::json, "a \"quoted\"\n\x01 \xff seen")}};
    once.cells[0].once = true;
    run.scenarios.push_back(once);
    run.scenarios.push_back(scenario_of("all.pass", [](transport_type, protocol_name) { return outcome::pass; }));
    return run;
}

std::string load_error(const std::string& text) {
    try {
        (void)expectations::load_text(text, "expect.yaml");
    } catch (const std::runtime_error& e) {
        return e.what();
    }
    return "no error";
}

} // namespace

TEST_CASE("glob_match matches star and question mark", "[harness][expectations]") {
    CHECK(glob_match("*", ""));
    CHECK(glob_match("*", "anything"));
    CHECK(glob_match("errors.*", "errors.unknown-type"));
    CHECK_FALSE(glob_match("errors.*", "error.unknown"));
    CHECK(glob_match("*-type-*", "errors.unknown-type-7"));
    CHECK(glob_match("a?c", "abc"));
    CHECK_FALSE(glob_match("a?c", "ac"));
    CHECK(glob_match("a*b*c", "aXbYbZc"));
    CHECK_FALSE(glob_match("a*b*c", "aXbYbZ"));
    CHECK(glob_match("exact", "exact"));
    CHECK_FALSE(glob_match("exact", "exactly"));
    CHECK(glob_match("**a", "bba"));
}

TEST_CASE("an expectations file loads and find() picks the first matching entry", "[harness][expectations]") {
    const auto e = expectations::load_text(R"(# hubspec expectations
- scenario: "errors.unknown-message-type-*"
  transports: [websockets]
  protocols: [messagepack]
  outcome: fail
  reason: "server stalls on unknown types"
- scenario: "errors.*"
  transports: longpolling
  outcome: non-strict
- scenario: "stateful.*"
  transports: [WebSockets, serversentevents]
  outcome: error
)",
                                           "expect.yaml");
    REQUIRE(e.entries().size() == 3);
    CHECK(e.entries()[0].reason == "server stalls on unknown types");
    CHECK(e.entries()[2].transports ==
          std::vector<transport_type>{transport_type::websockets, transport_type::server_sent_events});
    const auto* hit = e.find("errors.unknown-message-type-7", {transport_type::websockets, protocol_name::messagepack});
    REQUIRE(hit != nullptr);
    CHECK(hit->expected == outcome::fail);
    CHECK(e.find("errors.unknown-message-type-7", {transport_type::websockets, protocol_name::json}) == nullptr);
    const auto* lp = e.find("errors.other", {transport_type::long_polling, protocol_name::json});
    REQUIRE(lp != nullptr);
    CHECK(lp->expected == outcome::non_strict);
    CHECK(e.find("groups.x", {transport_type::long_polling, protocol_name::json}) == nullptr);
    CHECK(expectations::load_text("", "empty.yaml").entries().empty());
    CHECK(expectations::load_text("# only a comment\n", "empty.yaml").entries().empty());
    CHECK(expectations::load_text("[]\n", "empty.yaml").entries().empty());
}

TEST_CASE("a malformed expectations file names the file and line and the problem", "[harness][expectations]") {
    CHECK_THAT(load_error("- scenario: a\n  outcome: fail\n  colour: red\n"),
               Catch::StartsWith("expect.yaml:3: unknown key 'colour'"));
    CHECK_THAT(load_error("- scenario: a\n  outcome: failed\n"),
               Catch::StartsWith("expect.yaml:2: unknown outcome 'failed'"));
    CHECK_THAT(load_error("- scenario: a\n  outcome: fail\n\n  transports: [websockets, carrier-pigeon]\n"),
               Catch::StartsWith("expect.yaml:4: unknown transport 'carrier-pigeon'"));
    CHECK_THAT(load_error("- scenario: a\n  protocols: [xml]\n  outcome: fail\n"),
               Catch::StartsWith("expect.yaml:2: unknown protocol 'xml'"));
    CHECK_THAT(load_error("- outcome: fail\n"), Catch::StartsWith("expect.yaml:1: entry without 'scenario'"));
    CHECK_THAT(load_error("- scenario: a\n"), Catch::StartsWith("expect.yaml:1: entry without 'outcome'"));
    CHECK_THAT(load_error("scenario: a\noutcome: fail\n"), Catch::StartsWith("expect.yaml:1: "));
    CHECK_THAT(load_error("- scenario: [a, b]\n  outcome: fail\n"), Catch::StartsWith("expect.yaml:1: "));
    CHECK_THAT(load_error("- scenario: \"a\n  outcome: fail\n"), Catch::StartsWith("expect.yaml:"));
}

TEST_CASE("apply() stamps cells and the run fails only where they differ", "[harness][expectations]") {
    auto run = sample_run();
    REQUIRE(run.failing_cells() > 0);
    const auto e = expectations::load_text("- scenario: \"*.fail\"\n  outcome: fail\n  reason: known\n", "e.yaml");
    e.apply(run);
    const auto& ws_fail = run.scenarios[1];
    CHECK(ws_fail.cells[0].expected_outcome == outcome::fail);
    CHECK(ws_fail.cells[0].expected_reason == "known");
    // The passing cells of ws.fail are now unexpected passes.
    CHECK(fails_run(ws_fail.cells[2], false));
    // Applying another file replaces what the first stamped.
    expectations::load_text("[]", "none.yaml").apply(run);
    CHECK_FALSE(run.scenarios[1].cells[0].expected_outcome.has_value());
}

TEST_CASE("an entry may allow several outcomes, for a race", "[harness][expectations]") {
    auto run = sample_run();
    const auto e =
        expectations::load_text("- scenario: \"*.fail\"\n  outcome: [fail, pass]\n  reason: a race\n", "e.yaml");
    REQUIRE(e.entries().size() == 1);
    CHECK(e.entries()[0].expected == outcome::fail);
    CHECK(e.entries()[0].alternatives == std::vector<outcome>{outcome::pass});
    e.apply(run);
    const auto& ws_fail = run.scenarios[1];
    // Failing and passing cells of the scenario are both as expected; nothing else is.
    for (const auto& c : ws_fail.cells) {
        INFO(to_string(c.result));
        CHECK(as_expected(c) == (c.result == outcome::fail || c.result == outcome::pass));
        CHECK(fails_run(c, false) != as_expected(c));
    }
    CHECK_THAT(load_error("- scenario: a\n  outcome: []\n"),
               Catch::StartsWith("expect.yaml:2: 'outcome' must name at least one outcome"));
    CHECK_THAT(load_error("- scenario: a\n  outcome: [fail, maybe]\n"),
               Catch::StartsWith("expect.yaml:2: unknown outcome 'maybe'"));
}

TEST_CASE("a once cell matches its scenario whatever transports an entry names", "[harness][expectations]") {
    auto run = sample_run();
    expectations::load_text("- scenario: negotiate.once\n  transports: [longpolling]\n  outcome: fail\n", "e.yaml")
        .apply(run);
    CHECK(run.scenarios[4].cells[0].expected_outcome == outcome::fail);
}

TEST_CASE("write_from_run writes a file that makes the run pass", "[harness][expectations]") {
    auto run = sample_run();
    std::ostringstream out;
    expectations::write_from_run(run, out);
    const std::string text = out.str();
    INFO(text);
    CHECK(text.rfind("# hubspec expectations", 0) == 0);
    const auto e = expectations::load_text(text, "written.yaml");

    // all.fail: one entry for all cells; ws.fail: one naming websockets; scattered: two;
    // mixed: one non-strict, one error (long polling, both protocols); negotiate.once: one.
    REQUIRE(e.entries().size() == 7);
    CHECK(e.entries()[0].scenario_glob == "all.fail");
    CHECK(e.entries()[0].transports.empty());
    CHECK(e.entries()[0].protocols.empty());
    CHECK(e.entries()[0].reason == "expect_message (scenarios/x.yaml:9): expected a message, seen nothing [GRP-002]");
    CHECK(e.entries()[1].transports == std::vector<transport_type>{transport_type::websockets});
    CHECK(e.entries()[1].protocols.empty());
    CHECK(e.entries()[2].scenario_glob == "scattered");
    CHECK(e.entries()[2].protocols == std::vector<protocol_name>{protocol_name::json});
    CHECK(e.entries()[3].scenario_glob == "scattered");
    // The reason survives quotes, line breaks, control characters and invalid UTF-8.
    CHECK(
        e.entries()[6].reason ==
        "expect_message (scenarios/x.yaml:9): expected a message, seen a \"quoted\"\n\x01 \xEF\xBF\xBD seen [GRP-002]");

    e.apply(run);
    CHECK(run.failing_cells() == 0);
    run.strict = true;
    CHECK(run.failing_cells() == 0);

    // An unexpected pass fails the run: the file should tighten.
    run.scenarios[0].cells[3].result = outcome::pass;
    run.scenarios[0].cells[3].failed.reset();
    CHECK(run.failing_cells() == 1);
}

TEST_CASE("write_from_run from a clean run writes an empty list", "[harness][expectations]") {
    run_result run;
    run.scenarios.push_back(scenario_of("all.pass", [](transport_type, protocol_name) { return outcome::pass; }));
    std::ostringstream out;
    expectations::write_from_run(run, out);
    CHECK(expectations::load_text(out.str(), "clean.yaml").entries().empty());
}
