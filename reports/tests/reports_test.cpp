// The four reports and the comparison, from a run built by hand with every
// outcome and hostile text: each must stay well-formed and say what failed.

#include "hubspec/protocol/base64.hpp"
#include "hubspec/protocol/json_value.hpp"
#include "hubspec/reports/expectations.hpp"
#include "hubspec/reports/writers.hpp"

#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>

using namespace hubspec::harness;
using hubspec::protocol::transport_type;
using hubspec::protocol::value;

namespace {

const std::string target_url = "http://127.0.0.1:5000/conformance";
// "</script>", markup, quotes, control characters and invalid UTF-8 in one line.
const std::string hostile = "</script><script>alert(\"x\")</script> <b>&amp; 'q' \x01\x1e\x7f \xff\xfe end";
const std::string binary_bytes("\x00\x01\xff\x1e{}", 6);

const char* catalogue_yaml = R"(- id: NEG-001
  level: MUST
  side: S
  diff: true
  text: "Negotiate is served only for POST."
- id: HS-001
  level: MUST
  side: S
  text: "The server answers a valid handshake with an empty object."
- id: GRP-002
  level: SHOULD
  side: S
  text: "A group message reaches its members only."
- id: KA-001
  level: MUST
  side: S
  text: "Keep-alive pings are sent."
)";

cell_result make_cell(const std::string& scenario, outcome o, cell where, int ms) {
    cell_result c;
    c.scenario_id = scenario;
    c.where = where;
    c.result = o;
    c.duration = std::chrono::milliseconds(ms);
    return c;
}

run_result sample_run() {
    run_result run;
    run.tool_version = "0.1.0";
    run.started_at = "2026-11-26T23:00:00Z";
    run.wall_time = std::chrono::milliseconds(1234);
    run.target = {target_url, false, {"WebSockets", "ServerSentEvents", "LongPolling"}};
    run.catalogue = requirement_catalogue::load_text(catalogue_yaml, "requirements.yaml");
    run.target_configuration = {{"keepalive_ms", "15000", "detected", "first Ping <after> 15012 ms"}};

    scenario_result negotiate{"negotiate.post-only", "Negotiate answers POST only", {"NEG-001"}, {}};
    auto once = make_cell(negotiate.id, outcome::pass, {}, 12);
    once.once = true;
    once.transcript.push_back({std::chrono::milliseconds(1),
                               transcript_direction::sent,
                               "harness",
                               "http-request",
                               "POST " + target_url + "/negotiate?negotiateVersion=1",
                               {}});
    negotiate.cells.push_back(once);

    scenario_result handshake{"handshake.basic", "A handshake <completes> & \"works\"", {"HS-001"}, {}};
    handshake.cells.push_back(
        make_cell(handshake.id, outcome::pass, {transport_type::websockets, protocol_name::json}, 20));
    auto failed = make_cell(handshake.id, outcome::fail, {transport_type::websockets, protocol_name::messagepack}, 250);
    failed.failed = failure{3,
                            "raw_expect (scenarios/handshake.yaml:14)",
                            "{\"type\":\"Completion\"}",
                            hostile,
                            "HS-001",
                            "The server answers a valid handshake with an empty object."};
    failed.transcript = {
        {std::chrono::milliseconds(0), transcript_direction::note, "harness", "step", "connect", {}},
        {std::chrono::milliseconds(5), transcript_direction::sent, "a", "frame", "binary frame (6 bytes)",
         binary_bytes},
        {std::chrono::milliseconds(9), transcript_direction::received, "a", "frame", "{}\x1e", "{}\x1e"},
        {std::chrono::milliseconds(11), transcript_direction::received, "a", "message", hostile, {}},
    };
    handshake.cells.push_back(failed);
    auto skipped =
        make_cell(handshake.id, outcome::skip, {transport_type::server_sent_events, protocol_name::messagepack}, 0);
    skipped.reason = "ServerSentEvents cannot carry MessagePack";
    handshake.cells.push_back(skipped);
    auto broken = make_cell(handshake.id, outcome::error, {transport_type::long_polling, protocol_name::json}, 30);
    broken.reason = "the target vanished <mid-poll>";
    handshake.cells.push_back(broken);

    scenario_result groups{"groups.send-to-group", "Group messages", {"GRP-002"}, {}};
    auto soft = make_cell(groups.id, outcome::non_strict, {transport_type::websockets, protocol_name::json}, 40);
    soft.failed = failure{1,         "expect_no_message (scenarios/groups.yaml:20)", "no message", "SendToGroup(\"x\")",
                          "GRP-002", "A group message reaches its members only."};
    groups.cells.push_back(soft);

    run.scenarios = {negotiate, handshake, groups};
    return run;
}

