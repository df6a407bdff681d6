#include "hubspec/harness/scenario_loader.hpp"

#include "hubspec/harness/contract.hpp"

#include <hubspec/protocol/base64.hpp>

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <stdexcept>

namespace hubspec::harness {
namespace {

[[noreturn]] void fail_at(const std::string& file, const YAML::Node& node, const std::string& problem) {
    throw std::runtime_error(file + ":" + std::to_string(node.Mark().line + 1) + ": " + problem);
}

std::optional<protocol::value> plain_scalar(const std::string& text) {
    if (text.empty() || text == "~" || text == "null" || text == "Null" || text == "NULL") return protocol::value{};
    if (text == "true" || text == "True" || text == "TRUE") return protocol::value{true};
    if (text == "false" || text == "False" || text == "FALSE") return protocol::value{false};
    const char* first = text.data();
    const char* last = text.data() + text.size();
    int base = 10;
    std::string_view digits = text;
    bool negative = false;
    if (!digits.empty() && (digits[0] == '-' || digits[0] == '+')) {
        negative = digits[0] == '-';
        digits.remove_prefix(1);
    }
    if (digits.starts_with("0x"))
        base = 16, digits.remove_prefix(2);
    else if (digits.starts_with("0o"))
        base = 8, digits.remove_prefix(2);
    if (!digits.empty()) {
        std::uint64_t magnitude = 0;
        auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), magnitude, base);
        if (ec == std::errc{} && end == digits.data() + digits.size()) {
            if (!negative) return protocol::value{magnitude};
            if (magnitude <= static_cast<std::uint64_t>(INT64_MAX) + 1)
                return protocol::value{static_cast<std::int64_t>(0 - magnitude)};
        }
    }
    if (text == ".inf" || text == "+.inf") return protocol::value{HUGE_VAL};
    if (text == "-.inf") return protocol::value{-HUGE_VAL};
    if (text == ".nan" || text == ".NaN") return protocol::value{std::nan("")};
    double d = 0;
    auto [end, ec] = std::from_chars(first, last, d);
    if (ec == std::errc{} && end == last && text.find_first_of(".eE") != std::string::npos) return protocol::value{d};
    return std::nullopt;
}

protocol::value to_value(const YAML::Node& node, const std::string& file) {
    switch (node.Type()) {
    case YAML::NodeType::Undefined:
    case YAML::NodeType::Null: return protocol::value{};
    case YAML::NodeType::Scalar: {
        const std::string& text = node.Scalar();
        if (node.Tag() == "!binary" || node.Tag() == "tag:yaml.org,2002:binary") {
            auto bytes = protocol::from_base64(text);
            if (!bytes) fail_at(file, node, "!binary: not base64: " + text);
            return protocol::value{protocol::binary{std::move(*bytes)}};
        }
        if (node.Tag() == "?") { // plain: the core schema's types
            if (auto v = plain_scalar(text)) return std::move(*v);
        }
        return protocol::value{text};
    }
    case YAML::NodeType::Sequence: {
        protocol::array items;
        items.reserve(node.size());
        for (const auto& item : node)
            items.push_back(to_value(item, file));
        return protocol::value{std::move(items)};
    }
    case YAML::NodeType::Map: {
        protocol::map entries;
        for (const auto& entry : node) {
            if (!entry.first.IsScalar()) fail_at(file, entry.first, "a mapping key must be a plain string");
            entries.push_back({protocol::value{entry.first.Scalar()}, to_value(entry.second, file)});
        }
        return protocol::value{std::move(entries)};
    }
    }
    return protocol::value{};
}

YAML::Node parse_yaml(const std::string& text, const std::string& file) {
    try {
        return YAML::Load(text);
    } catch (const YAML::Exception& e) {
        throw std::runtime_error(file + ":" + std::to_string(e.mark.line + 1) + ": " + e.msg);
    }
}

std::vector<std::string> string_list(const YAML::Node& node, const std::string& file, const char* key) {
    std::vector<std::string> out;
    if (!node) return out;
    if (node.IsScalar()) return {node.Scalar()};
    if (!node.IsSequence()) fail_at(file, node, std::string(key) + ": expected a list of strings");
    for (const auto& item : node) {
        if (!item.IsScalar()) fail_at(file, item, std::string(key) + ": expected a string");
        out.push_back(item.Scalar());
    }
    return out;
}

step parse_step(const YAML::Node& node, const std::string& file, const step_vocabulary& vocabulary) {
    if (!node.IsMap() || node.size() != 1)
        fail_at(file, node, "a step is a mapping with one key, the action (e.g. `- invoke: {method: Echo}`)");
    auto entry = *node.begin();
    step s;
    s.action = entry.first.as<std::string>();
    s.where = {file, entry.first.Mark().line + 1};
    if (!vocabulary(s.action)) fail_at(file, entry.first, "unknown step `" + s.action + "`");
    if (!entry.second.IsNull() && !entry.second.IsMap())
        fail_at(file, entry.second, "the parameters of `" + s.action + "` must be a mapping");
    s.params = to_value(entry.second, file);
    return s;
}

