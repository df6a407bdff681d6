// The peer matrix (design §8): several targets' runs side by side, one column
// per target, one row per scenario × cell, and where they disagree.

#include "html_style.hpp"
#include "report_text.hpp"
#include "run_facts.hpp"

#include "hubspec/reports/writers.hpp"

#include <algorithm>
#include <map>
#include <optional>
#include <ostream>
#include <set>

namespace hubspec::harness {
namespace {

struct comparison_row {
    std::string scenario_id;
    std::string cell;
    std::vector<const cell_result*> per_run; // null where that run lacks the cell
    bool disagree = false;
};

std::vector<comparison_row> compare(const std::vector<run_result>& runs) {
    std::vector<comparison_row> rows;
    std::map<std::pair<std::string, std::string>, std::size_t> index;
    for (std::size_t r = 0; r < runs.size(); ++r) {
        for (const auto& s : runs[r].scenarios) {
            for (const auto& c : s.cells) {
                const auto [at, added] = index.emplace(std::pair{s.id, reports::cell_name(c)}, rows.size());
                if (added)
                    rows.push_back({s.id, reports::cell_name(c), std::vector<const cell_result*>(runs.size()), false});
                rows[at->second].per_run[r] = &c;
            }
        }
    }
    for (auto& row : rows) {
        std::set<outcome> seen;
        for (const auto* c : row.per_run) {
            if (c) seen.insert(c->result);
        }
        row.disagree = seen.size() > 1;
    }
    return rows;
}

std::vector<std::string> column_names(const std::vector<run_result>& runs) {
    std::vector<std::string> names;
    for (const auto& run : runs) {
        std::string name = reports::target_text(run.target);
        if (name.empty()) name = "run";
        // Two runs of one target stay apart.
        const auto twins = static_cast<std::size_t>(std::count(names.begin(), names.end(), name));
        names.push_back(twins == 0 ? name : name + " #" + std::to_string(twins + 1));
    }
    return names;
}

std::string totals_line(const run_result& run) {
    const auto t = run.count();
    return std::string(reports::outcome_glyph(outcome::pass)) + " " + std::to_string(t.pass) + " · " +
           std::string(reports::outcome_glyph(outcome::fail)) + " " + std::to_string(t.fail) + " · " +
           std::string(reports::outcome_glyph(outcome::non_strict)) + " " + std::to_string(t.non_strict) + " · " +
           std::string(reports::outcome_glyph(outcome::skip)) + " " + std::to_string(t.skip) + " · " +
           std::string(reports::outcome_glyph(outcome::error)) + " " + std::to_string(t.error);
}

/// "pass", or "fail (NEG-010: expected …, seen …)".
std::string outcome_detail(const cell_result& c) {
    std::string text(to_string(c.result));
    if (c.result != outcome::pass) text += " (" + reports::truncate_text(reports::failure_summary(c), 300) + ")";
    return text;
}

} // namespace

void write_comparison_markdown(const std::vector<run_result>& runs, std::ostream& out) {
    using reports::markdown_escape;
    const auto names = column_names(runs);
    const auto rows = compare(runs);
    std::size_t disagreements = 0;
    for (const auto& row : rows)
        disagreements += row.disagree ? std::size_t{1} : std::size_t{0};

    out << "# hubspec comparison: " << runs.size() << (runs.size() == 1 ? " target" : " targets") << ", "
        << disagreements << (disagreements == 1 ? " disagreement" : " disagreements") << "\n\n";
    for (std::size_t r = 0; r < runs.size(); ++r)
        out << "- " << markdown_escape(names[r]) << ": " << totals_line(runs[r]) << "\n";
    out << "\n| Scenario | Cell |";
    for (const auto& name : names)
        out << " " << markdown_escape(name) << " |";
    out << "\n| --- | --- |";
    for (std::size_t r = 0; r < runs.size(); ++r)
        out << " :-: |";
    out << "\n";
    for (const auto& row : rows) {
        out << "| " << markdown_escape(row.scenario_id) << (row.disagree ? " \xE2\x9D\x97" : "") << " | "
            << markdown_escape(row.cell) << " |";
        for (const auto* c : row.per_run)
            out << " " << (c ? reports::outcome_glyph(c->result) : std::string_view("\xE2\x80\x94")) << " |";
        out << "\n";
    }
    if (disagreements != 0) {
        out << "\n## Disagreements\n\n";
        for (const auto& row : rows) {
            if (!row.disagree) continue;
            out << "- " << markdown_escape(row.scenario_id) << " — " << markdown_escape(row.cell) << ":";
            for (std::size_t r = 0; r < runs.size(); ++r) {
                out << (r == 0 ? " " : "; ") << markdown_escape(names[r]) << " ";
                if (const auto* c = row.per_run[r]) {
                    out << reports::outcome_glyph(c->result) << " " << markdown_escape(outcome_detail(*c));
                } else {
                    out << "not run";
                }
            }
            out << "\n";
        }
    }
}

void write_comparison_html(const std::vector<run_result>& runs, std::ostream& out) {
    using reports::xml_escape;
    const auto names = column_names(runs);
    const auto rows = compare(runs);
    std::size_t disagreements = 0;
    for (const auto& row : rows)
        disagreements += row.disagree ? std::size_t{1} : std::size_t{0};

    out << "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
        << "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
        << "<title>hubspec comparison</title>\n<style>" << reports::html_style << "</style>\n</head>\n<body>\n"
        << "<header>\n<h1>hubspec comparison</h1>\n<p>" << runs.size() << (runs.size() == 1 ? " target" : " targets")
        << ", " << disagreements << (disagreements == 1 ? " disagreement" : " disagreements") << ".</p>\n<ul>\n";
    for (std::size_t r = 0; r < runs.size(); ++r)
        out << "<li><code>" << xml_escape(names[r]) << "</code>: " << totals_line(runs[r]) << "</li>\n";
    out << "</ul>\n</header>\n<main>\n<div class=\"filters\"><label><input type=\"checkbox\" id=\"only-disagree\"> "
        << "Only rows where the targets disagree</label></div>\n"
        << "<table class=\"matrix\">\n<thead><tr><th>Scenario</th><th>Cell</th>";
    for (const auto& name : names)
        out << "<th>" << xml_escape(name) << "</th>";
    out << "</tr></thead>\n<tbody>\n";
    for (const auto& row : rows) {
        out << "<tr" << (row.disagree ? " class=\"disagree\"" : "") << "><th>" << xml_escape(row.scenario_id)
            << "</th><td>" << xml_escape(row.cell) << "</td>";
        for (const auto* c : row.per_run) {
            if (!c) {
                out << "<td class=\"empty\">\xE2\x80\x94</td>";
                continue;
            }
            out << "<td class=\"cell o-" << to_string(c->result) << "\" title=\""
                << xml_escape(outcome_detail(*c), true) << "\">" << reports::outcome_glyph(c->result) << " "
                << to_string(c->result) << "</td>";
        }
        out << "</tr>\n";
    }
    out << "</tbody>\n</table>\n";
    if (disagreements != 0) {
        out << "<h2>Disagreements</h2>\n<ul>\n";
        for (const auto& row : rows) {
            if (!row.disagree) continue;
            out << "<li><code>" << xml_escape(row.scenario_id) << "</code> \xE2\x80\x94 " << xml_escape(row.cell)
                << "<ul>";
            for (std::size_t r = 0; r < runs.size(); ++r) {
                const auto* c = row.per_run[r];
                out << "<li>" << xml_escape(names[r]) << ": "
                    << (c ? std::string(reports::outcome_glyph(c->result)) + " " + xml_escape(outcome_detail(*c))
                          : std::string("not run"))
                    << "</li>";
            }
            out << "</ul></li>\n";
        }
        out << "</ul>\n";
    }
    out << "</main>\n<script>\n"
        << "document.getElementById(\"only-disagree\").addEventListener(\"change\", e => {\n"
        << "  document.querySelectorAll(\"table.matrix tbody tr\").forEach(tr => {\n"
        << "    tr.hidden = e.target.checked && !tr.classList.contains(\"disagree\");\n"
        << "  });\n});\n</script>\n</body>\n</html>\n";
}

} // namespace hubspec::harness