template <class Writer>
std::string render(const run_result& run, Writer writer) {
    std::ostringstream out;
    writer(run, out);
    return out.str();
}

std::size_t occurrences(const std::string& text, const std::string& what) {
    std::size_t n = 0;
    for (auto at = text.find(what); at != std::string::npos; at = text.find(what, at + 1))
        ++n;
    return n;
}

std::string attribute(const std::string& xml, const std::string& element, const std::string& name) {
    const auto start = xml.find("<" + element + " ");
    REQUIRE(start != std::string::npos);
    const auto end = xml.find('>', start);
    const std::regex re(name + "=\"([^\"]*)\"");
    std::smatch m;
    const std::string tag = xml.substr(start, end - start);
    REQUIRE(std::regex_search(tag, m, re));
    return m[1];
}

bool valid_utf8_without_controls(const std::string& text) {
    // Round-trips through the JSON reader unchanged only if it is well-formed UTF-8.
    std::string literal;
    hubspec::protocol::write_json_string(text, literal);
    const auto back = hubspec::protocol::parse_json_value(literal);
    if (!back || *back->as_string() != text) return false;
    for (const char c : text) {
        const auto u = static_cast<unsigned char>(c);
        if (u < 0x20 && c != '\n' && c != '\t' && c != '\r') return false;
    }
    return true;
}

const value& at(const value& v, std::string_view key) {
    const value* found = v.find(key);
    INFO(key);
    REQUIRE(found != nullptr);
    return *found;
}

const value& at(const value& v, std::size_t i) {
    const auto* a = v.get_if<hubspec::protocol::array>();
    REQUIRE(a != nullptr);
    REQUIRE(i < a->size());
    return (*a)[i];
}

std::string str(const value& v) {
    REQUIRE(v.as_string() != nullptr);
    return *v.as_string();
}

} // namespace

TEST_CASE("results.json parses and carries the run", "[harness][reports]") {
    const auto run = sample_run();
    const auto text = render(run, write_results_json);
    const auto parsed = hubspec::protocol::parse_json_value(text);
    REQUIRE(parsed.has_value());
    const value& doc = *parsed;
    CHECK(str(at(doc, "schema")) == "hubspec-results/1");
    CHECK(str(at(at(doc, "tool"), "name")) == "hubspec");
    CHECK(str(at(at(doc, "tool"), "version")) == "0.1.0");
    CHECK(at(doc, "wall_time_ms").as_int64() == 1234);
    CHECK(at(doc, "strict") == value(false));
    CHECK(str(at(at(doc, "target"), "url")) == target_url);
    CHECK(str(at(at(at(doc, "target"), "transports"), 1)) == "ServerSentEvents");
    const value& totals = at(doc, "totals");
    CHECK(at(totals, "pass").as_int64() == 2);
    CHECK(at(totals, "fail").as_int64() == 1);
    CHECK(at(totals, "non_strict").as_int64() == 1);
    CHECK(at(totals, "skip").as_int64() == 1);
    CHECK(at(totals, "error").as_int64() == 1);

    // Referenced requirements only, in catalogue order, with their scenarios.
    const value& reqs = at(doc, "requirements");
    REQUIRE(reqs.get_if<hubspec::protocol::array>()->size() == 3);
    CHECK(str(at(at(reqs, 0), "id")) == "NEG-001");
    CHECK(str(at(at(reqs, 2), "level")) == "SHOULD");
    CHECK(str(at(at(reqs, 1), "side")) == "S");
    CHECK(str(at(at(at(reqs, 1), "scenarios"), 0)) == "handshake.basic");

    const value& once = at(at(at(at(doc, "scenarios"), 0), "cells"), 0);
    CHECK(at(once, "transport").is_null());
    CHECK(at(once, "protocol").is_null());

    const value& handshake = at(at(doc, "scenarios"), 1);
    CHECK(str(at(handshake, "title")) == "A handshake <completes> & \"works\"");
    CHECK(str(at(at(handshake, "requires"), 0)) == "HS-001");
    const value& cell = at(at(handshake, "cells"), 1);
    CHECK(str(at(cell, "transport")) == "WebSockets");
    CHECK(str(at(cell, "protocol")) == "messagepack");
    CHECK(str(at(cell, "outcome")) == "fail");
    CHECK(at(cell, "duration_ms").as_int64() == 250);
    CHECK(cell.find("expected") == nullptr);
    const value& f = at(cell, "failure");
    CHECK(at(f, "step_index").as_int64() == 3);
    CHECK(str(at(at(f, "requirement"), "id")) == "HS-001");
    // Invalid UTF-8 arrives as U+FFFD; everything else intact.
    CHECK(str(at(f, "seen")) == "</script><script>alert(\"x\")</script> <b>&amp; 'q' \x01\x1e\x7f "
                                "\xEF\xBF\xBD\xEF\xBF\xBD end");

    const value& transcript = at(cell, "transcript");
    REQUIRE(transcript.get_if<hubspec::protocol::array>()->size() == 4);
    CHECK(at(at(transcript, 1), "at_ms").as_int64() == 5);
    CHECK(str(at(at(transcript, 1), "direction")) == "sent");
    CHECK(str(at(at(transcript, 1), "actor")) == "a");
    const auto decoded = hubspec::protocol::from_base64(str(at(at(transcript, 1), "bytes_base64")));
    REQUIRE(decoded.has_value());
    CHECK(std::string(decoded->begin(), decoded->end()) == binary_bytes);
    // No bytes where there are none, or where they equal the text.
    CHECK(at(transcript, 0).find("bytes_base64") == nullptr);
    CHECK(at(transcript, 2).find("bytes_base64") == nullptr);

    const value& skipped = at(at(handshake, "cells"), 2);
    CHECK(str(at(skipped, "reason")) == "ServerSentEvents cannot carry MessagePack");
    CHECK(skipped.find("failure") == nullptr);
}

