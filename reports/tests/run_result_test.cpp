// The result model: outcomes by name, the thread-safe transcript, and which cells fail a run.

#include "hubspec/reports/outcome.hpp"
#include "hubspec/reports/run_result.hpp"
#include "hubspec/reports/transcript.hpp"

#include <catch2/catch.hpp>

#include <thread>

using namespace hubspec::harness;
using hubspec::protocol::transport_type;

namespace {

cell_result make_cell(outcome o, transport_type t = transport_type::websockets, protocol_name p = protocol_name::json) {
    cell_result c;
    c.scenario_id = "s";
    c.where = {t, p};
    c.result = o;
    return c;
}

run_result run_of(std::vector<cell_result> cells) {
    run_result run;
    run.scenarios.push_back({"s", "title", {"NEG-001"}, std::move(cells)});
    return run;
}

} // namespace

TEST_CASE("outcomes read back from their names", "[harness][model]") {
    for (const outcome o : {outcome::pass, outcome::fail, outcome::non_strict, outcome::skip, outcome::error})
        CHECK(parse_outcome(to_string(o)) == o);
    CHECK(to_string(outcome::non_strict) == "non-strict");
    CHECK_FALSE(parse_outcome("passed").has_value());
    CHECK_FALSE(parse_outcome("").has_value());
}

TEST_CASE("a transcript takes entries from several threads in time order", "[harness][model]") {
    transcript t;
    std::vector<std::thread> threads;
    for (int i = 0; i < 4; ++i) {
        threads.emplace_back([&t, i] {
            for (int k = 0; k < 250; ++k)
                t.add(transcript_direction::sent, "a" + std::to_string(i), "frame", "x", std::string("\0\1", 2));
        });
    }
    for (auto& th : threads)
        th.join();
    const auto entries = t.entries();
    REQUIRE(entries.size() == 1000);
    for (std::size_t i = 1; i < entries.size(); ++i)
        CHECK(entries[i - 1].at <= entries[i].at);
    CHECK(entries.front().bytes == std::string("\0\1", 2));
    CHECK(to_string(transcript_direction::sent) == "sent");
    CHECK(to_string(transcript_direction::received) == "received");
    CHECK(to_string(transcript_direction::note) == "note");
}

TEST_CASE("count() tallies outcomes and failing_cells() counts what fails the run", "[harness][model]") {
    auto run = run_of({make_cell(outcome::pass), make_cell(outcome::fail), make_cell(outcome::non_strict),
                       make_cell(outcome::skip), make_cell(outcome::error), make_cell(outcome::fail)});
    const auto t = run.count();
    CHECK(t.pass == 1);
    CHECK(t.fail == 2);
    CHECK(t.non_strict == 1);
    CHECK(t.skip == 1);
    CHECK(t.error == 1);
    CHECK(run.failing_cells() == 3);
    run.strict = true;
    CHECK(run.failing_cells() == 4);
}

TEST_CASE("with expectations a known deviation passes and a different outcome fails", "[harness][model]") {
    auto run = run_of({make_cell(outcome::fail), make_cell(outcome::pass), make_cell(outcome::error),
                       make_cell(outcome::non_strict)});
    auto& cells = run.scenarios[0].cells;
    cells[0].expected_outcome = outcome::fail;       // as expected: not counted
    cells[1].expected_outcome = outcome::fail;       // an unexpected pass: counted
    cells[2].expected_outcome = outcome::fail;       // error is not fail: counted
    cells[3].expected_outcome = outcome::non_strict; // as expected, even when strict
    run.strict = true;
    CHECK(run.failing_cells() == 2);
    CHECK_FALSE(fails_run(cells[0], true));
    CHECK(fails_run(cells[1], false));
}
