// The scenario engine for Python: scenarios (loaded from YAML text, files or a
// directory), the requirement catalogue, run_scenarios, and the run's result with
// the report writers and requirement coverage.

#include "bindings.hpp"

#include <hubspec/harness/contract.hpp>
#include <hubspec/harness/coverage.hpp>
#include <hubspec/harness/runner.hpp>
#include <hubspec/harness/scenario_loader.hpp>
#include <hubspec/protocol/target_settings.hpp>
#include <hubspec/reports/expectations.hpp>
#include <hubspec/reports/writers.hpp>

#include <pybind11/stl.h>
#include <pybind11/stl/filesystem.h>

#include <mutex>
#include <sstream>

// Scenario lists stay C++ objects in Python (hubspec.Scenarios wraps one), never copied into lists.
PYBIND11_MAKE_OPAQUE(std::vector<hubspec::harness::scenario>)

namespace hubspec::python {
namespace {

using scenario_list = std::vector<harness::scenario>;

/// Loader and catalogue errors name file:line: they become hubspec.ScenarioError.
template <class F>
auto loading(F&& load) {
    try {
        return load();
    } catch (const py::error_already_set&) {
        throw;
    } catch (const std::exception& e) {
        throw python_error("ScenarioError", e.what());
    }
}

py::list string_list(const std::vector<std::string>& items) {
    py::list out;
    for (const auto& s : items)
        out.append(s);
    return out;
}

py::dict scenario_info(const harness::scenario& sc) {
    py::dict d;
    d["id"] = sc.id;
    d["title"] = sc.title;
    d["requires"] = string_list(sc.requires_ids);
    d["methods"] = string_list(sc.methods);
    d["endpoints"] = string_list(sc.endpoints);
    py::list transports, protocols;
    for (auto t : sc.transports)
        transports.append(std::string(protocol::transport_option_name(t)));
    for (auto p : sc.protocols)
        protocols.append(std::string(harness::to_string(p)));
    d["transports"] = transports;
    d["protocols"] = protocols;
    d["once"] = sc.once;
    d["steps"] = sc.steps.size();
    d["where"] = sc.where.to_string();
    return d;
}

py::dict requirement_info(const harness::requirement& r) {
    py::dict d;
    d["id"] = r.id;
    d["level"] = std::string(harness::to_string(r.level));
    d["side"] = std::string(harness::to_string(r.side));
    d["text"] = r.text;
    d["diff"] = r.diff;
    d["untestable"] = r.untestable ? py::object(py::str(*r.untestable)) : py::object(py::none());
    return d;
}

py::object cell_transport(const harness::cell_result& c) {
    return c.once ? py::object(py::none())
                  : py::object(py::str(std::string(protocol::transport_option_name(c.where.transport))));
}
py::object cell_protocol(const harness::cell_result& c) {
    return c.once ? py::object(py::none()) : py::object(py::str(std::string(harness::to_string(c.where.protocol))));
}

py::list cells(const harness::run_result& run) {
    py::list out;
    for (std::size_t s = 0; s < run.scenarios.size(); ++s) {
        const auto& sc = run.scenarios[s];
        for (std::size_t i = 0; i < sc.cells.size(); ++i) {
            const auto& c = sc.cells[i];
            py::dict d;
            d["scenario"] = sc.id;
            d["title"] = sc.title;
            d["requires"] = string_list(sc.requires_ids);
            d["transport"] = cell_transport(c);
            d["protocol"] = cell_protocol(c);
            d["label"] = harness::cell_label(c.where, c.once);
            d["outcome"] = std::string(harness::to_string(c.result));
            d["reason"] = c.reason;
            d["duration_ms"] = c.duration.count();
            d["fails_run"] = harness::fails_run(c, run.strict);
            d["expected_outcome"] = c.expected_outcome
                                        ? py::object(py::str(std::string(harness::to_string(*c.expected_outcome))))
                                        : py::object(py::none());
            d["expected_reason"] = c.expected_reason;
            if (c.failed) {
                py::dict f;
                f["step_index"] = c.failed->step_index;
                f["step"] = c.failed->step;
                f["expected"] = c.failed->expected;
                f["seen"] = c.failed->seen;
                f["requirement"] = c.failed->requirement_id;
                f["requirement_text"] = c.failed->requirement_text;
                d["failure"] = f;
            } else {
                d["failure"] = py::none();
            }
            d["index"] = py::make_tuple(s, i);
            out.append(d);
        }
    }
    return out;
}

py::list transcript(const harness::run_result& run, std::size_t scenario_index, std::size_t cell_index) {
    if (scenario_index >= run.scenarios.size() || cell_index >= run.scenarios[scenario_index].cells.size())
        throw py::index_error("no such cell");
    py::list out;
    for (const auto& e : run.scenarios[scenario_index].cells[cell_index].transcript) {
        py::dict d;
        d["at_ms"] = e.at.count();
        d["direction"] = std::string(harness::to_string(e.direction));
        d["actor"] = e.actor;
        d["kind"] = e.kind;
        d["text"] = e.text;
        d["bytes"] = py::bytes(e.bytes);
        out.append(d);
    }
    return out;
}

template <class Writer>
std::string write_text(const harness::run_result& run, Writer writer) {
    std::ostringstream out;
    writer(run, out);
    return out.str();
}

py::dict coverage(const harness::requirement_catalogue& catalogue, const scenario_list& scenarios) {
    const auto report = harness::compute_coverage(catalogue, scenarios);
    py::dict d;
    py::dict by_requirement;
    for (const auto& [id, ids] : report.scenarios_by_requirement)
        by_requirement[py::str(id)] = string_list(ids);
    d["scenarios_by_requirement"] = by_requirement;
    d["missing"] = string_list(report.missing);
    d["covered_but_untestable"] = string_list(report.covered_but_untestable);
    py::list unknown;
    for (const auto& u : report.unknown_references)
        unknown.append(py::make_tuple(u.requirement_id, u.scenario_id, u.where.to_string()));
    d["unknown_references"] = unknown;
    d["complete"] = harness::coverage_complete(report);
    std::ostringstream text;
    harness::print_coverage(text, catalogue, report);
    d["text"] = text.str();
    return d;
}

harness::run_result
run(const scenario_list& scenarios, const harness::requirement_catalogue& catalogue, const std::string& target_url,
    const std::map<std::string, std::string>& endpoints, const std::vector<std::string>& transports,
    const std::vector<std::string>& protocols, const std::string& filter, bool strict, std::size_t parallel,
    const std::map<std::string, long>& timings, py::object on_cell, std::optional<std::string> expect_file,
    const std::map<std::string, std::string>& methods, const std::vector<std::pair<std::string, std::string>>& headers,
    const std::string& access_token, const std::string& access_token_command, const std::string& ca_file, bool insecure,
    const std::vector<std::string>& nodes, const std::string& client_command, int client_negotiate_version) {
    harness::run_options options;
    options.client_command = client_command;
    if (client_negotiate_version != 0 && client_negotiate_version != 1)
        throw py::value_error("client_negotiate_version must be 0 or 1, not " +
                              std::to_string(client_negotiate_version));
    options.client_negotiate_version = client_negotiate_version;
    options.nodes = nodes;
    options.headers = headers;
    options.tls.ca_file = ca_file;
    options.tls.insecure = insecure;
    options.access_token = access_token;
    options.access_token_command = access_token_command;
    options.target_url = target_url;
    options.endpoints = endpoints;
    for (const auto& t : transports) {
        auto parsed = protocol::parse_transport_option(t);
        if (!parsed) throw py::value_error("unknown transport `" + t + "` (websockets, serversentevents, longpolling)");
        options.transports.push_back(*parsed);
    }
    for (const auto& p : protocols) {
        auto parsed = harness::parse_protocol_name(p);
        if (!parsed) throw py::value_error("unknown protocol `" + p + "` (json, messagepack)");
        options.protocols.push_back(*parsed);
    }
    options.filter = filter;
    options.strict = strict;
    options.parallel = parallel;
    for (const auto& [name, v] : timings) {
        const auto* row = protocol::find_target_setting(name);
        if (!row || !row->in_python) throw py::value_error("unknown timing `" + name + "`");
        row->set(options.timings, v);
    }
    for (const auto& [role, method] : methods)
        if (auto problem = harness::add_method_role(options.method_roles, role + "=" + method))
            throw py::value_error(*problem);
    std::optional<harness::expectations> expected;
    if (expect_file) expected = loading([&] { return harness::expectations::load_file(*expect_file); });

    // Progress callbacks come from the runner's threads; the first exception one raises ends up here.
    std::mutex callback_mutex;
    std::optional<py::error_already_set> callback_error;
    if (!on_cell.is_none()) {
        options.on_cell = [&](const harness::scenario_result& sc, const harness::cell_result& c) {
            py::gil_scoped_acquire gil;
            std::lock_guard lock(callback_mutex);
            if (callback_error) return;
            try {
                on_cell(sc.id, cell_transport(c), cell_protocol(c), std::string(harness::to_string(c.result)),
                        c.reason);
            } catch (py::error_already_set& e) {
                callback_error = std::move(e);
            }
        };
    }
    harness::run_result result;
    try {
        py::gil_scoped_release release;
        result = harness::run_scenarios(scenarios, catalogue, options);
    } catch (const harness::unreachable_target& e) {
        throw python_error("TargetUnreachable", e.what());
    } catch (const harness::unauthorized_target& e) {
        throw python_error("TargetUnauthorized", e.what());
    }
    if (callback_error) throw std::move(*callback_error);
    if (expected) expected->apply(result);
    return result;
}

} // namespace

void bind_harness(py::module_& m) {
    m.attr("version") = HUBSPEC_VERSION;
    m.attr("scenarios_dir") = HUBSPEC_SCENARIOS_DIR;    // the source tree's, as the CLI's default
    m.attr("client_agent_path") = HUBSPEC_CLIENT_AGENT; // the build's hubspec-client-agent

    py::class_<scenario_list>(m, "_Scenarios", "Loaded scenarios, as the engine runs them.")
        .def(py::init<>())
        .def("__len__", [](const scenario_list& s) { return s.size(); })
        .def("extend", [](scenario_list& s, const scenario_list& more) { s.insert(s.end(), more.begin(), more.end()); })
        .def("ids",
             [](const scenario_list& s) {
                 py::list ids;
                 for (const auto& sc : s)
                     ids.append(sc.id);
                 return ids;
             })
        .def("info",
             [](const scenario_list& s) {
                 py::list out;
                 for (const auto& sc : s)
                     out.append(scenario_info(sc));
                 return out;
             })
        .def("select", [](const scenario_list& s, const std::string& glob) {
            scenario_list out;
            for (const auto& sc : s)
                if (harness::glob_match(glob, sc.id)) out.push_back(sc);
            return out;
        });

    m.def("load_text", [](const std::string& text, const std::string& name) {
        return loading([&] { return harness::load_scenarios_text(text, name, harness::is_known_step); });
    });
    m.def("load_file", [](const std::filesystem::path& file) {
        return loading([&] { return harness::load_scenarios_file(file, harness::is_known_step); });
    });
    m.def("load_directory", [](const std::filesystem::path& dir) {
        return loading([&] { return harness::load_scenarios_directory(dir, harness::is_known_step); });
    });

    py::class_<harness::requirement_catalogue>(m, "_Catalogue")
        .def_static("load_file",
                    [](const std::string& path) {
                        return loading([&] { return harness::requirement_catalogue::load_file(path); });
                    })
        .def("find",
             [](const harness::requirement_catalogue& c, const std::string& id) -> py::object {
                 const auto* r = c.find(id);
                 return r ? py::object(requirement_info(*r)) : py::object(py::none());
             })
        .def("all", [](const harness::requirement_catalogue& c) {
            py::list out;
            for (const auto& r : c.all())
                out.append(requirement_info(r));
            return out;
        });

    m.def("coverage", &coverage);

    py::class_<harness::run_result>(m, "_RunResult")
        .def("cells", &cells)
        .def("transcript", &transcript)
        .def("to_json", [](const harness::run_result& r) { return write_text(r, harness::write_results_json); })
        .def("index_html", [](const harness::run_result& r) { return write_text(r, harness::write_index_html); })
        .def("summary_markdown",
             [](const harness::run_result& r) { return write_text(r, harness::write_summary_markdown); })
        .def("junit_xml", [](const harness::run_result& r) { return write_text(r, harness::write_junit_xml); })
        .def("write",
             [](const harness::run_result& r, const std::filesystem::path& dir) { harness::write_reports(r, dir); })
        .def("totals",
             [](const harness::run_result& r) {
                 const auto t = r.count();
                 py::dict d;
                 d["pass"] = t.pass;
                 d["fail"] = t.fail;
                 d["non-strict"] = t.non_strict;
                 d["skip"] = t.skip;
                 d["error"] = t.error;
                 return d;
             })
        .def("failing_cells", &harness::run_result::failing_cells)
        .def("catalogue", [](const harness::run_result& r) { return r.catalogue; })
        .def_property_readonly("wall_time_ms", [](const harness::run_result& r) { return r.wall_time.count(); })
        .def_property_readonly("target_url", [](const harness::run_result& r) { return r.target.url; })
        .def_property_readonly("embedded", [](const harness::run_result& r) { return r.target.embedded; })
        .def_property_readonly("target_transports", [](const harness::run_result& r) { return r.target.transports; })
        .def_property_readonly("tool_version", [](const harness::run_result& r) { return r.tool_version; })
        .def_property_readonly("started_at", [](const harness::run_result& r) { return r.started_at; })
        .def_property_readonly("strict", [](const harness::run_result& r) { return r.strict; })
        .def("profile", [](const harness::run_result& r) {
            py::dict d;
            d["name"] = std::string(harness::to_string(r.profile.name));
            d["missing_methods"] = string_list(r.profile.missing_methods);
            d["missing_endpoints"] = string_list(r.profile.missing_endpoints);
            d["method_roles"] = r.profile.method_roles;
            d["note"] = r.profile.note;
            const auto c = r.coverage();
            d["requirements_checked"] = c.checked;
            d["requirements_total"] = c.total;
            d["requirements_testable"] = c.testable;
            d["summary"] = harness::profile_summary(r);
            return d;
        });

    m.def("run", &run, py::arg("scenarios"), py::arg("catalogue"), py::arg("target_url"), py::arg("endpoints"),
          py::arg("transports"), py::arg("protocols"), py::arg("filter"), py::arg("strict"), py::arg("parallel"),
          py::arg("timings"), py::arg("on_cell"), py::arg("expect_file"), py::arg("methods"), py::arg("headers"),
          py::arg("access_token"), py::arg("access_token_command"), py::arg("ca_file"), py::arg("insecure"),
          py::arg("nodes"), py::arg("client_command"), py::arg("client_negotiate_version"));

    m.def("comparison_markdown", [](const std::vector<const harness::run_result*>& runs) {
        std::vector<harness::run_result> copies;
        for (const auto* r : runs)
            copies.push_back(*r);
        std::ostringstream out;
        harness::write_comparison_markdown(copies, out);
        return out.str();
    });
    m.def("comparison_html", [](const std::vector<const harness::run_result*>& runs) {
        std::vector<harness::run_result> copies;
        for (const auto* r : runs)
            copies.push_back(*r);
        std::ostringstream out;
        harness::write_comparison_html(copies, out);
        return out.str();
    });
}

} // namespace hubspec::python