TEST_CASE("results.json records what --expect said", "[harness][reports]") {
    auto run = sample_run();
    expectations::load_text("- scenario: handshake.*\n  outcome: fail\n  reason: \"known: bug #1\"\n", "e.yaml")
        .apply(run);
    const auto parsed = hubspec::protocol::parse_json_value(render(run, write_results_json));
    REQUIRE(parsed.has_value());
    const value& cell = at(at(at(at(*parsed, "scenarios"), 1), "cells"), 1);
    CHECK(str(at(at(cell, "expected"), "outcome")) == "fail");
    CHECK(str(at(at(cell, "expected"), "reason")) == "known: bug #1");
}

TEST_CASE("junit.xml has one testcase per cell and the right counts", "[harness][reports]") {
    auto run = sample_run();
    const auto xml = render(run, write_junit_xml);
    INFO(xml);
    CHECK(xml.rfind("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites", 0) == 0);
    CHECK(attribute(xml, "testsuites", "tests") == "6");
    CHECK(attribute(xml, "testsuites", "failures") == "1");
    CHECK(attribute(xml, "testsuites", "errors") == "1");
    CHECK(attribute(xml, "testsuites", "skipped") == "1");
    CHECK(attribute(xml, "testsuites", "time") == "1.234");
    CHECK(occurrences(xml, "<testsuite ") == 3);
    CHECK(occurrences(xml, "<testcase ") == 6);
    CHECK(occurrences(xml, "</testcase>") + occurrences(xml, "/>\n") >= 6);
    CHECK(xml.find("<testcase name=\"WebSockets/messagepack\" classname=\"handshake.basic\" time=\"0.250\"") !=
          std::string::npos);
    CHECK(xml.find("<testcase name=\"once\" classname=\"negotiate.post-only\"") != std::string::npos);
    CHECK(xml.find("<skipped message=\"ServerSentEvents cannot carry MessagePack\"/>") != std::string::npos);
    CHECK(xml.find("<error message=\"the target vanished &lt;mid-poll&gt;\"") != std::string::npos);
    CHECK(xml.find("HS-001: The server answers a valid handshake with an empty object.") != std::string::npos);
    CHECK(xml.find("non-strict (a SHOULD broken; passes without --strict)") != std::string::npos);
    // Escaped, and nothing XML 1.0 forbids.
    CHECK(xml.find("&lt;/script&gt;") != std::string::npos);
    CHECK(xml.find("<script") == std::string::npos);
    CHECK(valid_utf8_without_controls(xml));
    CHECK(xml.find("\xEF\xBF\xBE") == std::string::npos);

    run.strict = true;
    const auto strict = render(run, write_junit_xml);
    CHECK(attribute(strict, "testsuites", "failures") == "2");
}

