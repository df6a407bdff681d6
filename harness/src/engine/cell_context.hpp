#pragma once
// Everything one cell's steps share: the target, the cell, the transcript, the
// variables captured so far and the named connections. One thread runs a cell.

#include "engine/client_actor.hpp"
#include "engine/raw_actor.hpp"
#include "engine/target.hpp"

#include "hubspec/harness/scenario.hpp"
#include "hubspec/reports/transcript.hpp"

#include <hubspec/protocol/value.hpp>

#include <future>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>

namespace hubspec::harness::detail {

class fault_proxy;
struct client_under_test;

class cell_context {
public:
    cell_context(target& t, const scenario& sc, cell where, transcript& log);
    ~cell_context();

    target& tgt;
    const scenario& sc;
    const cell where;
    transcript& log;
    std::map<std::string, protocol::value> variables;
    /// Invocations started with `invoke … async: NAME`, awaited by `await`.
    struct pending_invocation {
        std::string method;
        std::future<protocol::value> result;
    };
    std::map<std::string, pending_invocation> pending;

    /// `{name}` substitution in every string of `v` (scenarios/README.md).
    protocol::value resolve(const protocol::value& v) const;
    std::string resolve_text(std::string_view text) const;

    client_actor& client(const std::string& name);
    void add_client(const std::string& name, std::unique_ptr<client_actor> actor);
    raw_actor& raw(const std::string& name);
    /// The first wire defect any raw connection of the cell saw (raw_actor.hpp).
    std::optional<wire_defect> wire_defect_seen() const;
    void add_raw(const std::string& name, std::unique_ptr<raw_actor> actor);

    /// This cell's fault-injecting proxy in front of the target, started on first use.
    fault_proxy& proxy();
    /// `url` with the target's origin replaced by the proxy's.
    std::string through_proxy(const std::string& url);

    /// The client under test of this cell (hubspec run --client), its server started on first use.
    client_under_test& cut();

    /// Client methods the scenario expects anywhere (handlers are registered at connect).
    const std::set<std::string>& watched_methods() const { return watched_; }

private:
    std::optional<protocol::value> lookup(std::string_view name) const;

    std::set<std::string> watched_;
    std::string marker_; // `{cell}`
    std::unique_ptr<client_under_test> cut_;
    std::unique_ptr<fault_proxy> proxy_; // declared first: it outlives the connections through it
    std::map<std::string, std::unique_ptr<client_actor>> clients_;
    std::map<std::string, std::unique_ptr<raw_actor>> raws_;
    std::optional<wire_defect> replaced_defect_; // seen by a raw connection a later one of its name replaced
};

/// A step's parameters, resolved on access; getters throw script_error naming the step.
class step_params {
public:
    step_params(const step& s, cell_context& ctx);

    bool has(std::string_view key) const;
    std::optional<protocol::value> get(std::string_view key) const;
    std::string text(std::string_view key, std::string fallback) const;
    std::string required_text(std::string_view key) const;
    std::int64_t integer(std::string_view key, std::int64_t fallback) const;
    bool boolean(std::string_view key, bool fallback) const;
    protocol::array list(std::string_view key) const; // empty when absent
    std::string actor() const { return text("as", "a"); }

    /// "invoke (scenarios/basic.yaml:12)"
    std::string describe() const;

private:
    const step& step_;
    cell_context& ctx_;
};

/// A timing of the target by its script name (`keepalive_ms`, `client_timeout_ms`, …), as `{name}` reads it.
std::optional<std::chrono::milliseconds> timing_named(std::string_view name, const protocol::target_settings& timings);

} // namespace hubspec::harness::detail
