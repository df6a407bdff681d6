#include "hubspec/harness/coverage.hpp"

#include <algorithm>
#include <iomanip>
#include <iterator>
#include <ostream>

namespace hubspec::harness {
namespace {

// IDs a step names with `requires:` (a string or a list); the README lets a step say which requirement it checks.
std::vector<std::string> step_requires(const step& s) {
    std::vector<std::string> ids;
    const auto* named = s.params.find("requires");
    if (named == nullptr) return ids;
    if (const auto* one = named->as_string()) {
        ids.push_back(*one);
    } else if (const auto* many = named->get_if<protocol::array>()) {
        for (const auto& item : *many) {
            if (const auto* id = item.as_string()) ids.push_back(*id);
        }
    }
    return ids;
}

// The first `width` bytes of `text` without splitting a UTF-8 sequence, with "…" when cut.
std::string shorten(const std::string& text, std::size_t width) {
    if (text.size() <= width) return text;
    std::size_t end = width;
    while (end > 0 && (static_cast<unsigned char>(text[end]) & 0xC0) == 0x80)
        --end;
    return text.substr(0, end) + "…";
}

} // namespace

std::string_view requirement_group(std::string_view id) noexcept {
    return id.substr(0, id.find('-'));
}

bool counts_toward_coverage(const requirement& r, requirement_side tested) noexcept {
    const auto other_side = tested == requirement_side::client ? requirement_side::server : requirement_side::client;
    return r.side != other_side && r.level != requirement_level::may;
}

coverage_report compute_coverage(const requirement_catalogue& catalogue, const std::vector<scenario>& scenarios,
                                 requirement_side tested) {
    coverage_report report;
    for (const auto& r : catalogue.all())
        report.scenarios_by_requirement[r.id];

    auto note = [&](const std::string& id, const scenario& sc, const source_location& where) {
        const auto it = report.scenarios_by_requirement.find(id);
        if (it == report.scenarios_by_requirement.end()) {
            report.unknown_references.push_back({id, sc.id, where});
            return;
        }
        auto& ids = it->second;
        if (ids.empty() || ids.back() != sc.id) ids.push_back(sc.id); // a scenario names an ID more than once
    };
    for (const auto& sc : scenarios) {
        for (const auto& id : sc.requires_ids)
            note(id, sc, sc.where);
        for (const auto& s : sc.steps) {
            for (const auto& id : step_requires(s))
                note(id, sc, s.where);
        }
    }

    for (const auto& r : catalogue.all()) {
        const bool covered = !report.scenarios_by_requirement[r.id].empty();
        if (covered && r.untestable) report.covered_but_untestable.push_back(r.id);
        if (counts_toward_coverage(r, tested) && !covered && !r.untestable) report.missing.push_back(r.id);
    }
    return report;
}

std::vector<group_coverage> coverage_by_group(const requirement_catalogue& catalogue, const coverage_report& report,
                                              requirement_side tested) {
    std::vector<group_coverage> groups;
    for (const auto& r : catalogue.all()) {
        if (!counts_toward_coverage(r, tested)) continue;
        const auto name = requirement_group(r.id);
        auto it = std::find_if(groups.begin(), groups.end(), [&](const auto& g) { return g.group == name; });
        if (it == groups.end()) {
            groups.emplace_back().group = std::string(name);
            it = std::prev(groups.end());
        }
        const auto covering = report.scenarios_by_requirement.find(r.id);
        if (covering != report.scenarios_by_requirement.end() && !covering->second.empty())
            ++it->covered;
        else if (r.untestable)
            ++it->untestable;
        else
            ++it->missing;
    }
    return groups;
}

bool coverage_complete(const coverage_report& report) noexcept {
    return report.missing.empty() && report.unknown_references.empty();
}

void print_coverage(std::ostream& out, const requirement_catalogue& catalogue, const coverage_report& report,
                    requirement_side tested) {
    const auto groups = coverage_by_group(catalogue, report, tested);
    group_coverage total;
    total.group = "total";
    for (const auto& g : groups) {
        total.covered += g.covered;
        total.untestable += g.untestable;
        total.missing += g.missing;
    }
    out << (tested == requirement_side::client ? "Client-side" : "Server-side")
        << " MUST and SHOULD requirements: " << total.covered + total.untestable + total.missing << '\n';
    out << std::left << std::setw(8) << "group" << std::right << std::setw(9) << "covered" << std::setw(12)
        << "untestable" << std::setw(9) << "missing" << '\n';
    auto row = [&](const group_coverage& g) {
        out << std::left << std::setw(8) << g.group << std::right << std::setw(9) << g.covered << std::setw(12)
            << g.untestable << std::setw(9) << g.missing << '\n';
    };
    for (const auto& g : groups)
        row(g);
    row(total);

    if (!report.missing.empty()) {
        out << "\nMissing (" << report.missing.size() << "): no scenario covers them and none is marked untestable\n";
        for (const auto& id : report.missing) {
            const auto* r = catalogue.find(id);
            out << "  " << std::left << std::setw(10) << id << std::setw(7) << to_string(r->level) << std::right
                << shorten(r->text, 90) << '\n';
        }
    }
    if (!report.unknown_references.empty()) {
        out << "\nUnknown requirement IDs (" << report.unknown_references.size() << "):\n";
        for (const auto& ref : report.unknown_references) {
            out << "  " << ref.where.to_string() << ": scenario " << ref.scenario_id << " names " << ref.requirement_id
                << ", which is not in the catalogue\n";
        }
    }
    if (!report.covered_but_untestable.empty()) {
        out << "\nMarked untestable yet covered by a scenario (drop the mark?):";
        for (const auto& id : report.covered_but_untestable)
            out << ' ' << id;
        out << '\n';
    }
    out << '\n'
        << (coverage_complete(report) ? "Coverage complete."
                                      : "Coverage incomplete: " + std::to_string(report.missing.size()) + " missing, " +
                                            std::to_string(report.unknown_references.size()) + " unknown reference(s).")
        << '\n';
}

} // namespace hubspec::harness
