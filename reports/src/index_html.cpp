// index.html (design §8): one self-contained page — the scenario × cell matrix,
// each cell's failure and transcript a click away, and requirement coverage.
// Nothing loads from the network; the run's data rides in the page as JSON.

#include "html_style.hpp"
#include "report_text.hpp"
#include "results_json.hpp"
#include "run_facts.hpp"

#include "hubspec/reports/writers.hpp"

#include <map>
#include <ostream>

namespace hubspec::harness {
namespace {

using reports::xml_escape;

// Renders the clicked cell from the embedded data; every datum goes in as
// textContent, never as markup.
constexpr std::string_view index_script = R"js(
(function () {
  "use strict";
  const data = JSON.parse(document.getElementById("hubspec-data").textContent);
  const details = document.getElementById("details");
  const arrows = { sent: "\u2192", received: "\u2190", note: "\u00b7" };
  function el(tag, cls, text) {
    const e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined && text !== null) e.textContent = String(text);
    return e;
  }
  function hexdump(b64) {
    let bin;
    try { bin = atob(b64); } catch (e) { return "(bad base64)"; }
    let out = "";
    for (let i = 0; i < bin.length; i += 16) {
      let hex = "", ascii = "";
      for (let k = 0; k < 16; k++) {
        if (i + k < bin.length) {
          const c = bin.charCodeAt(i + k);
          hex += c.toString(16).padStart(2, "0") + " ";
          ascii += c >= 32 && c < 127 ? bin[i + k] : ".";
        } else {
          hex += "   ";
        }
        if (k === 7) hex += " ";
      }
      out += i.toString(16).padStart(8, "0") + "  " + hex + " " + ascii + "\n";
    }
    return out;
  }
  function cellName(c) { return c.transport === null ? "once" : c.transport + "/" + c.protocol; }
  function row(dl, term, value) {
    if (value === undefined || value === null || value === "") return;
    dl.append(el("dt", null, term), el("dd", null, value));
  }
  function show(si, ci, scroll) {
    const s = data.scenarios[si], c = s && s.cells[ci];
    if (!c) return;
    document.querySelectorAll("td.cell.selected").forEach(td => td.classList.remove("selected"));
    const td = document.querySelector('td.cell[data-s="' + si + '"][data-c="' + ci + '"]');
    if (td) td.classList.add("selected");
    details.replaceChildren();
    details.append(el("h2", null, s.id + " \u2014 " + cellName(c)));
    if (s.title) details.append(el("p", "title", s.title));
    const dl = el("dl");
    const o = el("dd");
    o.append(el("span", "badge o-" + c.outcome, c.outcome));
    dl.append(el("dt", null, "Outcome"), o);
    row(dl, "Reason", c.reason);
    row(dl, "Duration", c.duration_ms + " ms");
    row(dl, "Requires", s.requires.join(", "));
    if (c.expected) row(dl, "--expect", c.expected.outcome + (c.expected.reason ? ": " + c.expected.reason : ""));
    if (c.failure) {
      const f = c.failure;
      row(dl, "Step", (f.step_index >= 0 ? "#" + (f.step_index + 1) + " " : "") + f.step);
      row(dl, "Expected", f.expected);
      row(dl, "Seen", f.seen);
      row(dl, "Requirement", f.requirement.id + (f.requirement.text ? " \u2014 " + f.requirement.text : ""));
    }
    details.append(dl);
    details.append(el("h3", null, "Transcript (" + c.transcript.length + " entries)"));
    const table = el("table", "transcript");
    const head = el("tr");
    for (const h of ["ms", "", "actor", "kind", "text"]) head.append(el("th", null, h));
    table.append(head);
    for (const e of c.transcript) {
      const tr = el("tr", "dir-" + e.direction);
      tr.append(el("td", null, e.at_ms), el("td", "arrow", arrows[e.direction] || e.direction),
                el("td", null, e.actor), el("td", null, e.kind));
      const text = el("td", "text");
      text.append(el("pre", null, e.text));
      if (e.bytes_base64) text.append(el("pre", "muted", hexdump(e.bytes_base64)));
      tr.append(text);
      table.append(tr);
    }
    details.append(table);
    details.hidden = false;
    if (scroll) details.scrollIntoView({ block: "start" });
    history.replaceState(null, "", "#cell-" + si + "-" + ci);
  }
  document.querySelectorAll("td.cell").forEach(td => {
    const open = () => show(Number(td.dataset.s), Number(td.dataset.c), true);
    td.addEventListener("click", open);
    td.addEventListener("keydown", e => { if (e.key === "Enter" || e.key === " ") { e.preventDefault(); open(); } });
  });
  const filter = document.getElementById("filter");
  const boxes = Array.from(document.querySelectorAll("input.outcome-filter"));
  function apply() {
    const text = filter.value.trim().toLowerCase();
    const wanted = new Set(boxes.filter(b => b.checked).map(b => b.value));
    document.querySelectorAll("table.matrix tbody tr").forEach(tr => {
      const idMatch = !text || tr.dataset.id.toLowerCase().includes(text);
      const outcomeMatch = tr.dataset.outcomes.split(" ").some(o => wanted.has(o));
      tr.hidden = !(idMatch && outcomeMatch);
    });
  }
  filter.addEventListener("input", apply);
  boxes.forEach(b => b.addEventListener("change", apply));
  const m = /^#cell-(\d+)-(\d+)$/.exec(location.hash);
  if (m) show(Number(m[1]), Number(m[2]), true);
})();
)js";

