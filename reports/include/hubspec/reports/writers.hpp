#pragma once
// The four report writers (design §8): results.json (schema hubspec-results/1),
// junit.xml (one testcase per cell), summary.md (CI summaries, pull requests),
// index.html (self-contained: matrix, coverage, transcripts). And the comparison
// of several targets' runs side by side.

#include "hubspec/reports/run_result.hpp"

#include <filesystem>
#include <ostream>
#include <string>
#include <vector>

namespace hubspec::harness {

void write_results_json(const run_result& run, std::ostream& out);
void write_junit_xml(const run_result& run, std::ostream& out);
void write_summary_markdown(const run_result& run, std::ostream& out);
void write_index_html(const run_result& run, std::ostream& out);

/// Writes all four into `directory` (created if missing). Throws std::runtime_error on I/O failure.
void write_reports(const run_result& run, const std::filesystem::path& directory);

/// A peer matrix: one column per run (target), one row per scenario × cell.
void write_comparison_markdown(const std::vector<run_result>& runs, std::ostream& out);
void write_comparison_html(const std::vector<run_result>& runs, std::ostream& out);

} // namespace hubspec::harness
