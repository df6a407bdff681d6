#include "hubspec/reports/run_result.hpp"

#include <algorithm>
#include <set>

namespace hubspec::harness {

bool as_expected(const cell_result& c) noexcept {
    if (!c.expected_outcome) return false;
    return c.result == *c.expected_outcome || std::find(c.expected_alternatives.begin(), c.expected_alternatives.end(),
                                                        c.result) != c.expected_alternatives.end();
}

bool fails_run(const cell_result& c, bool strict) noexcept {
    // --expect replaces the usual rule: a known deviation passes, an unexpected pass fails.
    if (c.expected_outcome) return !as_expected(c);
    switch (c.result) {
    case outcome::fail:
    case outcome::error: return true;
    case outcome::non_strict: return strict;
    case outcome::pass:
    case outcome::skip: return false;
    }
    return true;
}

run_result::totals run_result::count() const {
    totals t;
    for (const auto& s : scenarios) {
        for (const auto& c : s.cells) {
            switch (c.result) {
            case outcome::pass: ++t.pass; break;
            case outcome::fail: ++t.fail; break;
            case outcome::non_strict: ++t.non_strict; break;
            case outcome::skip: ++t.skip; break;
            case outcome::error: ++t.error; break;
            }
        }
    }
    return t;
}

std::size_t run_result::failing_cells() const {
    std::size_t n = 0;
    for (const auto& s : scenarios) {
        for (const auto& c : s.cells) {
            if (fails_run(c, strict)) ++n;
        }
    }
    return n;
}

std::string_view to_string(profile_name p) noexcept {
    switch (p) {
    case profile_name::unknown: return "unknown";
    case profile_name::contract: return "contract";
    case profile_name::partial: return "partial";
    case profile_name::contract_free: return "contract-free";
    }
    return "unknown";
}

catalogue_coverage run_result::coverage() const {
    catalogue_coverage c;
    const auto other_side = target.client_under_test ? requirement_side::server : requirement_side::client;
    std::set<std::string> tested_side;
    for (const auto& r : catalogue.all()) {
        if (r.side == other_side) continue;
        tested_side.insert(r.id);
        ++c.total;
        if (!r.untestable) ++c.testable;
    }
    std::set<std::string> checked;
    for (const auto& s : scenarios) {
        const bool verdict = std::any_of(s.cells.begin(), s.cells.end(), [](const cell_result& cell) {
            return cell.result == outcome::pass || cell.result == outcome::fail || cell.result == outcome::non_strict;
        });
        if (!verdict) continue;
        for (const auto& id : s.requires_ids)
            if (tested_side.count(id)) checked.insert(id);
    }
    c.checked = checked.size();
    return c;
}

std::string profile_summary(const run_result& run) {
    const auto& p = run.profile;
    std::string text = "profile " + std::string(to_string(p.name));
    auto list = [](const std::vector<std::string>& names) {
        std::string out;
        for (const auto& n : names)
            out += (out.empty() ? "" : ", ") + n;
        return out;
    };
    switch (p.name) {
    case profile_name::contract: text += " (every conformance hub method)"; break;
    case profile_name::contract_free: text += " (none of the conformance hub's methods)"; break;
    case profile_name::partial:
        text += " (";
        if (!p.missing_methods.empty()) text += "missing methods: " + list(p.missing_methods);
        if (!p.missing_endpoints.empty())
            text +=
                std::string(p.missing_methods.empty() ? "" : "; ") + "missing endpoints: " + list(p.missing_endpoints);
        text += ")";
        break;
    case profile_name::unknown:
        if (!p.note.empty()) text += " (" + p.note + ")";
        break;
    }
    if (p.name == profile_name::contract_free && !p.missing_endpoints.empty())
        text.insert(text.size() - 1, "; missing endpoints: " + list(p.missing_endpoints));
    if (!p.method_roles.empty()) {
        text += ", roles";
        for (const auto& [role, method] : p.method_roles)
            text += " " + role + "=" + method;
    }
    const auto c = run.coverage();
    if (run.target.client_under_test)
        return "client under test \xC2\xB7 " + std::to_string(c.checked) + " of " + std::to_string(c.total) +
               " client-side requirements checked";
    text += " \xC2\xB7 " + std::to_string(c.checked) + " of " + std::to_string(c.total) +
            " server-side requirements checked (" + std::to_string(c.testable) + " testable from the client side)";
    return text;
}

} // namespace hubspec::harness
