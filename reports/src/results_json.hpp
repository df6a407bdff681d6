#pragma once
// results.json as a string, for index.html to embed as its data.

#include "hubspec/reports/run_result.hpp"

#include <string>

namespace hubspec::harness::reports {

/// The run in schema hubspec-results/1, indented when `pretty`.
std::string results_json_text(const run_result& run, bool pretty);

} // namespace hubspec::harness::reports
