// results.json, schema hubspec-results/1 (design §8): the whole run, transcripts included.

#include "results_json.hpp"
#include "report_text.hpp"
#include "run_facts.hpp"

#include "hubspec/protocol/base64.hpp"
#include "hubspec/reports/writers.hpp"

#include <ostream>

namespace hubspec::harness {
namespace reports {
namespace {

// Minimal JSON emission: the caller says where objects and arrays start and end,
// this keeps commas and (optionally) indentation right.
class json_out {
public:
    explicit json_out(bool pretty) : pretty_(pretty) {}

    void begin_object() { open('{'); }
    void end_object() { close('}'); }
    void begin_array() { open('['); }
    void end_array() { close(']'); }
    void key(std::string_view k) {
        item();
        text_ += json_string(k);
        text_ += pretty_ ? ": " : ":";
        after_key_ = true;
    }
    void string(std::string_view s) {
        item();
        text_ += json_string(s);
    }
    void number(long long n) {
        item();
        text_ += std::to_string(n);
    }
    void number(std::size_t n) {
        item();
        text_ += std::to_string(n);
    }
    void boolean(bool b) {
        item();
        text_ += b ? "true" : "false";
    }
    void null() {
        item();
        text_ += "null";
    }
    /// Indentation on or off from here (a transcript entry reads best on one line).
    void set_pretty(bool pretty) { pretty_ = pretty; }
    bool pretty() const { return pretty_; }
    std::string take() { return std::move(text_); }

private:
    void item() {
        if (after_key_) {
            after_key_ = false;
            return;
        }
        if (!first_.empty()) {
            if (!first_.back()) text_ += ',';
            first_.back() = false;
            newline();
        }
    }
    void open(char c) {
        item();
        text_ += c;
        first_.push_back(true);
    }
    void close(char c) {
        const bool empty = first_.back();
        first_.pop_back();
        if (!empty) newline();
        text_ += c;
    }
    void newline() {
        if (!pretty_) return;
        text_ += '\n';
        text_.append(first_.size() * 2, ' ');
    }

