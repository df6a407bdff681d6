// Known deviations for regression runs (--expect FILE, design §5).

#include "hubspec/reports/expectations.hpp"

#include "report_text.hpp"
#include "run_facts.hpp"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <fstream>
#include <map>
#include <ostream>
#include <set>
#include <sstream>
#include <stdexcept>

namespace hubspec::harness {
namespace {

[[noreturn]] void fail_at(const std::string& name, const YAML::Mark& mark, const std::string& problem) {
    // yaml-cpp counts lines from 0; editors from 1.
    const std::string where = mark.line >= 0 ? name + ":" + std::to_string(mark.line + 1) : name;
    throw std::runtime_error(where + ": " + problem);
}

std::string scalar(const std::string& name, const YAML::Node& node, const std::string& key) {
    if (!node.IsScalar()) fail_at(name, node.Mark(), "'" + key + "' must be a string");
    return node.Scalar();
}

/// A list of names (or one name alone), each read by `parse`.
template <class T, class Parse>
std::vector<T> name_list(const std::string& file, const YAML::Node& node, const std::string& key, Parse parse,
                         std::string_view choices) {
    std::vector<YAML::Node> items;
    if (node.IsScalar()) {
        items.push_back(node);
    } else if (node.IsSequence()) {
        for (const auto& item : node)
            items.push_back(item);
    } else {
        fail_at(file, node.Mark(), "'" + key + "' must be a list");
    }
    std::vector<T> values;
    for (const auto& item : items) {
        if (!item.IsScalar()) fail_at(file, item.Mark(), "'" + key + "' must list names");
        const auto parsed = parse(item.Scalar());
        if (!parsed) {
            fail_at(file, item.Mark(),
                    "unknown " + (key.ends_with('s') ? key.substr(0, key.size() - 1) : key) + " '" + item.Scalar() +
                        "' (one of " + std::string(choices) + ")");
        }
        if (std::find(values.begin(), values.end(), *parsed) == values.end()) values.push_back(*parsed);
    }
    return values;
}

expectation read_entry(const std::string& file, const YAML::Node& node) {
    if (!node.IsMap()) fail_at(file, node.Mark(), "each entry must be a mapping with 'scenario' and 'outcome'");
    expectation e;
    bool has_scenario = false, has_outcome = false;
    for (const auto& kv : node) {
        const std::string key = kv.first.Scalar();
        const YAML::Node& v = kv.second;
        if (key == "scenario") {
            e.scenario_glob = scalar(file, v, key);
            if (e.scenario_glob.empty()) fail_at(file, v.Mark(), "'scenario' must not be empty");
            has_scenario = true;
        } else if (key == "transports") {
            e.transports = name_list<protocol::transport_type>(file, v, key, protocol::parse_transport_option,
                                                               "websockets, serversentevents, longpolling");
        } else if (key == "protocols") {
            e.protocols = name_list<protocol_name>(file, v, key, parse_protocol_name, "json, messagepack");
        } else if (key == "outcome") {
            // One outcome, or a list of the ones a race allows (the first is the one reports show).
            const auto outcomes =
                name_list<outcome>(file, v, key, parse_outcome, "pass, fail, non-strict, skip, error");
            if (outcomes.empty()) fail_at(file, v.Mark(), "'outcome' must name at least one outcome");
            e.expected = outcomes.front();
            e.alternatives.assign(outcomes.begin() + 1, outcomes.end());
            has_outcome = true;
        } else if (key == "reason") {
            e.reason = v.IsNull() ? std::string() : scalar(file, v, key);
        } else {
            fail_at(file, kv.first.Mark(),
                    "unknown key '" + key + "' (expected scenario, transports, protocols, outcome, reason)");
        }
    }
    if (!has_scenario) fail_at(file, node.Mark(), "entry without 'scenario'");
    if (!has_outcome) fail_at(file, node.Mark(), "entry without 'outcome'");
    return e;
}

bool matches(const expectation& e, const std::string& scenario_id, const cell& c, bool once) {
    if (!glob_match(e.scenario_glob, scenario_id)) return false;
    if (once) return true; // a once cell has no transport or protocol to narrow by
    const bool transport_ok =
        e.transports.empty() || std::find(e.transports.begin(), e.transports.end(), c.transport) != e.transports.end();
    const bool protocol_ok =
        e.protocols.empty() || std::find(e.protocols.begin(), e.protocols.end(), c.protocol) != e.protocols.end();
    return transport_ok && protocol_ok;
}

/// A YAML double-quoted scalar: UTF-8 kept, what YAML would fold or reject escaped.
std::string quoted(std::string_view text) {
    const std::string valid = reports::valid_utf8(text);
    std::string out = "\"";
    static constexpr char digits[] = "0123456789ABCDEF";
    for (std::size_t i = 0; i < valid.size(); ++i) {
        const auto c = static_cast<unsigned char>(valid[i]);
        const auto next = i + 1 < valid.size() ? static_cast<unsigned char>(valid[i + 1]) : 0;
        const auto third = i + 2 < valid.size() ? static_cast<unsigned char>(valid[i + 2]) : 0;
        if (c == '"' || c == '\\') {
            out += '\\';
            out += static_cast<char>(c);
        } else if (c < 0x20 || c == 0x7F) {
            out += "\\x";
            out += digits[c >> 4];
            out += digits[c & 0xF];
        } else if (c == 0xC2 && next >= 0x80 && next <= 0xA0) {
            // C1 controls (NEL is a YAML line break) and no-break space, as \xNN.
            out += "\\x";
            out += digits[next >> 4];
            out += digits[next & 0xF];
            ++i;
        } else if (c == 0xE2 && next == 0x80 && (third == 0xA8 || third == 0xA9)) {
            out += third == 0xA8 ? "\\u2028" : "\\u2029"; // line and paragraph separators
            i += 2;
        } else if (c == 0xEF && next == 0xBB && third == 0xBF) {
            out += "\\uFEFF"; // a byte order mark mid-text
            i += 2;
        } else {
            out += static_cast<char>(c);
        }
    }
    out += '"';
    return out;
}

std::string one_line_comment(std::string_view text) {
    std::string line = reports::valid_utf8(text);
    for (auto& ch : line) {
        if (static_cast<unsigned char>(ch) < 0x20 || ch == 0x7F) ch = ' ';
    }
    return line;
}

} // namespace

expectations expectations::load_file(const std::string& path) {
    std::ifstream file(path, std::ios::binary);
    if (!file) throw std::runtime_error(path + ": cannot read the expectations file");
    std::ostringstream text;
    text << file.rdbuf();
    return load_text(text.str(), path);
}

expectations expectations::load_text(const std::string& yaml_text, const std::string& name) {
    YAML::Node root;
    try {
        root = YAML::Load(yaml_text);
    } catch (const YAML::Exception& ex) {
        fail_at(name, ex.mark, ex.msg);
    }
    expectations result;
    if (!root || root.IsNull()) return result; // an empty file expects nothing
    if (!root.IsSequence()) fail_at(name, root.Mark(), "an expectations file is a list of entries");
    try {
        for (const auto& node : root)
            result.entries_.push_back(read_entry(name, node));
    } catch (const YAML::Exception& ex) {
        fail_at(name, ex.mark, ex.msg);
    }
    return result;
}

const expectation* expectations::find(const std::string& scenario_id, const cell& c) const {
    for (const auto& e : entries_) {
        if (matches(e, scenario_id, c, false)) return &e;
    }
    return nullptr;
}

void expectations::apply(run_result& run) const {
    for (auto& s : run.scenarios) {
        for (auto& c : s.cells) {
            const auto at = std::find_if(entries_.begin(), entries_.end(),
                                         [&](const expectation& e) { return matches(e, s.id, c.where, c.once); });
            if (at == entries_.end()) {
                c.expected_outcome.reset();
                c.expected_alternatives.clear();
                c.expected_reason.clear();
            } else {
                c.expected_outcome = at->expected;
                c.expected_alternatives = at->alternatives;
                c.expected_reason = at->reason;
            }
        }
    }
}

void expectations::write_from_run(const run_result& run, std::ostream& out) {
    using protocol::transport_type;
    out << "# hubspec expectations: known deviations, for `hubspec run --expect FILE`.\n"
        << "# Written by --write-expect from a run against " << one_line_comment(reports::target_text(run.target));
    if (!run.started_at.empty()) out << " at " << one_line_comment(run.started_at);
    out << ".\n# A run passes while each cell below ends as listed, and fails on a regression or on an\n"
        << "# unexpected pass (then tighten this file). Entries: scenario (glob), transports,\n"
        << "# protocols (default all), outcome (pass, fail, non-strict, skip, error), reason.\n";
    std::size_t written = 0;
    for (const auto& s : run.scenarios) {
        // The cells a file must name: those that neither passed nor were skipped.
        std::map<outcome, std::vector<const cell_result*>> by_outcome;
        for (const auto& c : s.cells) {
            if (c.result != outcome::pass && c.result != outcome::skip) by_outcome[c.result].push_back(&c);
        }
        for (const auto& [result, cells] : by_outcome) {
            // One entry for the group when its transports × protocols hold no cell of
            // another outcome; one entry per cell otherwise.
            std::set<transport_type> transports;
            std::set<protocol_name> protocols;
            bool once = false;
            for (const auto* c : cells) {
                transports.insert(c->where.transport);
                protocols.insert(c->where.protocol);
                once = once || c->once;
            }
            const bool grouped = once || std::none_of(s.cells.begin(), s.cells.end(), [&](const cell_result& c) {
                                     return c.result != result && transports.count(c.where.transport) != 0 &&
                                            protocols.count(c.where.protocol) != 0;
                                 });
            auto entry = [&](const std::vector<const cell_result*>& covered, const std::set<transport_type>& ts,
                             const std::set<protocol_name>& ps) {
                for (const auto* c : covered) {
                    if (covered.size() > 1) {
                        out << "# " << reports::cell_name(*c) << ": " << one_line_comment(reports::failure_summary(*c))
                            << "\n";
                    }
                }
                out << "- scenario: " << quoted(s.id) << "\n";
                // All three transports (both protocols) need no list, and then cover cells this run lacked too.
                if (!once && ts.size() < 3) {
                    out << "  transports: [";
                    for (auto it = ts.begin(); it != ts.end(); ++it)
                        out << (it == ts.begin() ? "" : ", ") << protocol::transport_option_name(*it);
                    out << "]\n";
                }
                if (!once && ps.size() < 2) {
                    out << "  protocols: [";
                    for (auto it = ps.begin(); it != ps.end(); ++it)
                        out << (it == ps.begin() ? "" : ", ") << to_string(*it);
                    out << "]\n";
                }
                out << "  outcome: " << to_string(result) << "\n"
                    << "  reason: " << quoted(reports::failure_summary(*covered.front())) << "\n";
                ++written;
            };
            if (grouped) {
                entry(cells, transports, protocols);
            } else {
                for (const auto* c : cells)
                    entry({c}, {c->where.transport}, {c->where.protocol});
            }
        }
    }
    if (written == 0) out << "[] # every cell passed or was skipped\n";
}

bool glob_match(std::string_view pattern, std::string_view text) noexcept {
    // Greedy with one backtrack point: the last '*' seen, retried one character further.
    std::size_t p = 0, t = 0;
    std::size_t star = std::string_view::npos, resume = 0;
    while (t < text.size()) {
        if (p < pattern.size() && (pattern[p] == '?' || pattern[p] == text[t])) {
            ++p;
            ++t;
        } else if (p < pattern.size() && pattern[p] == '*') {
            star = p++;
            resume = t;
        } else if (star != std::string_view::npos) {
            p = star + 1;
            t = ++resume;
        } else {
            return false;
        }
    }
    while (p < pattern.size() && pattern[p] == '*')
        ++p;
    return p == pattern.size();
}

} // namespace hubspec::harness
