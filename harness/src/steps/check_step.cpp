// The `check` step: a matcher over values earlier steps captured, for facts that
// span two answers (a token distinct from the id, a count that grew).

#include "engine/step_errors.hpp"
#include "engine/value_match.hpp"
#include "steps/step_registry.hpp"

namespace hubspec::harness::detail {

void run_check(const step& s, cell_context& ctx) {
    step_params p(s, ctx);
    const auto value = p.get("value");
    const auto wanted = p.get("matches");
    if (!value || !wanted) throw script_error(p.describe() + ": `check` needs `value` and `matches`");
    if (auto why = mismatch(*wanted, *value))
        throw expectation_failed{"a value " + show(*wanted), show(*value) + " (" + *why + ")"};
}

} // namespace hubspec::harness::detail