    bool pretty_;
    bool after_key_ = false;
    std::vector<bool> first_; // per open container: no item yet
    std::string text_;
};

void write_transcript(json_out& j, const std::vector<transcript_entry>& entries) {
    j.begin_array();
    const bool pretty = j.pretty();
    for (const auto& e : entries) {
        j.begin_object();
        j.set_pretty(false);
        j.key("at_ms");
        j.number(static_cast<long long>(e.at.count()));
        j.key("direction");
        j.string(to_string(e.direction));
        j.key("actor");
        j.string(e.actor);
        j.key("kind");
        j.string(e.kind);
        j.key("text");
        j.string(e.text);
        // The wire bytes only where the text does not already say them exactly.
        if (!e.bytes.empty() && e.bytes != e.text) {
            std::string b64;
            protocol::append_base64(b64, reinterpret_cast<const std::uint8_t*>(e.bytes.data()), e.bytes.size());
            j.key("bytes_base64");
            j.string(b64);
        }
        j.end_object();
        j.set_pretty(pretty);
    }
    j.end_array();
}

void write_cell(json_out& j, const cell_result& c) {
    j.begin_object();
    j.key("transport");
    if (c.once) {
        j.null();
    } else {
        j.string(protocol::transport_name(c.where.transport));
    }
    j.key("protocol");
    if (c.once) {
        j.null();
    } else {
        j.string(to_string(c.where.protocol));
    }
    j.key("outcome");
    j.string(to_string(c.result));
    j.key("reason");
    j.string(c.reason);
    j.key("duration_ms");
    j.number(static_cast<long long>(c.duration.count()));
    if (c.expected_outcome) {
        j.key("expected");
        j.begin_object();
        j.key("outcome");
        j.string(to_string(*c.expected_outcome));
        if (!c.expected_alternatives.empty()) {
            j.key("or");
            j.begin_array();
            for (const auto o : c.expected_alternatives)
                j.string(to_string(o));
            j.end_array();
        }
        j.key("reason");
        j.string(c.expected_reason);
        j.end_object();
    }
    if (c.failed) {
        const failure& f = *c.failed;
        j.key("failure");
        j.begin_object();
        j.key("step_index");
        j.number(static_cast<long long>(f.step_index));
        j.key("step");
        j.string(f.step);
        j.key("expected");
        j.string(f.expected);
        j.key("seen");
        j.string(f.seen);
        j.key("requirement");
        j.begin_object();
        j.key("id");
        j.string(f.requirement_id);
        j.key("text");
        j.string(f.requirement_text);
        j.end_object();
        j.end_object();
    }
    j.key("transcript");
    write_transcript(j, c.transcript);
    j.end_object();
}

} // namespace

std::string results_json_text(const run_result& run, bool pretty) {
    json_out j(pretty);
    j.begin_object();
    j.key("schema");
    j.string("hubspec-results/1");
    j.key("tool");
    j.begin_object();
    j.key("name");
    j.string("hubspec");
    j.key("version");
    j.string(run.tool_version);
    j.end_object();
    j.key("started_at");
    j.string(run.started_at);
    j.key("wall_time_ms");
    j.number(static_cast<long long>(run.wall_time.count()));
    j.key("strict");
    j.boolean(run.strict);

    j.key("target");
    j.begin_object();
    j.key("url");
    j.string(run.target.url);
    j.key("embedded");
    j.boolean(run.target.embedded);
    j.key("client_under_test");
    j.boolean(run.target.client_under_test);
    j.key("transports");
    j.begin_array();
    for (const auto& t : run.target.transports)
        j.string(t);
    j.end_array();
    j.end_object();

    j.key("target_configuration");
    j.begin_array();
    for (const auto& item : run.target_configuration) {
        j.begin_object();
        j.key("name");
        j.string(item.name);
        j.key("value");
        j.string(item.value);
        j.key("source");
        j.string(item.source);
        j.key("note");
        j.string(item.note);
        j.end_object();
    }
    j.end_array();

    const auto totals = run.count();
    j.key("totals");
    j.begin_object();
    j.key("pass");
    j.number(totals.pass);
    j.key("fail");
    j.number(totals.fail);
    j.key("non_strict");
    j.number(totals.non_strict);
    j.key("skip");
    j.number(totals.skip);
    j.key("error");
    j.number(totals.error);
    j.end_object();

    j.key("profile");
    j.begin_object();
    j.key("name");
    j.string(to_string(run.profile.name));
    j.key("missing_methods");
    j.begin_array();
    for (const auto& m : run.profile.missing_methods)
        j.string(m);
    j.end_array();
    j.key("missing_endpoints");
    j.begin_array();
    for (const auto& e : run.profile.missing_endpoints)
        j.string(e);
    j.end_array();
    j.key("method_roles");
    j.begin_object();
    for (const auto& [role, method] : run.profile.method_roles) {
        j.key(role);
        j.string(method);
    }
    j.end_object();
    j.key("note");
    j.string(run.profile.note);
    j.end_object();

    const auto coverage = run.coverage();
    j.key("coverage");
    j.begin_object();
    j.key("requirements_checked");
    j.number(coverage.checked);
    j.key("requirements_total");
    j.number(coverage.total);
    j.key("requirements_testable");
    j.number(coverage.testable);
    j.end_object();

    j.key("requirements");
    j.begin_array();
    for (const auto& use : requirement_uses(run, false)) {
        j.begin_object();
        j.key("id");
        j.string(use.id);
        j.key("level");
        if (use.entry) {
            j.string(to_string(use.entry->level));
        } else {
            j.null();
        }
        j.key("side");
        if (use.entry) {
            j.string(to_string(use.entry->side));
        } else {
            j.null();
        }
        j.key("text");
        if (use.entry) {
            j.string(use.entry->text);
        } else {
            j.null();
        }
        j.key("scenarios");
        j.begin_array();
        for (const auto* s : use.scenarios)
            j.string(s->id);
        j.end_array();
        j.end_object();
    }
    j.end_array();

    j.key("scenarios");
    j.begin_array();
    for (const auto& s : run.scenarios) {
        j.begin_object();
        j.key("id");
        j.string(s.id);
        j.key("title");
        j.string(s.title);
        j.key("requires");
        j.begin_array();
        for (const auto& id : s.requires_ids)
            j.string(id);
        j.end_array();
        j.key("cells");
        j.begin_array();
        for (const auto& c : s.cells)
            write_cell(j, c);
        j.end_array();
        j.end_object();
    }
    j.end_array();
    j.end_object();
    std::string text = j.take();
    text += '\n';
    return text;
}

} // namespace reports

void write_results_json(const run_result& run, std::ostream& out) {
    out << reports::results_json_text(run, true);
}

} // namespace hubspec::harness
