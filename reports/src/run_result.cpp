#include "hubspec/reports/run_result.hpp"

namespace hubspec::harness {

bool fails_run(const cell_result& c, bool strict) noexcept {
    // --expect replaces the usual rule: a known deviation passes, an unexpected pass fails.
    if (c.expected_outcome) return c.result != *c.expected_outcome;
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

} // namespace hubspec::harness
