// summary.md (design §8): for CI step summaries and pull requests — totals, the
// matrix in glyphs, then each failure with its evidence in brief.

#include "report_text.hpp"
#include "run_facts.hpp"

#include "hubspec/reports/writers.hpp"

#include <ostream>

namespace hubspec::harness {
namespace {

using reports::markdown_escape;

// Long expectations and sightings are cut here; index.html has them whole.
constexpr std::size_t max_detail_bytes = 400;
// Beyond this many, failures are counted, not listed (GitHub caps a step summary at 1 MiB).
constexpr std::size_t max_listed = 100;

constexpr std::string_view known_mark = "\xE2\x80\xA0";      // † known deviation
constexpr std::string_view unexpected_mark = "\xE2\x9D\x97"; // ❗ not what --expect said

std::string detail(std::string_view text) {
    return markdown_escape(reports::truncate_text(text, max_detail_bytes));
}

std::string glyph_cell(const cell_result& c) {
    std::string g(reports::outcome_glyph(c.result));
    if (c.expected_outcome) g += as_expected(c) ? known_mark : unexpected_mark;
    return g;
}

std::string totals_text(const run_result::totals& t) {
    using reports::outcome_glyph;
    return std::string(outcome_glyph(outcome::pass)) + " " + std::to_string(t.pass) + " pass · " +
           std::string(outcome_glyph(outcome::fail)) + " " + std::to_string(t.fail) + " fail · " +
           std::string(outcome_glyph(outcome::non_strict)) + " " + std::to_string(t.non_strict) + " non-strict · " +
           std::string(outcome_glyph(outcome::skip)) + " " + std::to_string(t.skip) + " skip · " +
           std::string(outcome_glyph(outcome::error)) + " " + std::to_string(t.error) + " error";
}

void write_cell_evidence(std::ostream& out, const scenario_result& s, const cell_result& c) {
    out << "### " << reports::outcome_glyph(c.result) << " " << markdown_escape(s.id) << " — "
        << markdown_escape(reports::cell_name(c)) << "\n\n";
    if (!s.title.empty()) out << markdown_escape(s.title) << "\n\n";
    if (c.expected_outcome && !as_expected(c)) {
        out << "- **Not as expected:** `--expect` said " << to_string(*c.expected_outcome) << " ("
            << detail(c.expected_reason) << "), the cell ended " << to_string(c.result) << "\n";
    }
    if (c.failed) {
        const failure& f = *c.failed;
        out << "- **Step:** " << (f.step.empty() ? std::string("before the first step") : detail(f.step)) << "\n";
        out << "- **Expected:** " << detail(f.expected) << "\n";
        out << "- **Seen:** " << detail(f.seen) << "\n";
        if (!f.requirement_id.empty()) {
            out << "- **Requirement:** " << markdown_escape(f.requirement_id) << " — " << detail(f.requirement_text)
                << "\n";
        }
    }
    if (!c.reason.empty())
        out << "- **" << (c.result == outcome::error ? "Error" : "Reason") << ":** " << detail(c.reason) << "\n";
    if (c.result == outcome::non_strict) out << "- A SHOULD, not a MUST: fails the run only with `--strict`.\n";
    out << "\n";
}

// [DIFF] requirements: the catalogue follows Microsoft's server where SignalR's spec text
// says otherwise, so a target that passes them departs from that text as ASP.NET Core does.
void write_spec_text_departures(std::ostream& out, const run_result& run) {
    std::string lines;
    for (const auto& u : reports::requirement_uses(run, false)) {
        if (!u.entry || !u.entry->diff) continue;
        std::size_t passed = 0, other = 0;
        for (const auto* s : u.scenarios) {
            for (const auto& c : s->cells) {
                if (c.result == outcome::pass)
                    ++passed;
                else if (c.result != outcome::skip)
                    ++other;
            }
        }
        if (passed == 0) continue;
        lines += "- " + markdown_escape(u.id) + " — " + detail(u.entry->text) + " (" + std::to_string(passed) +
                 " passing cell" + (passed == 1 ? "" : "s") +
                 (other == 0 ? std::string() : ", " + std::to_string(other) + " not passing") + ")\n";
    }
    if (lines.empty()) return;
    out << "## Where the target departs from the spec text as ASP.NET Core does\n\n"
        << "These requirements are marked [DIFF] in the catalogue: it follows Microsoft's server where "
           "SignalR's specification text says otherwise. The target passed their scenarios, so it behaves "
           "as ASP.NET Core does, not as the text reads.\n\n"
        << lines << "\n";
}

} // namespace

void write_summary_markdown(const run_result& run, std::ostream& out) {
    const auto totals = run.count();
    const std::size_t cells = totals.pass + totals.fail + totals.non_strict + totals.skip + totals.error;
    const std::size_t failing = run.failing_cells();

    out << "# hubspec: " << markdown_escape(reports::target_text(run.target)) << " — " << totals_text(totals) << "\n\n";
    out << "Ran " << cells << " cells in " << reports::seconds_text(run.wall_time, 1) << " s";
    if (!run.started_at.empty()) out << " (started " << markdown_escape(run.started_at) << ")";
    if (!run.tool_version.empty()) out << " with hubspec " << markdown_escape(run.tool_version);
    out << (run.strict ? ", strict" : "") << ". **" << (failing == 0 ? "Passed" : "Failed") << "**";
    if (failing != 0) out << ": " << failing << (failing == 1 ? " cell" : " cells") << " failed the run";
    out << ".\n\n" << markdown_escape(profile_summary(run)) << ".\n\n";

    if (!run.target_configuration.empty()) {
        out << "## Target configuration\n\nWhat the scenarios went by: they adapt to it or skip with the reason.\n\n"
            << "| Setting | Value | Source | Note |\n| --- | --- | --- | --- |\n";
        for (const auto& item : run.target_configuration)
            out << "| " << markdown_escape(item.name) << " | " << markdown_escape(item.value) << " | "
                << markdown_escape(item.source) << " | " << markdown_escape(item.note) << " |\n";
        out << "\n";
    }

    // The matrix: one row per scenario, one glyph per cell.
    const auto columns = reports::cell_columns(run);
    out << "| Scenario |";
    for (const auto& col : columns)
        out << " " << markdown_escape(col) << " |";
    out << "\n| --- |";
    for (std::size_t i = 0; i < columns.size(); ++i)
        out << " :-: |";
    out << "\n";
    bool any_expected = false;
    for (const auto& s : run.scenarios) {
        out << "| " << markdown_escape(s.id) << " |";
        for (const auto& col : columns) {
            std::string glyphs;
            for (const auto& c : s.cells) {
                if (reports::cell_name(c) == col) glyphs += glyph_cell(c);
                any_expected = any_expected || c.expected_outcome.has_value();
            }
            out << " " << glyphs << " |";
        }
        out << "\n";
    }
    out << "\n"
        << reports::outcome_glyph(outcome::pass) << " pass · " << reports::outcome_glyph(outcome::fail) << " fail · "
        << reports::outcome_glyph(outcome::non_strict) << " non-strict · " << reports::outcome_glyph(outcome::skip)
        << " skip · " << reports::outcome_glyph(outcome::error) << " error";
    if (any_expected)
        out << " · " << known_mark << " known deviation · " << unexpected_mark << " not as `--expect` said";
    out << "\n\n";

    // Failures: what fails the run, then non-strict findings that do not.
    std::size_t listed = 0, unlisted = 0;
    auto list = [&](auto&& wanted) {
        for (const auto& s : run.scenarios) {
            for (const auto& c : s.cells) {
                if (!wanted(c)) continue;
                if (listed == max_listed) {
                    ++unlisted;
                    continue;
                }
                ++listed;
                write_cell_evidence(out, s, c);
            }
        }
    };
    const auto failing_cell = [&](const cell_result& c) { return fails_run(c, run.strict); };
    const auto soft_cell = [&](const cell_result& c) {
        return !fails_run(c, run.strict) && !c.expected_outcome && c.result == outcome::non_strict;
    };
    if (failing != 0) {
        out << "## Failures\n\n";
        list(failing_cell);
    }
    std::size_t soft = 0;
    for (const auto& s : run.scenarios) {
        for (const auto& c : s.cells)
            soft += soft_cell(c) ? std::size_t{1} : std::size_t{0};
    }
    if (soft != 0) {
        out << "## Non-strict findings\n\nSHOULDs the target breaks; `--strict` would fail them.\n\n";
        list(soft_cell);
    }
    if (unlisted != 0) out << "…and " << unlisted << " more; index.html lists every cell.\n\n";

    // Findings: deviations --expect knows of, which pass the run while they remain.
    std::string findings;
    for (const auto& s : run.scenarios) {
        for (const auto& c : s.cells) {
            if (!as_expected(c) || c.result == outcome::pass) continue;
            findings += "- " + std::string(reports::outcome_glyph(c.result)) + " " + markdown_escape(s.id) + " — " +
                        markdown_escape(reports::cell_name(c)) + ": " + detail(c.expected_reason);
            if (c.failed && !c.failed->requirement_id.empty()) {
                findings += " (" + markdown_escape(c.failed->requirement_id) + " — " +
                            detail(c.failed->requirement_text) + "; seen " + detail(c.failed->seen) + ")";
            }
            findings += "\n";
        }
    }
    if (!findings.empty()) {
        out << "## Findings\n\nKnown deviations (`--expect`): they pass the run while they remain.\n\n"
            << findings << "\n";
    }
    write_spec_text_departures(out, run);
}

} // namespace hubspec::harness
