#pragma once
// `hubspec run` and `hubspec list` (design §5 contract): the suite from the
// command line. Exit codes: 0 no cell failed, 1 some did, 2 usage errors, bad
// scenario files, or an unreachable target.

#include "hubspec/harness/runner.hpp"

#include <iosfwd>
#include <optional>
#include <string>
#include <vector>

namespace hubspec::harness {

struct suite_files {
    std::string scenarios_dir; // every *.yaml but requirements.yaml
    std::string requirements_file;
};

/// Where scenarios live: --scenarios, else $HUBSPEC_SCENARIOS, else PREFIX/share/hubspec/scenarios
/// beside an installed binary, else the source tree's.
suite_files default_suite_files(const std::string& scenarios_option);

struct run_command_options {
    run_options run;
    suite_files files;
    std::string out_dir = "reports/out";
    std::string expect_file;       // --expect
    std::string write_expect_file; // --write-expect
    bool verbose = false;          // a line per cell instead of a character
};

int run_command(const run_command_options& options, std::ostream& out, std::ostream& err);

/// `hubspec compare URL…`: the suite against each target ("embedded" = the reference
/// server), then comparison.md and comparison.html side by side, plus each target's
/// own reports in DIR/<n>/. Exit 0 when every run passed, 1 otherwise, 2 on errors.
int compare_command(const run_command_options& options, const std::vector<std::string>& targets, std::ostream& out,
                    std::ostream& err);

int list_command(const suite_files& files, bool coverage, bool client_side, std::ostream& out, std::ostream& err);

} // namespace hubspec::harness
