#pragma once
// The conformance hub contract's methods (shared/spec/conformance-hub.md), as the
// harness needs them: to tell which ones a target has (the run's profile), to check
// a scenario's `methods:`, and to let `--method ROLE=NAME` point a role at a user's method.

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace hubspec::harness {

struct contract_method {
    std::string_view name;     // as the contract writes it: "Echo"
    std::string_view endpoint; // the contract endpoint whose hub has it; "" = the main hub
    /// A scale-out extra, not in conformance-hub.md (a group change or client result for a
    /// connection on another node; hubspec-server and the ASP.NET Core peer have them): the
    /// scaleout scenarios need it, the run's profile does not count it.
    bool scale_out = false;
};

/// Every method of the contract, in its order; `SendMessage` is the `/chat` endpoint's.
const std::vector<contract_method>& contract_methods();

/// The contract method named `name`, compared case-insensitively as ASP.NET Core does.
const contract_method* find_contract_method(std::string_view name);

/// `--method echo=MyEcho`: contract role (canonical name) -> the target's method.
using method_role_map = std::map<std::string, std::string>;

/// Parses one `ROLE=NAME` into `roles`; returns the problem, or nullopt when it is fine.
std::optional<std::string> add_method_role(method_role_map& roles, std::string_view text);

} // namespace hubspec::harness
