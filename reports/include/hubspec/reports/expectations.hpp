#pragma once
// Known deviations for regression runs (--expect FILE, design §5): which cells of
// which scenarios are expected to end otherwise than pass, and why. A run then
// fails on a regression and also on an unexpected pass (the file should tighten).
//
//   # hubspec expectations
//   - scenario: "errors.unknown-message-type-*"   # glob over scenario ids
//     transports: [websockets]                     # optional; default all
//     protocols: [messagepack]                     # optional; default all
//     outcome: fail                                # or a list for a race: [fail, pass]
//     reason: "server stalls on unknown types, https://github.com/.../issues/123"

#include "hubspec/reports/outcome.hpp"
#include "hubspec/reports/run_result.hpp"

#include <optional>
#include <string>
#include <vector>

namespace hubspec::harness {

struct expectation {
    std::string scenario_glob;
    std::vector<protocol::transport_type> transports; // empty = all
    std::vector<protocol_name> protocols;             // empty = all
    outcome expected = outcome::fail;
    std::vector<outcome> alternatives; // `outcome: [fail, pass]`: the ones after the first
    std::string reason;
};

class expectations {
public:
    /// Throws std::runtime_error naming the file, line and problem.
    static expectations load_file(const std::string& path);
    static expectations load_text(const std::string& yaml_text, const std::string& name);

    /// The first entry matching this cell, if any.
    const expectation* find(const std::string& scenario_id, const cell& c) const;

    /// Stamps expected_outcome/expected_reason onto every matching cell of `run`.
    void apply(run_result& run) const;

    /// An expectations file that makes `run` pass as it is: one entry per cell
    /// that did not pass or skip, with its failure as the reason.
    static void write_from_run(const run_result& run, std::ostream& out);

    const std::vector<expectation>& entries() const { return entries_; }

private:
    std::vector<expectation> entries_;
};

/// Shell-style glob: `*` any run of characters, `?` one character.
bool glob_match(std::string_view pattern, std::string_view text) noexcept;

} // namespace hubspec::harness
