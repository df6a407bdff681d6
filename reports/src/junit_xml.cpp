// junit.xml (design §8): one testsuite per scenario, one testcase per cell, for CI.

#include "report_text.hpp"
#include "run_facts.hpp"

#include "hubspec/protocol/hex.hpp"
#include "hubspec/reports/writers.hpp"

#include <ostream>

namespace hubspec::harness {
namespace {

using reports::xml_escape;

// What a cell becomes in JUnit's vocabulary.
enum class junit_kind { passed, failure, error, skipped };

struct junit_case {
    junit_kind kind = junit_kind::passed;
    std::string message; // failure, error, skipped
    std::string note;    // system-out: why a pass is not plain
};

std::string failure_message(const cell_result& c) {
    if (!c.failed) return c.reason.empty() ? std::string(to_string(c.result)) : c.reason;
    const failure& f = *c.failed;
    std::string m = "expected " + f.expected + ", seen " + f.seen;
    if (!f.step.empty()) m += " at " + f.step;
    if (!f.requirement_id.empty()) m += " [" + f.requirement_id + ": " + f.requirement_text + "]";
    return m;
}

junit_case classify(const cell_result& c, bool strict) {
    if (c.expected_outcome) {
        if (as_expected(c)) {
            if (c.result == outcome::pass) return {};
            // A known deviation: reported, not failed, as pytest reports an xfail.
            return {junit_kind::skipped,
                    "known deviation (--expect, " + std::string(to_string(c.result)) + "): " + c.expected_reason,
                    failure_message(c)};
        }
        std::string m = "expected outcome " + std::string(to_string(*c.expected_outcome)) +
                        " (--expect: " + c.expected_reason + "), got " + std::string(to_string(c.result));
        if (c.result != outcome::pass && c.result != outcome::skip) m += ": " + failure_message(c);
        return {c.result == outcome::error ? junit_kind::error : junit_kind::failure, m, {}};
    }
    switch (c.result) {
    case outcome::pass: return {};
    case outcome::fail: return {junit_kind::failure, failure_message(c), {}};
    case outcome::error: return {junit_kind::error, failure_message(c), {}};
    case outcome::skip: return {junit_kind::skipped, c.reason, {}};
    case outcome::non_strict:
        if (strict) return {junit_kind::failure, "non-strict (a SHOULD, --strict): " + failure_message(c), {}};
        return {junit_kind::passed, {}, "non-strict (a SHOULD broken; passes without --strict): " + failure_message(c)};
    }
    return {};
}

std::string transcript_text(const cell_result& c) {
    std::string text;
    for (const auto& e : c.transcript) {
        text += std::to_string(e.at.count()) + "ms " + std::string(to_string(e.direction)) + " " + e.actor + " " +
                e.kind + ": " + e.text + "\n";
        if (!e.bytes.empty() && e.bytes != e.text) text += "    " + protocol::to_hex(e.bytes) + "\n";
    }
    return text;
}

struct counts {
    std::size_t tests = 0, failures = 0, errors = 0, skipped = 0;
    std::chrono::milliseconds time{0};
    void add(junit_kind k, std::chrono::milliseconds d) {
        ++tests;
        failures += k == junit_kind::failure ? std::size_t{1} : std::size_t{0};
        errors += k == junit_kind::error ? std::size_t{1} : std::size_t{0};
        skipped += k == junit_kind::skipped ? std::size_t{1} : std::size_t{0};
        time += d;
    }
    std::string attributes() const {
        return "tests=\"" + std::to_string(tests) + "\" failures=\"" + std::to_string(failures) + "\" errors=\"" +
               std::to_string(errors) + "\" skipped=\"" + std::to_string(skipped) + "\" time=\"" +
               reports::seconds_text(time) + "\"";
    }
};

} // namespace

void write_junit_xml(const run_result& run, std::ostream& out) {
    counts all;
    std::string suites;
    for (const auto& s : run.scenarios) {
        counts here;
        std::string cases;
        for (const auto& c : s.cells) {
            const junit_case jc = classify(c, run.strict);
            here.add(jc.kind, c.duration);
            cases += "    <testcase name=\"" + xml_escape(reports::cell_name(c), true) + "\" classname=\"" +
                     xml_escape(s.id, true) + "\" time=\"" + reports::seconds_text(c.duration) + "\"";
            std::string body;
            const std::string message = xml_escape(jc.message, true);
            switch (jc.kind) {
            case junit_kind::passed: break;
            case junit_kind::skipped: body += "      <skipped message=\"" + message + "\"/>\n"; break;
            case junit_kind::failure:
                body += "      <failure message=\"" + message + "\" type=\"" + std::string(to_string(c.result)) +
                        "\">" + xml_escape(jc.message) + "</failure>\n";
                break;
            case junit_kind::error:
                body +=
                    "      <error message=\"" + message + "\" type=\"error\">" + xml_escape(jc.message) + "</error>\n";
                break;
            }
            // Evidence for whoever opens the CI page: the note and, when not a plain pass, the transcript.
            std::string system_out = jc.note;
            if (jc.kind == junit_kind::failure || jc.kind == junit_kind::error || !jc.note.empty()) {
                if (!system_out.empty()) system_out += "\n";
                system_out += transcript_text(c);
            }
            if (!system_out.empty()) body += "      <system-out>" + xml_escape(system_out) + "</system-out>\n";
            cases += body.empty() ? "/>\n" : ">\n" + body + "    </testcase>\n";
        }
        suites += "  <testsuite name=\"" + xml_escape(s.id, true) + "\" " + here.attributes() + ">\n" + cases +
                  "  </testsuite>\n";
        all.tests += here.tests;
        all.failures += here.failures;
        all.errors += here.errors;
        all.skipped += here.skipped;
    }
    all.time = run.wall_time;
    out << "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
        << "<testsuites name=\"hubspec\" " << all.attributes() << ">\n"
        << suites << "</testsuites>\n";
}

} // namespace hubspec::harness
