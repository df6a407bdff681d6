#pragma once
// Scenario scripts from YAML (design §7). Errors name the file, the line and the
// problem: an unknown key or action, a missing id, a duplicate id.

#include "hubspec/harness/scenario.hpp"

#include <filesystem>
#include <string>
#include <vector>

namespace hubspec::harness {

/// Throws std::runtime_error("scenarios/groups.yaml:12: ...").
std::vector<scenario> load_scenarios_text(const std::string& yaml_text, const std::string& file_name);
std::vector<scenario> load_scenarios_file(const std::filesystem::path& file);
/// Every *.yaml in `directory` except requirements.yaml, sorted by file name; ids must be unique.
std::vector<scenario> load_scenarios_directory(const std::filesystem::path& directory);

/// A YAML node as a value: mappings become maps (string keys, in order),
/// sequences arrays, plain scalars null/bool/integer/double/string as YAML 1.2's
/// core schema reads them; quoted scalars stay strings. `!binary` is base64 bytes.
protocol::value yaml_to_value(const std::string& yaml_text, const std::string& file_name);

} // namespace hubspec::harness
