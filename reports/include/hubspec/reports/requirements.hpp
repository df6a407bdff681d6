#pragma once
// The requirement catalogue (scenarios/requirements.yaml, in step with
// shared/spec/signalr-protocol.md): each requirement's level, side and text, and
// for a server-side one that no scenario can observe, why not.

#include <map>
#include <optional>
#include <string>
#include <vector>

namespace hubspec::harness {

enum class requirement_level { must, should, may };
enum class requirement_side { server, client, both };

struct requirement {
    std::string id; // "NEG-010"
    requirement_level level = requirement_level::must;
    requirement_side side = requirement_side::server;
    std::string text;
    bool diff = false;                     // the catalogue follows Microsoft where its spec says otherwise ([DIFF])
    std::optional<std::string> untestable; // why a scenario cannot observe it from the client side
};

class requirement_catalogue {
public:
    /// Throws std::runtime_error naming the file and line of what is wrong.
    static requirement_catalogue load_file(const std::string& path);
    static requirement_catalogue load_text(const std::string& yaml_text, const std::string& name);

    const requirement* find(const std::string& id) const;
    const std::vector<requirement>& all() const { return requirements_; }

private:
    std::vector<requirement> requirements_;
    std::map<std::string, std::size_t> index_;
};

std::string_view to_string(requirement_level l) noexcept; // "MUST", "SHOULD", "MAY"
std::string_view to_string(requirement_side s) noexcept;  // "S", "C", "S+C"

} // namespace hubspec::harness