TEST_CASE("junit.xml skips a known deviation and fails an unexpected pass", "[harness][reports]") {
    auto run = sample_run();
    expectations::load_text("- scenario: handshake.basic\n  transports: [websockets]\n  outcome: fail\n"
                            "  reason: tracked upstream\n",
                            "e.yaml")
        .apply(run);
    const auto xml = render(run, write_junit_xml);
    INFO(xml);
    // WebSockets/json passed though --expect said fail: a failure; WebSockets/messagepack failed as expected.
    CHECK(attribute(xml, "testsuites", "failures") == "1");
    CHECK(attribute(xml, "testsuites", "skipped") == "2");
    CHECK(xml.find("known deviation (--expect, fail): tracked upstream") != std::string::npos);
    CHECK(xml.find("expected outcome fail (--expect: tracked upstream), got pass") != std::string::npos);
}

TEST_CASE("summary.md gives the totals and the matrix and each failure with its requirement", "[harness][reports]") {
    auto run = sample_run();
    const auto md = render(run, write_summary_markdown);
    INFO(md);
    CHECK(md.rfind("# hubspec: " + target_url, 0) == 0);
    CHECK(md.find("Ran 6 cells in 1.2 s") != std::string::npos);
    CHECK(md.find("**Failed**: 2 cells failed the run") != std::string::npos);
    CHECK(md.find("| Scenario | WebSockets/json | WebSockets/messagepack | ServerSentEvents/messagepack | "
                  "LongPolling/json | once |") != std::string::npos);
    CHECK(
        md.find("| handshake.basic | \xE2\x9C\x85 | \xE2\x9D\x8C | \xE2\x8F\xAD\xEF\xB8\x8F | \xF0\x9F\x92\xA5 |  |") !=
        std::string::npos);
    CHECK(md.find("| keepalive\\_ms | 15000 | detected |") != std::string::npos);
    CHECK(md.find("## Failures") != std::string::npos);
    CHECK(md.find("HS-001 — The server answers a valid handshake with an empty object.") != std::string::npos);
    CHECK(md.find("raw\\_expect (scenarios/handshake.yaml:14)") != std::string::npos);
    CHECK(md.find("## Non-strict findings") != std::string::npos);
    CHECK(md.find("GRP-002 — A group message reaches its members only.") != std::string::npos);
    // NEG-001 is a [DIFF] line the target passed: a finding, not a failure.
    CHECK(md.find("## Where the target departs from the spec text as ASP.NET Core does") != std::string::npos);
    CHECK(md.find("- NEG-001 — Negotiate is served only for POST. (1 passing cell)") != std::string::npos);
    CHECK(md.find("- HS-001") == std::string::npos);
    CHECK(md.find("<script") == std::string::npos);
    CHECK(md.find("&lt;/script&gt;") != std::string::npos);
    CHECK(valid_utf8_without_controls(md));

    expectations::load_text("- scenario: handshake.basic\n  transports: [websockets]\n  protocols: [messagepack]\n"
                            "  outcome: fail\n  reason: tracked upstream\n",
                            "e.yaml")
        .apply(run);
    const auto with_expect = render(run, write_summary_markdown);
    CHECK(with_expect.find("## Findings") != std::string::npos);
    CHECK(with_expect.find("tracked upstream (HS-001") != std::string::npos);
    CHECK(with_expect.find("**Failed**: 1 cell failed the run") != std::string::npos);
}

