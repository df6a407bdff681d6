#pragma once
// How a step ends other than well. Steps throw these; the runner turns them into
// the cell's outcome (fail / non-strict by the requirement's level, skip, error).

#include <stdexcept>
#include <string>

namespace hubspec::harness::detail {

/// An expectation broke: the target departs from the protocol (or the scenario is wrong).
struct expectation_failed {
    std::string expected;
    std::string seen;
    std::string requirement = {}; // the one broken, when the step knows it better than the script ("HS-007")
};

/// The cell does not apply to this target (a contract method or endpoint is missing, ...).
struct not_applicable {
    std::string reason;
};

/// The scenario itself is malformed (a missing parameter, an unknown connection name).
struct script_error : std::runtime_error {
    using std::runtime_error::runtime_error;
};

} // namespace hubspec::harness::detail
