#include "hubspec/harness/suite_commands.hpp"

#include "hubspec/harness/coverage.hpp"
#include "hubspec/harness/scenario_loader.hpp"
#include "hubspec/reports/expectations.hpp"
#include "hubspec/reports/writers.hpp"

#include <hubspec/protocol/detail/helpers.hpp>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iomanip>
#include <iostream>

namespace hubspec::harness {
namespace {

char progress_mark(outcome o) {
    switch (o) {
    case outcome::pass: return '.';
    case outcome::fail: return 'F';
    case outcome::non_strict: return 'N';
    case outcome::skip: return 's';
    case outcome::error: return 'E';
    }
    return '?';
}

std::string cell_name(const cell_result& c) {
    return cell_label(c.where, c.once);
}

void print_failures(const run_result& run, std::ostream& out) {
    for (const auto& sc : run.scenarios) {
        for (const auto& c : sc.cells) {
            // A cell --expect named that ended otherwise is shown too, even a pass: it is what fails the run.
            const bool differs = c.expected_outcome && !as_expected(c);
            const bool bad =
                differs || c.result == outcome::fail || c.result == outcome::error || (c.result == outcome::non_strict);
            if (!bad) continue;
            out << "\n" << to_string(c.result) << "  " << sc.id << "  [" << cell_name(c) << "]";
            if (as_expected(c)) out << "  (expected: " << c.expected_reason << ")";
            if (differs)
                out << "  (differs from --expect, which says " << to_string(*c.expected_outcome) << ": "
                    << c.expected_reason << ")";
            out << "\n";
            if (c.failed) {
                out << "  step      " << c.failed->step << "\n"
                    << "  expected  " << c.failed->expected << "\n"
                    << "  seen      " << c.failed->seen << "\n"
                    << "  violates  " << c.failed->requirement_id;
                if (!c.failed->requirement_text.empty()) out << ": " << c.failed->requirement_text;
                out << "\n";
            } else if (!c.reason.empty()) {
                out << "  " << c.reason << "\n";
            }
        }
    }
}

/// The server-side suite, or with `client_side` the client-side one (scenarios/client/).
std::vector<scenario> load_suite(const suite_files& files, bool client_side = false) {
    return load_scenarios_directory(client_side ? std::filesystem::path(files.scenarios_dir) / "client"
                                                : std::filesystem::path(files.scenarios_dir),
                                    is_known_step);
}

/// `PREFIX/share/hubspec/scenarios` beside an installed `PREFIX/bin/hubspec`; empty in the build tree.
std::string installed_scenarios_dir() {
    std::error_code ec;
    const auto exe = std::filesystem::read_symlink("/proc/self/exe", ec);
    if (ec) return {};
    const auto dir = exe.parent_path().parent_path() / "share" / "hubspec" / "scenarios";
    return std::filesystem::is_regular_file(dir / "requirements.yaml", ec) ? dir.string() : std::string();
}

} // namespace

suite_files default_suite_files(const std::string& scenarios_option) {
    std::string dir = scenarios_option;
    if (dir.empty())
        if (const char* env = std::getenv("HUBSPEC_SCENARIOS")) dir = env;
    if (dir.empty()) dir = installed_scenarios_dir();
    if (dir.empty()) dir = HUBSPEC_SCENARIOS_DIR;
    return {dir, dir + "/requirements.yaml"};
}

int run_command(const run_command_options& options, std::ostream& out, std::ostream& err) {
    std::vector<scenario> scenarios;
    requirement_catalogue catalogue;
    std::optional<expectations> expected;
    try {
        scenarios = load_suite(options.files, !options.run.client_command.empty());
        catalogue = requirement_catalogue::load_file(options.files.requirements_file);
        if (!options.expect_file.empty()) expected = expectations::load_file(options.expect_file);
    } catch (const std::exception& e) {
        err << "hubspec: " << e.what() << "\n";
        return 2;
    }

    auto run_opts = options.run;
    std::size_t done = 0;
    run_opts.on_cell = [&](const scenario_result& sc, const cell_result& c) {
        if (options.verbose) {
            out << std::left << std::setw(11) << to_string(c.result) << sc.id << " [" << cell_name(c) << "] "
                << c.duration.count() << " ms" << (c.reason.empty() ? "" : "  " + c.reason) << "\n";
        } else {
            out << progress_mark(c.result);
            if (++done % 80 == 0) out << "\n";
        }
        out.flush();
    };
    out << "hubspec " << HUBSPEC_VERSION << ": " << scenarios.size() << " scenarios against "
        << (!options.run.client_command.empty() ? "the client " + options.run.client_command
            : options.run.target_url.empty()    ? std::string("the embedded reference server")
                                                : options.run.target_url)
        << "\n";
    run_result run;
    try {
        run = run_scenarios(scenarios, catalogue, run_opts);
    } catch (const unreachable_target& e) {
        err << "\nhubspec: target unreachable: " << e.what() << "\n";
        return 2;
    } catch (const unauthorized_target& e) {
        err << "\nhubspec: " << e.what() << "\n";
        return 2;
    }
    if (expected) expected->apply(run);
    out << "\n";
    print_failures(run, out);

    try {
        write_reports(run, options.out_dir);
        if (!options.write_expect_file.empty()) {
            std::ofstream file(options.write_expect_file);
            expectations::write_from_run(run, file);
            if (!file) throw std::runtime_error("cannot write " + options.write_expect_file);
        }
    } catch (const std::exception& e) {
        err << "hubspec: " << e.what() << "\n";
        return 2;
    }

    const auto totals = run.count();
    const auto failing = run.failing_cells();
    out << "\n"
        << totals.pass << " passed, " << totals.fail << " failed, " << totals.non_strict << " non-strict, "
        << totals.skip << " skipped, " << totals.error << " errors in " << std::fixed << std::setprecision(1)
        << static_cast<double>(run.wall_time.count()) / 1000.0 << " s (target " << run.target.url << ")\n"
        << profile_summary(run) << "\n"
        << "reports: " << options.out_dir << "/{results.json,junit.xml,summary.md,index.html}\n";
    if (expected)
        out << (failing ? std::to_string(failing) + " cells differ from " : std::string("every cell as in "))
            << options.expect_file << "\n";
    return failing ? 1 : 0;
}

int compare_command(const run_command_options& options, const std::vector<std::string>& targets, std::ostream& out,
                    std::ostream& err) {
    std::vector<scenario> scenarios;
    requirement_catalogue catalogue;
    try {
        scenarios = load_suite(options.files);
        catalogue = requirement_catalogue::load_file(options.files.requirements_file);
    } catch (const std::exception& e) {
        err << "hubspec: " << e.what() << "\n";
        return 2;
    }
    std::vector<run_result> runs;
    bool all_passed = true;
    for (std::size_t i = 0; i < targets.size(); ++i) {
        auto run_opts = options.run;
        run_opts.target_url = targets[i] == "embedded" ? std::string() : targets[i];
        if (run_opts.target_url.empty()) run_opts.timings = protocol::embedded_target_settings();
        out << "hubspec: " << scenarios.size() << " scenarios against " << targets[i] << " ..." << std::flush;
        try {
            runs.push_back(run_scenarios(scenarios, catalogue, run_opts));
        } catch (const unreachable_target& e) {
            err << "\nhubspec: target unreachable: " << e.what() << "\n";
            return 2;
        } catch (const unauthorized_target& e) {
            err << "\nhubspec: " << e.what() << "\n";
            return 2;
        }
        const auto totals = runs.back().count();
        out << " " << totals.pass << " passed, " << totals.fail << " failed, " << totals.non_strict << " non-strict, "
            << totals.skip << " skipped, " << totals.error << " errors\n";
        all_passed = all_passed && runs.back().failing_cells() == 0;
        try {
            write_reports(runs.back(), std::filesystem::path(options.out_dir) / std::to_string(i + 1));
        } catch (const std::exception& e) {
            err << "hubspec: " << e.what() << "\n";
            return 2;
        }
    }
    std::ofstream markdown(std::filesystem::path(options.out_dir) / "comparison.md");
    write_comparison_markdown(runs, markdown);
    std::ofstream html(std::filesystem::path(options.out_dir) / "comparison.html");
    write_comparison_html(runs, html);
    if (!markdown || !html) {
        err << "hubspec: cannot write the comparison into " << options.out_dir << "\n";
        return 2;
    }
    out << "comparison: " << options.out_dir << "/comparison.{md,html}; each target's reports in " << options.out_dir
        << "/1.." << runs.size() << "/\n";
    return all_passed ? 0 : 1;
}

int list_command(const suite_files& files, bool coverage, bool client_side, std::ostream& out, std::ostream& err) {
    std::vector<scenario> scenarios;
    requirement_catalogue catalogue;
    try {
        scenarios = load_suite(files, client_side);
        catalogue = requirement_catalogue::load_file(files.requirements_file);
    } catch (const std::exception& e) {
        err << "hubspec: " << e.what() << "\n";
        return 2;
    }
    if (coverage) {
        const auto tested = client_side ? requirement_side::client : requirement_side::server;
        const auto report = compute_coverage(catalogue, scenarios, tested);
        print_coverage(out, catalogue, report, tested);
        return coverage_complete(report) ? 0 : 1;
    }
    for (const auto& sc : scenarios) {
        out << sc.id << "  ";
        for (std::size_t i = 0; i < sc.requires_ids.size(); ++i)
            out << (i ? "," : "") << sc.requires_ids[i];
        out << "\n    " << sc.title << "  (" << sc.where.to_string() << ")\n";
    }
    out << scenarios.size() << " scenarios\n";
    return 0;
}

} // namespace hubspec::harness
