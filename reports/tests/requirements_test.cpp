// The requirement catalogue: scenarios/requirements.yaml loads and holds every ID
// of the spec digest; malformed catalogues fail naming file:line and the problem.

#include "hubspec/reports/requirements.hpp"

#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <map>
#include <regex>
#include <stdexcept>
#include <string>

using hubspec::harness::requirement_catalogue;
using hubspec::harness::requirement_level;
using hubspec::harness::requirement_side;

namespace {

const std::string source_dir = HUBSPEC_SOURCE_DIR;

// The error text of loading `yaml`, or "" when it loads.
std::string load_error(const std::string& yaml) {
    try {
        (void)requirement_catalogue::load_text(yaml, "cat.yaml");
    } catch (const std::runtime_error& e) {
        return e.what();
    }
    return "";
}

// Live requirement rows of the digest (id → text), the way scripts/sync-requirements reads them.
std::map<std::string, std::string> digest_rows(const std::filesystem::path& digest) {
    static const std::regex row(R"(^\|\s*([A-Z]+-\d+)\s*\|[^|]*\|[^|]*\|\s*(.*?)\s*\|\s*$)");
    std::map<std::string, std::string> rows;
    std::ifstream in(digest);
    std::string line;
    std::smatch m;
    while (std::getline(in, line)) {
        if (!std::regex_match(line, m, row) || line.find("(withdrawn)") != std::string::npos) continue;
        std::string text = m[2];
        for (auto at = text.find("\\|"); at != std::string::npos; at = text.find("\\|", at))
            text.erase(at, 1);
        rows[m[1]] = text;
    }
    return rows;
}

} // namespace

TEST_CASE("the real catalogue loads and matches the spec digest", "[requirements]") {
    const auto catalogue = requirement_catalogue::load_file(source_dir + "/scenarios/requirements.yaml");
    REQUIRE(catalogue.all().size() > 200);

    const auto* neg010 = catalogue.find("NEG-010");
    REQUIRE(neg010 != nullptr);
    CHECK(neg010->level == requirement_level::must);
    CHECK(neg010->side == requirement_side::server);
    CHECK(neg010->text.find("connectionToken") != std::string::npos);
    CHECK_FALSE(neg010->untestable);

    const auto* msg004 = catalogue.find("MSG-004");
    REQUIRE(msg004 != nullptr);
    CHECK(msg004->diff);
    CHECK(msg004->side == requirement_side::both);
    CHECK(catalogue.find("NEG-012")->level == requirement_level::should);
    CHECK(catalogue.find("WS-016")->level == requirement_level::may);
    CHECK(catalogue.find("NEG-002")->side == requirement_side::client);
    REQUIRE(catalogue.find("MSG-096")->untestable);
    CHECK_FALSE(catalogue.find("MSG-096")->untestable->empty());
    CHECK(catalogue.find("NOPE-001") == nullptr);

    // Every untestable mark explains a server-side MUST or SHOULD (the only ones coverage asks about).
    for (const auto& r : catalogue.all()) {
        if (!r.untestable) continue;
        INFO(r.id);
        CHECK(r.side != requirement_side::client);
        CHECK(r.level != requirement_level::may);
    }

    const std::filesystem::path digest = source_dir + "/../shared/spec/signalr-protocol.md";
    if (!std::filesystem::exists(digest)) {
        WARN("no spec digest at " << digest.string() << ": comparing with it skipped");
        return;
    }
    auto rows = digest_rows(digest);
    REQUIRE(rows.size() > 200);
    // The backplane digest's RB-* follow (scripts/sync-requirements reads both).
    const std::filesystem::path backplane = source_dir + "/../shared/spec/redis-backplane.md";
    if (std::filesystem::exists(backplane)) rows.merge(digest_rows(backplane));
    CHECK(catalogue.all().size() == rows.size());
    for (const auto& [id, text] : rows) {
        INFO(id);
        const auto* r = catalogue.find(id);
        REQUIRE(r != nullptr);
        CHECK(r->text == text); // quotes, backslashes and UTF-8 survive the YAML round trip
    }
}

