#include "hubspec/reports/requirements.hpp"

#include <yaml-cpp/yaml.h>

#include <fstream>
#include <set>
#include <sstream>
#include <stdexcept>

namespace hubspec::harness {
namespace {

[[noreturn]] void fail_at(const std::string& name, const YAML::Node& node, const std::string& problem) {
    throw std::runtime_error(name + ":" + std::to_string(node.Mark().line + 1) + ": " + problem);
}

std::optional<requirement_level> parse_level(const std::string& text) {
    if (text == "MUST") return requirement_level::must;
    if (text == "SHOULD") return requirement_level::should;
    if (text == "MAY") return requirement_level::may;
    return std::nullopt;
}

std::optional<requirement_side> parse_side(const std::string& text) {
    if (text == "S") return requirement_side::server;
    if (text == "C") return requirement_side::client;
    if (text == "S+C") return requirement_side::both;
    return std::nullopt;
}

// An ID is GROUP-NNN (design: IDs are stable); a typo here would hide a requirement from coverage.
bool well_formed_id(const std::string& id) {
    const auto dash = id.find('-');
    if (dash == 0 || dash == std::string::npos || dash + 1 == id.size()) return false;
    for (std::size_t i = 0; i < id.size(); ++i) {
        const char c = id[i];
        if (i < dash && !(c >= 'A' && c <= 'Z')) return false;
        if (i > dash && !(c >= '0' && c <= '9')) return false;
    }
    return true;
}

std::string scalar(const std::string& name, const YAML::Node& entry, const char* key, const std::string& id) {
    const auto node = entry[key];
    if (!node) fail_at(name, entry, id + ": missing `" + key + "`");
    if (!node.IsScalar()) fail_at(name, node, id + ": `" + key + "` must be a string");
    return node.Scalar();
}

requirement parse_entry(const std::string& name, const YAML::Node& entry) {
    if (!entry.IsMap()) fail_at(name, entry, "a requirement is a mapping with id, level, side and text");
    // `note` is for people reading the file; the harness has no use for it.
    static const std::set<std::string> keys{"id", "level", "side", "diff", "text", "untestable", "note"};
    for (const auto& field : entry) {
        if (!field.first.IsScalar() || !keys.contains(field.first.Scalar()))
            fail_at(name, field.first, "unknown key `" + field.first.Scalar() + "`");
    }
    requirement r;
    if (!entry["id"] || !entry["id"].IsScalar()) fail_at(name, entry, "a requirement needs an `id`");
    r.id = entry["id"].Scalar();
    if (!well_formed_id(r.id)) fail_at(name, entry["id"], "malformed id `" + r.id + "` (expected GROUP-NNN)");

    const auto level = scalar(name, entry, "level", r.id);
    const auto parsed_level = parse_level(level);
    if (!parsed_level) fail_at(name, entry["level"], r.id + ": unknown level `" + level + "` (MUST, SHOULD or MAY)");
    r.level = *parsed_level;

    const auto side = scalar(name, entry, "side", r.id);
    const auto parsed_side = parse_side(side);
    if (!parsed_side) fail_at(name, entry["side"], r.id + ": unknown side `" + side + "` (S, C or S+C)");
    r.side = *parsed_side;

    r.text = scalar(name, entry, "text", r.id);
    if (r.text.empty()) fail_at(name, entry["text"], r.id + ": empty `text`");

    if (const auto diff = entry["diff"]) {
        const auto text = diff.IsScalar() ? diff.Scalar() : std::string{};
        if (text != "true" && text != "false") fail_at(name, diff, r.id + ": `diff` is true or false");
        r.diff = text == "true";
    }
    if (const auto why = entry["untestable"]) {
        if (!why.IsScalar() || why.Scalar().empty())
            fail_at(name, why, r.id + ": `untestable` needs the reason as text");
        r.untestable = why.Scalar();
    }
    return r;
}

} // namespace

requirement_catalogue requirement_catalogue::load_text(const std::string& yaml_text, const std::string& name) {
    YAML::Node root;
    try {
        root = YAML::Load(yaml_text);
    } catch (const YAML::Exception& e) {
        throw std::runtime_error(name + ":" + std::to_string(e.mark.line + 1) + ": " + e.msg);
    }
    requirement_catalogue catalogue;
    if (root.IsNull()) return catalogue;
    if (!root.IsSequence()) fail_at(name, root, "the requirement catalogue is a list of requirements");
    for (const auto& entry : root) {
        auto r = parse_entry(name, entry);
        const auto [it, inserted] = catalogue.index_.emplace(r.id, catalogue.requirements_.size());
        if (!inserted) fail_at(name, entry, "duplicate id `" + r.id + "`");
        catalogue.requirements_.push_back(std::move(r));
    }
    return catalogue;
}

requirement_catalogue requirement_catalogue::load_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw std::runtime_error(path + ": cannot open");
    std::ostringstream text;
    text << in.rdbuf();
    return load_text(text.str(), path);
}

const requirement* requirement_catalogue::find(const std::string& id) const {
    const auto it = index_.find(id);
    return it == index_.end() ? nullptr : &requirements_[it->second];
}

std::string_view to_string(requirement_level l) noexcept {
    switch (l) {
    case requirement_level::must: return "MUST";
    case requirement_level::should: return "SHOULD";
    case requirement_level::may: return "MAY";
    }
    return "?";
}

std::string_view to_string(requirement_side s) noexcept {
    switch (s) {
    case requirement_side::server: return "S";
    case requirement_side::client: return "C";
    case requirement_side::both: return "S+C";
    }
    return "?";
}

} // namespace hubspec::harness
