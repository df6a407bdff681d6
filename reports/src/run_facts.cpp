#include "run_facts.hpp"

#include <algorithm>
#include <map>

namespace hubspec::harness::reports {

std::string cell_name(const cell_result& c) {
    return c.once ? std::string("once") : cell_label(c.where, false);
}

std::vector<std::string> cell_columns(const run_result& run) {
    using protocol::transport_type;
    std::vector<std::string> columns;
    bool once = false;
    for (const auto t :
         {transport_type::websockets, transport_type::server_sent_events, transport_type::long_polling}) {
        for (const auto p : {protocol_name::json, protocol_name::messagepack}) {
            const cell here{t, p};
            const bool present = std::any_of(run.scenarios.begin(), run.scenarios.end(), [&](const auto& s) {
                return std::any_of(s.cells.begin(), s.cells.end(),
                                   [&](const cell_result& c) { return !c.once && c.where == here; });
            });
            if (present) columns.push_back(cell_label(here, false));
        }
    }
    for (const auto& s : run.scenarios) {
        for (const auto& c : s.cells)
            once = once || c.once;
    }
    if (once) columns.emplace_back("once");
    return columns;
}

std::string_view outcome_glyph(outcome o) noexcept {
    switch (o) {
    case outcome::pass: return "\xE2\x9C\x85";                   // ✅
    case outcome::fail: return "\xE2\x9D\x8C";                   // ❌
    case outcome::non_strict: return "\xE2\x9A\xA0\xEF\xB8\x8F"; // ⚠️
    case outcome::skip: return "\xE2\x8F\xAD\xEF\xB8\x8F";       // ⏭️
    case outcome::error: return "\xF0\x9F\x92\xA5";              // 💥
    }
    return "?";
}

std::string target_text(const target_info& target) {
    if (target.embedded) {
        return target.url.empty() ? std::string("embedded reference server")
                                  : "embedded reference server (" + target.url + ")";
    }
    return target.url;
}

std::string failure_summary(const cell_result& c) {
    if (!c.failed) {
        if (!c.reason.empty()) return c.reason;
        return std::string(to_string(c.result));
    }
    const failure& f = *c.failed;
    std::string line = f.step.empty() ? std::string("before the first step") : f.step;
    line += ": expected " + f.expected + ", seen " + f.seen;
    if (!f.requirement_id.empty()) line += " [" + f.requirement_id + "]";
    return line;
}

std::vector<requirement_use> requirement_uses(const run_result& run, bool whole_catalogue) {
    std::vector<requirement_use> uses;
    std::map<std::string, std::size_t> index;
    auto use_of = [&](const std::string& id) -> requirement_use& {
        const auto [at, added] = index.emplace(id, uses.size());
        if (added) uses.push_back({id, nullptr, {}});
        return uses[at->second];
    };
    auto note = [&](const std::string& id, const scenario_result& s) {
        if (id.empty()) return;
        auto& use = use_of(id);
        if (std::find(use.scenarios.begin(), use.scenarios.end(), &s) == use.scenarios.end())
            use.scenarios.push_back(&s);
    };
    for (const auto& s : run.scenarios) {
        for (const auto& id : s.requires_ids)
            note(id, s);
        for (const auto& c : s.cells) {
            if (c.failed) note(c.failed->requirement_id, s);
        }
    }
    // Catalogue order reads like the spec; ids it lacks come after, as met.
    std::vector<requirement_use> ordered;
    for (const auto& r : run.catalogue.all()) {
        const auto at = index.find(r.id);
        if (at != index.end()) {
            ordered.push_back(std::move(uses[at->second]));
            ordered.back().entry = &r;
            index.erase(at);
        } else if (whole_catalogue) {
            ordered.push_back({r.id, &r, {}});
        }
    }
    for (auto& use : uses) {
        if (index.count(use.id) != 0) ordered.push_back(std::move(use));
    }
    return ordered;
}

} // namespace hubspec::harness::reports