scenario parse_scenario(const YAML::Node& node, const std::string& file, const step_vocabulary& vocabulary) {
    if (!node.IsMap()) fail_at(file, node, "a scenario is a mapping with id, title, requires and steps");
    static const std::set<std::string> keys{"id",         "title",     "requires", "methods",       "endpoints",
                                            "transports", "protocols", "once",     "configuration", "steps"};
    for (const auto& entry : node) {
        const auto key = entry.first.as<std::string>();
        if (!keys.contains(key)) fail_at(file, entry.first, "unknown scenario key `" + key + "`");
    }
    scenario sc;
    sc.where = {file, node.Mark().line + 1};
    if (!node["id"] || !node["id"].IsScalar()) fail_at(file, node, "a scenario needs an `id`");
    sc.id = node["id"].Scalar();
    if (!node["title"]) fail_at(file, node, "scenario " + sc.id + " needs a `title`");
    sc.title = node["title"].as<std::string>();
    sc.requires_ids = string_list(node["requires"], file, "requires");
    if (sc.requires_ids.empty()) fail_at(file, node, "scenario " + sc.id + " needs `requires` (requirement IDs)");
    sc.methods = string_list(node["methods"], file, "methods");
    for (const auto& method : sc.methods)
        if (!find_contract_method(method))
            fail_at(file, node["methods"],
                    "`" + method +
                        "` is not a method of the conformance hub contract (shared/spec/conformance-hub.md)");
    sc.endpoints = string_list(node["endpoints"], file, "endpoints");
    sc.configuration = string_list(node["configuration"], file, "configuration");
    for (const auto& need : sc.configuration)
        if (need != "stateful_reconnect" && need != "one_invocation_at_a_time" && need != "negotiate_v1" &&
            need != "cluster" && need != "backplane_redis")
            fail_at(file, node["configuration"],
                    "unknown configuration `" + need +
                        "` (stateful_reconnect, one_invocation_at_a_time, negotiate_v1, cluster, backplane_redis)");
    for (const auto& name : string_list(node["transports"], file, "transports")) {
        auto t = protocol::parse_transport_option(name);
        if (!t) fail_at(file, node["transports"], "unknown transport `" + name + "`");
        sc.transports.push_back(*t);
    }
    for (const auto& name : string_list(node["protocols"], file, "protocols")) {
        auto p = parse_protocol_name(name);
        if (!p) fail_at(file, node["protocols"], "unknown protocol `" + name + "` (json or messagepack)");
        sc.protocols.push_back(*p);
    }
    if (node["once"]) sc.once = node["once"].as<bool>();
    const auto steps = node["steps"];
    if (!steps || !steps.IsSequence() || steps.size() == 0)
        fail_at(file, node, "scenario " + sc.id + " needs `steps` (a non-empty list)");
    for (const auto& s : steps)
        sc.steps.push_back(parse_step(s, file, vocabulary));
    return sc;
}

} // namespace

protocol::value yaml_to_value(const std::string& yaml_text, const std::string& file_name) {
    return to_value(parse_yaml(yaml_text, file_name), file_name);
}

std::vector<scenario> load_scenarios_text(const std::string& yaml_text, const std::string& file_name,
                                          const step_vocabulary& steps) {
    const auto root = parse_yaml(yaml_text, file_name);
    std::vector<scenario> out;
    if (root.IsNull()) return out;
    if (!root.IsSequence()) fail_at(file_name, root, "a scenario file is a list of scenarios");
    std::set<std::string> ids;
    try {
        for (const auto& node : root) {
            auto sc = parse_scenario(node, file_name, steps);
            if (!ids.insert(sc.id).second) fail_at(file_name, node, "duplicate scenario id `" + sc.id + "`");
            out.push_back(std::move(sc));
        }
    } catch (const YAML::Exception& e) { // a wrong scalar type, e.g. `once: maybe`
        throw std::runtime_error(file_name + ":" + std::to_string(e.mark.line + 1) + ": " + e.msg);
    }
    return out;
}

std::vector<scenario> load_scenarios_file(const std::filesystem::path& file, const step_vocabulary& steps) {
    std::ifstream in(file, std::ios::binary);
    if (!in) throw std::runtime_error(file.string() + ": cannot open");
    std::ostringstream text;
    text << in.rdbuf();
    return load_scenarios_text(text.str(), file.string(), steps);
}

std::vector<scenario> load_scenarios_directory(const std::filesystem::path& directory, const step_vocabulary& steps) {
    std::vector<std::filesystem::path> files;
    for (const auto& entry : std::filesystem::directory_iterator(directory)) {
        const auto& p = entry.path();
        if (p.extension() == ".yaml" && p.filename() != "requirements.yaml") files.push_back(p);
    }
    std::sort(files.begin(), files.end());
    std::vector<scenario> all;
    std::map<std::string, std::string> where;
    for (const auto& f : files) {
        for (auto& sc : load_scenarios_file(f, steps)) {
            auto [it, inserted] = where.emplace(sc.id, sc.where.to_string());
            if (!inserted)
                throw std::runtime_error(sc.where.to_string() + ": duplicate scenario id `" + sc.id + "` (also at " +
                                         it->second + ")");
            all.push_back(std::move(sc));
        }
    }
    return all;
}

} // namespace hubspec::harness
