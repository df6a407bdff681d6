#pragma once
// One result model for a run; the four report writers (writers.hpp) read it
// (design §8). Its JSON form is results.json, schema `hubspec-results/1`.

#include "hubspec/reports/cell.hpp"
#include "hubspec/reports/outcome.hpp"
#include "hubspec/reports/requirements.hpp"
#include "hubspec/reports/transcript.hpp"

#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace hubspec::harness {

/// Why a cell did not pass: the step, what was expected, what was seen, and the requirement.
struct failure {
    int step_index = -1; // 0-based; -1 = before the first step
    std::string step;    // "expect_message (scenarios/groups.yaml:14)"
    std::string expected;
    std::string seen;
    std::string requirement_id;   // the one the step checks (or the scenario's first)
    std::string requirement_text; // from the catalogue
};

struct cell_result {
    std::string scenario_id;
    cell where;
    bool once = false;
    outcome result = outcome::pass;
    std::string reason;            // skip: why not applicable; error: what broke in the harness
    std::optional<failure> failed; // for fail and non-strict
    std::chrono::milliseconds duration{0};
    std::vector<transcript_entry> transcript;
    /// Set when --expect named this cell: what it expected, and why.
    std::optional<outcome> expected_outcome;
    std::vector<outcome> expected_alternatives; // more outcomes the entry allows (a race: `outcome: [fail, pass]`)
    std::string expected_reason;
};

/// One scenario as run: its description plus its cells.
struct scenario_result {
    std::string id;
    std::string title;
    std::vector<std::string> requires_ids;
    std::vector<cell_result> cells;
};

struct target_info {
    std::string url; // the hub URL, or the embedded server's
    bool embedded = false;
    std::vector<std::string> transports; // as the target's negotiate listed them
    bool client_under_test = false;      // hubspec run --client: the run checks client-side requirements
};

/// Which part of the conformance hub contract (shared/spec/conformance-hub.md) the target has.
enum class profile_name {
    unknown,       // the harness could not tell (the probe found no connection)
    contract,      // every method, and every endpoint the run asked for
    partial,       // some methods or endpoints missing: their scenarios skip
    contract_free, // none of the main hub's contract methods: only what needs nothing ran
};
std::string_view to_string(profile_name p) noexcept; // "unknown", "contract", "partial", "contract-free"

struct profile_info {
    profile_name name = profile_name::unknown;
    std::vector<std::string> missing_methods;        // contract methods of the main hub it lacks
    std::vector<std::string> missing_endpoints;      // contract endpoints the run asked for that are absent
    std::map<std::string, std::string> method_roles; // --method: contract role -> the target's method
    std::string note;                                // why the profile is unknown
};

/// How much of the catalogue a run checked: requirements with at least one cell that
/// reached a verdict (pass, fail, non-strict), out of the catalogue's ones on the tested side
/// (server-side, or client-side for a client under test; shared ones count for both).
struct catalogue_coverage {
    std::size_t checked = 0;  // requirements of the tested side checked by this run
    std::size_t total = 0;    // requirements of the tested side in the catalogue
    std::size_t testable = 0; // of those, the ones a scenario can observe (not marked untestable)
};

/// One setting of the target the run went by, and where its value came from.
struct configuration_item {
    std::string name;   // the settings table's name: "stateful_reconnect", "keepalive_ms"
    std::string value;  // "on", "15000", "more than 1"
    std::string source; // "declared", "detected", "embedded", "default"
    std::string note;   // how it was detected, or what it changes in the run
};

struct run_result {
    std::string tool_version;
    std::string started_at; // ISO 8601 UTC
    std::chrono::milliseconds wall_time{0};
    target_info target;
    std::vector<configuration_item> target_configuration; // what scenarios adapted to or skipped for
    bool strict = false;
    std::vector<scenario_result> scenarios;
    requirement_catalogue catalogue;
    profile_info profile;

    /// Counts by outcome over every cell.
    struct totals {
        std::size_t pass = 0, fail = 0, non_strict = 0, skip = 0, error = 0;
    };
    totals count() const;
    /// Cells that make the run fail: fail and error, non-strict when strict, and any
    /// cell whose outcome differs from what --expect said.
    std::size_t failing_cells() const;
    catalogue_coverage coverage() const;
};

/// The profile and the coverage in one line, for the console and the reports:
/// "profile contract-free (…) · 120 of 230 server-side requirements checked".
std::string profile_summary(const run_result& run);

/// Whether --expect named this cell and it ended as the entry allows.
bool as_expected(const cell_result& c) noexcept;

/// Whether this cell makes the run fail, by the rule failing_cells() counts with.
bool fails_run(const cell_result& c, bool strict) noexcept;

} // namespace hubspec::harness
