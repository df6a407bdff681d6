#include "hubspec/reports/outcome.hpp"

namespace hubspec::harness {

std::string_view to_string(outcome o) noexcept {
    switch (o) {
    case outcome::pass: return "pass";
    case outcome::fail: return "fail";
    case outcome::non_strict: return "non-strict";
    case outcome::skip: return "skip";
    case outcome::error: return "error";
    }
    return "error";
}

std::optional<outcome> parse_outcome(std::string_view text) noexcept {
    for (const outcome o : {outcome::pass, outcome::fail, outcome::non_strict, outcome::skip, outcome::error}) {
        if (text == to_string(o)) return o;
    }
    if (text == "non_strict") return outcome::non_strict; // the enum's spelling, for people who guess it
    return std::nullopt;
}

} // namespace hubspec::harness