constexpr outcome all_outcomes[] = {outcome::pass, outcome::fail, outcome::non_strict, outcome::skip, outcome::error};

std::string outcome_class(outcome o) {
    return "o-" + std::string(to_string(o));
}

std::string totals_badges(const run_result::totals& t) {
    const std::size_t n[] = {t.pass, t.fail, t.non_strict, t.skip, t.error};
    std::string html;
    for (std::size_t i = 0; i < 5; ++i) {
        const outcome o = all_outcomes[i];
        html += "<span class=\"badge " + outcome_class(o) + "\">" + std::string(reports::outcome_glyph(o)) + " " +
                std::to_string(n[i]) + " " + std::string(to_string(o)) + "</span>";
    }
    return html;
}

/// JSON that is safe inside <script>: no '<' (so no "</script>" or "<!--"), '>' or '&' raw.
std::string script_safe_json(const std::string& json) {
    std::string out;
    out.reserve(json.size() + json.size() / 16);
    for (const char c : json) {
        switch (c) {
        case '<': out += "\\u003c"; break;
        case '>': out += "\\u003e"; break;
        case '&': out += "\\u0026"; break;
        default: out += c;
        }
    }
    return out;
}

void write_matrix(const run_result& run, std::ostream& out) {
    const auto columns = reports::cell_columns(run);
    out << "<section id=\"matrix\">\n<h2>Matrix</h2>\n<div class=\"filters\">"
        << "<input id=\"filter\" type=\"search\" placeholder=\"Filter by scenario id\" aria-label=\"Filter by scenario "
           "id\">";
    for (const outcome o : all_outcomes) {
        out << "<label class=\"badge " << outcome_class(o) << "\"><input type=\"checkbox\" class=\"outcome-filter\" "
            << "value=\"" << to_string(o) << "\" checked> " << reports::outcome_glyph(o) << " " << to_string(o)
            << "</label>";
    }
    out << "<span class=\"muted\">Click a cell for its failure and transcript.</span></div>\n";
    out << "<table class=\"matrix\">\n<thead><tr><th>Scenario</th>";
    for (const auto& col : columns)
        out << "<th>" << xml_escape(col) << "</th>";
    out << "</tr></thead>\n<tbody>\n";
    for (std::size_t si = 0; si < run.scenarios.size(); ++si) {
        const auto& s = run.scenarios[si];
        std::string outcomes;
        for (const auto& c : s.cells) {
            const std::string name(to_string(c.result));
            if ((" " + outcomes + " ").find(" " + name + " ") == std::string::npos)
                outcomes += (outcomes.empty() ? "" : " ") + name;
        }
        out << "<tr data-id=\"" << xml_escape(s.id, true) << "\" data-outcomes=\"" << outcomes << "\"><th>"
            << xml_escape(s.id);
        if (!s.title.empty()) out << "<div class=\"title\">" << xml_escape(s.title) << "</div>";
        out << "</th>";
        for (const auto& col : columns) {
            bool found = false;
            for (std::size_t ci = 0; ci < s.cells.size(); ++ci) {
                const auto& c = s.cells[ci];
                if (reports::cell_name(c) != col) continue;
                found = true;
                std::string tip = std::string(to_string(c.result));
                if (c.result != outcome::pass) tip += ": " + reports::failure_summary(c);
                out << "<td class=\"cell " << outcome_class(c.result) << "\" data-s=\"" << si << "\" data-c=\"" << ci
                    << "\" tabindex=\"0\" title=\"" << xml_escape(reports::truncate_text(tip, 300), true) << "\">"
                    << reports::outcome_glyph(c.result) << " " << to_string(c.result);
                if (c.expected_outcome) {
                    out << " <span class=\"mark\">" << (as_expected(c) ? "expected" : "not as expected") << "</span>";
                }
                out << "</td>";
                break;
            }
            if (!found) out << "<td class=\"empty\"></td>";
        }
        out << "</tr>\n";
    }
    out << "</tbody>\n</table>\n</section>\n";
}

/// What the scenarios went by: declared or detected settings of the target (issue 11, item 2).
void write_target_configuration(const run_result& run, std::ostream& out) {
    if (run.target_configuration.empty()) return;
    out << "<section id=\"configuration\">\n<h2>Target configuration</h2>\n"
        << "<p>What the scenarios went by: they adapt to it or skip with the reason.</p>\n"
        << "<table>\n<thead><tr><th>Setting</th><th>Value</th><th>Source</th><th>Note</th></tr></thead>\n<tbody>\n";
    for (const auto& item : run.target_configuration)
        out << "<tr><td class=\"mono\">" << xml_escape(item.name) << "</td><td class=\"mono\">"
            << xml_escape(item.value) << "</td><td>" << xml_escape(item.source) << "</td><td>" << xml_escape(item.note)
            << "</td></tr>\n";
    out << "</tbody>\n</table>\n</section>\n";
}

