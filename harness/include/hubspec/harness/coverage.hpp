#pragma once
// Requirement coverage (design §7, `hubspec list --coverage`): which scenarios
// check each requirement, which server-side MUST and SHOULD requirements nothing
// checks and nobody has justified as untestable, and which scenario references
// name no requirement at all. Issue 6 is done when the second and third are empty.

#include "hubspec/harness/scenario.hpp"
#include "hubspec/reports/requirements.hpp"

#include <iosfwd>
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace hubspec::harness {

/// A scenario (or one of its steps) naming a requirement ID the catalogue lacks.
struct unknown_requirement_reference {
    std::string requirement_id;
    std::string scenario_id;
    source_location where; // the scenario's, or the step's for a step-level `requires`
};

struct coverage_report {
    /// Every catalogue requirement → the ids of the scenarios that name it, in
    /// scenario order (empty when none does). Step-level `requires` count too.
    std::map<std::string, std::vector<std::string>> scenarios_by_requirement;
    /// MUST/SHOULD requirements of the tested side neither covered nor marked untestable, in catalogue order.
    std::vector<std::string> missing;
    /// Requirements marked untestable that a scenario covers all the same: the mark is probably stale.
    std::vector<std::string> covered_but_untestable;
    std::vector<unknown_requirement_reference> unknown_references;
};

/// Counts of one group (the ID before the dash: NEG, WS, …) over the requirements that count.
struct group_coverage {
    std::string group;
    int covered = 0;
    int untestable = 0;
    int missing = 0;
};

/// "NEG-010" → "NEG".
std::string_view requirement_group(std::string_view id) noexcept;

/// Whether coverage is owed for it: on the tested side (S or S+C for servers, C or S+C for
/// clients) and MUST or SHOULD.
bool counts_toward_coverage(const requirement& r, requirement_side tested = requirement_side::server) noexcept;

coverage_report compute_coverage(const requirement_catalogue& catalogue, const std::vector<scenario>& scenarios,
                                 requirement_side tested = requirement_side::server);

/// Per group, in catalogue order; groups without a requirement that counts are left out.
std::vector<group_coverage> coverage_by_group(const requirement_catalogue& catalogue, const coverage_report& report,
                                              requirement_side tested = requirement_side::server);

/// Nothing missing and no unknown reference (`hubspec list --coverage` exits 0).
bool coverage_complete(const coverage_report& report) noexcept;

/// The `hubspec list --coverage` text: the per-group table, then the missing IDs
/// with level and a short text, then the unknown references.
void print_coverage(std::ostream& out, const requirement_catalogue& catalogue, const coverage_report& report,
                    requirement_side tested = requirement_side::server);

} // namespace hubspec::harness
