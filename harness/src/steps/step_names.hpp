#pragma once
// Whether an action names a step, for the scenario loader: the registry of executors
// (step_registry.cpp) is the one list of the vocabulary, without its heavy headers.

#include <string_view>

namespace hubspec::harness::detail {

bool is_known_step(std::string_view action);

} // namespace hubspec::harness::detail