void write_coverage(const run_result& run, std::ostream& out) {
    // Unchecked requirements of the other side are not this report's business.
    const auto other_side = run.target.client_under_test ? requirement_side::server : requirement_side::client;
    auto uses = reports::requirement_uses(run, true);
    std::erase_if(uses, [&](const reports::requirement_use& u) {
        return u.scenarios.empty() && u.entry != nullptr && u.entry->side == other_side;
    });
    std::size_t covered = 0;
    for (const auto& u : uses)
        covered += u.scenarios.empty() ? std::size_t{0} : std::size_t{1};
    out << "<section id=\"coverage\">\n<h2>Requirement coverage</h2>\n<p>" << covered << " of " << uses.size()
        << (run.target.client_under_test ? " client-side" : " server-side")
        << " requirements checked by scenarios in this run.</p>\n"
        << "<table class=\"coverage\">\n<thead><tr><th>Requirement</th><th>Level</th><th>Side</th><th>Text</th>"
        << "<th>Scenarios</th><th>Cells</th></tr></thead>\n<tbody>\n";
    for (const auto& u : uses) {
        std::map<outcome, std::size_t> tally;
        for (const auto* s : u.scenarios) {
            for (const auto& c : s->cells)
                ++tally[c.result];
        }
        out << "<tr><td class=\"mono\">" << xml_escape(u.id) << "</td><td>"
            << (u.entry ? std::string(to_string(u.entry->level)) : std::string()) << "</td><td>"
            << (u.entry ? std::string(to_string(u.entry->side)) : std::string()) << "</td><td>"
            << xml_escape(u.entry ? u.entry->text : std::string("(not in the catalogue)"));
        if (u.entry && u.entry->diff) out << " <span class=\"mark\">[DIFF]</span>";
        out << "</td><td>";
        if (u.scenarios.empty()) {
            out << "<span class=\"muted\">"
                << xml_escape(u.entry && u.entry->untestable ? "not testable from the client: " + *u.entry->untestable
                                                             : std::string("no scenario in this run"))
                << "</span>";
        }
        for (std::size_t i = 0; i < u.scenarios.size(); ++i)
            out << (i == 0 ? "" : "<br>") << "<span class=\"mono\">" << xml_escape(u.scenarios[i]->id) << "</span>";
        out << "</td><td>";
        for (const auto& [o, n] : tally) {
            out << "<span class=\"badge " << outcome_class(o) << "\" title=\"" << to_string(o) << "\">"
                << reports::outcome_glyph(o) << " " << n << "</span>";
        }
        out << "</td></tr>\n";
    }
    out << "</tbody>\n</table>\n</section>\n";
}

} // namespace

void write_index_html(const run_result& run, std::ostream& out) {
    const auto totals = run.count();
    const std::size_t cells = totals.pass + totals.fail + totals.non_strict + totals.skip + totals.error;
    const std::size_t failing = run.failing_cells();
    const std::string target = xml_escape(reports::target_text(run.target));

    out << "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
        << "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
        << "<title>hubspec \xE2\x80\x94 " << target << "</title>\n<style>" << reports::html_style << "</style>\n"
        << "</head>\n<body>\n<header>\n<h1>hubspec report</h1>\n"
        << "<p>Target: <code>" << target << "</code>";
    if (!run.target.transports.empty()) {
        out << " \xC2\xB7 offers ";
        for (std::size_t i = 0; i < run.target.transports.size(); ++i)
            out << (i == 0 ? "" : ", ") << xml_escape(run.target.transports[i]);
    }
    out << "</p>\n<p>" << totals_badges(totals) << "</p>\n<p>Ran " << cells << " cells in "
        << reports::seconds_text(run.wall_time, 1) << " s";
    if (!run.started_at.empty()) out << " \xC2\xB7 started " << xml_escape(run.started_at);
    if (!run.tool_version.empty()) out << " \xC2\xB7 hubspec " << xml_escape(run.tool_version);
    if (run.strict) out << " \xC2\xB7 strict";
    out << " \xC2\xB7 <strong>" << (failing == 0 ? "Passed" : "Failed") << "</strong>";
    if (failing != 0) out << " (" << failing << (failing == 1 ? " cell" : " cells") << " failed the run)";
    out << "</p>\n<p id=\"profile\">" << xml_escape(profile_summary(run)) << "</p>\n</header>\n<main>\n";
    write_target_configuration(run, out);
    write_matrix(run, out);
    out << "<section id=\"details\" hidden></section>\n";
    write_coverage(run, out);
    out << "</main>\n<script type=\"application/json\" id=\"hubspec-data\">"
        << script_safe_json(reports::results_json_text(run, false)) << "</script>\n<script>" << index_script
        << "</script>\n</body>\n</html>\n";
}

} // namespace hubspec::harness