TEST_CASE("a small catalogue loads every field", "[requirements]") {
    const auto catalogue = requirement_catalogue::load_text(R"(
- id: NEG-001
  level: MUST
  side: S
  text: "Negotiate is POST only."
- id: MSG-004
  level: SHOULD
  side: S+C
  diff: true
  text: 'Skip unknown types.'
  untestable: "nobody can tell"
  note: kept for people, ignored here
- id: RC-001
  level: MAY
  side: C
  diff: false
  text: plain text works too
)",
                                                            "cat.yaml");
    REQUIRE(catalogue.all().size() == 3);
    const auto& first = catalogue.all()[0];
    CHECK(first.id == "NEG-001");
    CHECK(first.text == "Negotiate is POST only.");
    CHECK_FALSE(first.diff);
    const auto* msg = catalogue.find("MSG-004");
    REQUIRE(msg != nullptr);
    CHECK(msg->level == requirement_level::should);
    CHECK(msg->side == requirement_side::both);
    CHECK(msg->diff);
    CHECK(msg->untestable == std::optional<std::string>("nobody can tell"));
    CHECK(catalogue.find("RC-001")->level == requirement_level::may);
    CHECK(catalogue.find("RC-001")->side == requirement_side::client);
    CHECK(requirement_catalogue::load_text("", "empty.yaml").all().empty());
}

TEST_CASE("malformed catalogues name file:line and the problem", "[requirements]") {
    const std::string ok = "- id: NEG-001\n  level: MUST\n  side: S\n  text: t\n";

    CHECK(load_error(ok).empty());
    CHECK(load_error(ok + ok) == "cat.yaml:5: duplicate id `NEG-001`");
    CHECK(load_error("- id: NEG-001\n  level: MUSTN'T\n  side: S\n  text: t\n") ==
          "cat.yaml:2: NEG-001: unknown level `MUSTN'T` (MUST, SHOULD or MAY)");
    CHECK(load_error("- id: NEG-001\n  level: MUST\n  side: X\n  text: t\n") ==
          "cat.yaml:3: NEG-001: unknown side `X` (S, C or S+C)");
    CHECK(load_error("- id: NEG-001\n  level: MUST\n  side: S\n") == "cat.yaml:1: NEG-001: missing `text`");
    CHECK(load_error(ok + "  untestible: typo\n") == "cat.yaml:5: unknown key `untestible`");
    CHECK(load_error(ok + "  diff: maybe\n") == "cat.yaml:5: NEG-001: `diff` is true or false");
    CHECK(load_error(ok + "  untestable: \"\"\n") == "cat.yaml:5: NEG-001: `untestable` needs the reason as text");
    CHECK(load_error("- id: neg 1\n  level: MUST\n  side: S\n  text: t\n") ==
          "cat.yaml:1: malformed id `neg 1` (expected GROUP-NNN)");
    CHECK(load_error("- level: MUST\n  side: S\n  text: t\n") == "cat.yaml:1: a requirement needs an `id`");
    CHECK(load_error("id: NEG-001\n") == "cat.yaml:1: the requirement catalogue is a list of requirements");
    CHECK(load_error("- just a string\n") == "cat.yaml:1: a requirement is a mapping with id, level, side and text");

    const auto syntax = load_error(ok + "- id: [unclosed\n");
    CHECK(syntax.starts_with("cat.yaml:"));
    CHECK(syntax.find(": ", 9) != std::string::npos);

    CHECK_THROWS_WITH(requirement_catalogue::load_file("/nonexistent/requirements.yaml"),
                      "/nonexistent/requirements.yaml: cannot open");
}

TEST_CASE("levels and sides print as the digest writes them", "[requirements]") {
    using hubspec::harness::to_string;
    CHECK(to_string(requirement_level::must) == "MUST");
    CHECK(to_string(requirement_level::should) == "SHOULD");
    CHECK(to_string(requirement_level::may) == "MAY");
    CHECK(to_string(requirement_side::server) == "S");
    CHECK(to_string(requirement_side::client) == "C");
    CHECK(to_string(requirement_side::both) == "S+C");
}
