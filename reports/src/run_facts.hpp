#pragma once
// What several reports derive alike from a run: cell names and columns, outcome
// glyphs, a failure in one line, and which requirements the run touched.

#include "hubspec/reports/run_result.hpp"

#include <string>
#include <string_view>
#include <vector>

namespace hubspec::harness::reports {

/// "WebSockets/json", or "once" for a scenario that runs once.
std::string cell_name(const cell_result& c);

/// The run's cell columns in matrix order (transport, then protocol; "once" last).
std::vector<std::string> cell_columns(const run_result& run);

std::string_view outcome_glyph(outcome o) noexcept; // ✅ ❌ ⚠️ ⏭️ 💥

/// "the hub URL" or "embedded reference server (URL)".
std::string target_text(const target_info& target);

/// One line on why a cell did not pass: "step: expected X, seen Y [REQ-ID]", or its reason.
std::string failure_summary(const cell_result& c);

/// A requirement the run touched, with the scenarios that check it.
struct requirement_use {
    std::string id;
    const requirement* entry = nullptr; // null when the catalogue lacks it
    std::vector<const scenario_result*> scenarios;
};

/// Requirements named by a scenario's `requires` or charged with a failure, in
/// catalogue order (unknown ids last); with `whole_catalogue`, unused ones too.
std::vector<requirement_use> requirement_uses(const run_result& run, bool whole_catalogue);

} // namespace hubspec::harness::reports
