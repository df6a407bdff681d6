#pragma once
// Scenario scripts from YAML (design §7). Errors name the file, the line and the
// problem: an unknown key or action, a missing id, a duplicate id.

#include "hubspec/harness/scenario.hpp"

#include <filesystem>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace hubspec::harness {

/// Whether an action names a step. The loader is handed the vocabulary rather than
/// knowing the steps: the runner's is `is_known_step` (runner.hpp).
using step_vocabulary = std::function<bool(std::string_view action)>;

/// Throws std::runtime_error("scenarios/groups.yaml:12: ..."), also for an action not in `steps`.
std::vector<scenario> load_scenarios_text(const std::string& yaml_text, const std::string& file_name,
                                          const step_vocabulary& steps);
std::vector<scenario> load_scenarios_file(const std::filesystem::path& file, const step_vocabulary& steps);
/// Every *.yaml in `directory` except requirements.yaml, sorted by file name; ids must be unique.
std::vector<scenario> load_scenarios_directory(const std::filesystem::path& directory, const step_vocabulary& steps);

/// A YAML node as a value: mappings become maps (string keys, in order),
/// sequences arrays, plain scalars null/bool/integer/double/string as YAML 1.2's
/// core schema reads them; quoted scalars stay strings. `!binary` is base64 bytes.
protocol::value yaml_to_value(const std::string& yaml_text, const std::string& file_name);

} // namespace hubspec::harness