TEST_CASE("index.html is self-contained and its data cannot break out", "[harness][reports]") {
    const auto run = sample_run();
    const auto html = render(run, write_index_html);
    CHECK(html.rfind("<!DOCTYPE html>", 0) == 0);
    CHECK(occurrences(html, "<script") == 2);
    CHECK(occurrences(html, "</script>") == 2);

    const std::string open = "<script type=\"application/json\" id=\"hubspec-data\">";
    const auto begin = html.find(open);
    REQUIRE(begin != std::string::npos);
    const auto data_start = begin + open.size();
    const auto data_end = html.find("</script>", data_start);
    const std::string data = html.substr(data_start, data_end - data_start);
    CHECK(data.find('<') == std::string::npos);
    // The data is the whole run: it parses, and the hostile text is all there.
    const auto parsed = hubspec::protocol::parse_json_value(data);
    REQUIRE(parsed.has_value());
    const value& failed_cell = at(at(at(at(*parsed, "scenarios"), 1), "cells"), 1);
    CHECK(str(at(at(failed_cell, "failure"), "seen")).find("alert") != std::string::npos);

    // Nothing loads from the network: the only URLs outside the data are the target's, as text.
    const std::string page = html.substr(0, begin) + html.substr(data_end);
    for (const auto* loader : {"src=", "href=", "url(", "@import", "<link", "<iframe", "<img"})
        CHECK(page.find(loader) == std::string::npos);
    std::size_t urls = 0, target_urls = 0;
    for (const std::string scheme : {"http://", "https://"}) {
        for (auto at = page.find(scheme); at != std::string::npos; at = page.find(scheme, at + 1)) {
            ++urls;
            if (page.compare(at, target_url.size(), target_url) == 0) ++target_urls;
        }
    }
    CHECK(urls == target_urls);
    CHECK(target_urls >= 1);

    // The matrix: each cell clickable, the hostile title escaped; coverage lists the catalogue.
    CHECK(occurrences(html, "<td class=\"cell ") == 6);
    CHECK(html.find("data-s=\"1\" data-c=\"1\"") != std::string::npos);
    CHECK(html.find("A handshake &lt;completes&gt; &amp; &quot;works&quot;") != std::string::npos);
    CHECK(html.find("Requirement coverage") != std::string::npos);
    CHECK(html.find("KA-001") != std::string::npos);
    CHECK(html.find("id=\"filter\"") != std::string::npos);
    // The configuration the scenarios went by, with its source, escaped.
    CHECK(html.find("<h2>Target configuration</h2>") != std::string::npos);
    CHECK(html.find("keepalive_ms</td><td class=\"mono\">15000</td><td>detected</td><td>first Ping &lt;after&gt;") !=
          std::string::npos);
    CHECK(valid_utf8_without_controls(html));
}

TEST_CASE("write_reports writes the four files", "[harness][reports]") {
    const auto dir = std::filesystem::temp_directory_path() / "hubspec-reports-test" / "out";
    std::filesystem::remove_all(dir.parent_path());
    write_reports(sample_run(), dir);
    for (const auto* name : {"results.json", "junit.xml", "summary.md", "index.html"}) {
        INFO(name);
        CHECK(std::filesystem::file_size(dir / name) > 100);
    }
    std::filesystem::remove_all(dir.parent_path());
}

TEST_CASE("the comparison puts targets side by side and lists disagreements", "[harness][reports]") {
    auto a = sample_run();
    auto b = sample_run();
    b.target.url = "http://127.0.0.1:5001/aspnet";
    b.scenarios[1].cells[1].result = outcome::pass; // b passes where a fails
    b.scenarios[1].cells[1].failed.reset();
    b.scenarios[2].cells.clear(); // and lacks a cell

    const auto md = [&] {
        std::ostringstream out;
        write_comparison_markdown({a, b}, out);
        return out.str();
    }();
    INFO(md);
    CHECK(md.find("2 targets, 1 disagreement") != std::string::npos);
    CHECK(md.find("| Scenario | Cell | " + target_url + " | http://127.0.0.1:5001/aspnet |") != std::string::npos);
    CHECK(md.find("## Disagreements") != std::string::npos);
    CHECK(md.find("- handshake.basic — WebSockets/messagepack:") != std::string::npos);
    CHECK(md.find("| groups.send-to-group | WebSockets/json | \xE2\x9A\xA0\xEF\xB8\x8F | \xE2\x80\x94 |") !=
          std::string::npos);

    const auto html = [&] {
        std::ostringstream out;
        write_comparison_html({a, b}, out);
        return out.str();
    }();
    CHECK(html.rfind("<!DOCTYPE html>", 0) == 0);
    CHECK(occurrences(html, "class=\"disagree\"") == 1);
    CHECK(html.find("src=") == std::string::npos);
    CHECK(html.find("<script>alert") == std::string::npos);
    CHECK(valid_utf8_without_controls(html));
}
