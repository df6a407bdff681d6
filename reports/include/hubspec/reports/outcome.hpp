#pragma once
// What became of one cell (design §5).

#include <optional>
#include <string_view>

namespace hubspec::harness {

enum class outcome {
    pass,
    fail,       // a MUST broken
    non_strict, // a SHOULD broken; --strict makes it a failure
    skip,       // not applicable, with the reason
    error,      // the harness itself failed
};

std::string_view to_string(outcome o) noexcept; // "pass", "fail", "non-strict", "skip", "error"
std::optional<outcome> parse_outcome(std::string_view text) noexcept;

} // namespace hubspec::harness
