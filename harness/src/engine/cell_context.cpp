#include "engine/cell_context.hpp"

#include "engine/client_under_test.hpp"

#include "engine/raw_actor.hpp"
#include "engine/step_errors.hpp"
#include "proxy/fault_proxy.hpp"

#include <hubspec/protocol/json_value.hpp>
#include <hubspec/protocol/url.hpp>

#include <charconv>
#include <cstdio>
#include <random>

namespace hubspec::harness::detail {
namespace {

void collect_watched(const scenario& sc, std::set<std::string>& out) {
    for (const auto& s : sc.steps) {
        if (s.action != "expect_message" && s.action != "expect_no_message" && s.action != "expect_sequence") continue;
        if (const auto* method = s.params.find("method"); method && method->as_string())
            out.insert(*method->as_string());
    }
}

std::string scalar_text(const protocol::value& v) {
    if (const auto* s = v.as_string()) return *s;
    return protocol::to_json(v);
}

// `{fill:N}`: N letters x, for records of an exact size without a literal of that size in the script.
protocol::value fill_text(std::string_view count) {
    constexpr std::size_t most = 16 * 1024 * 1024;
    std::size_t n = 0;
    const auto [end, ec] = std::from_chars(count.data(), count.data() + count.size(), n);
    if (ec != std::errc{} || end != count.data() + count.size() || n > most)
        throw script_error("`{fill:" + std::string(count) + "}` needs a count from 0 to " + std::to_string(most));
    return protocol::value{std::string(n, 'x')};
}

} // namespace

cell_context::cell_context(target& t, const scenario& s, cell w, transcript& l) : tgt(t), sc(s), where(w), log(l) {
    collect_watched(sc, watched_);
    std::random_device random; // `{cell}`: tells this cell's messages from other cells' and other runs'
    char text[17];
    std::snprintf(text, sizeof text, "%08x%08x", random(), random());
    marker_ = text;
}

cell_context::~cell_context() {
    clients_.clear(); // stops each connection
    raws_.clear();
    proxy_.reset();
    cut_.reset();
}

client_under_test& cell_context::cut() {
    if (!cut_) {
        if (tgt.client_command().empty())
            throw not_applicable{"a client-side scenario: run it with hubspec run --client COMMAND"};
        cut_ = std::make_unique<client_under_test>();
        cut_->command = tgt.client_command();
        cut_->negotiate_version = tgt.client_negotiate_version();
        cut_->server =
            std::make_unique<observed_server>(tgt.timings(), server::violation_set{}, [this](std::string line) {
                log.add(transcript_direction::note, "server", "observed", std::move(line));
            });
        variables["server_origin"] = protocol::value{cut_->server->origin()}; // scripted redirects: "{server_origin}/…"
    }
    return *cut_;
}

fault_proxy& cell_context::proxy() {
    if (!proxy_) {
        const auto url = protocol::parse_http_url(tgt.hub_url());
        if (!url) throw script_error("the target URL is not http(s): " + tgt.hub_url());
        std::optional<client::tls_options> tls;
        if (url->secure()) tls = tgt.creds().tls();
        proxy_ = std::make_unique<fault_proxy>(url->host, url->port, tls, [this](std::string line) {
            log.add(transcript_direction::note, "proxy", "fault", std::move(line));
        });
    }
    return *proxy_;
}

std::string cell_context::through_proxy(const std::string& url) {
    const auto origin = origin_of(url);
    return proxy().origin() + url.substr(origin.size());
}

std::optional<std::chrono::milliseconds> timing_named(std::string_view name, const protocol::target_settings& t) {
    const auto* row = protocol::find_target_setting(name);
    if (!row || !row->duration) return std::nullopt;
    return t.*row->duration;
}

std::optional<protocol::value> cell_context::lookup(std::string_view name) const {
    const auto& t = tgt.timings();
    if (name == "hub") return protocol::value{tgt.hub_url()};
    if (name == "origin") return protocol::value{tgt.origin()};
    if (name.starts_with("url:")) return protocol::value{tgt.endpoint_url(std::string(name.substr(4)))};
    if (name.starts_with("node") && name.find(':') != std::string_view::npos) { // {node2:token}: on another node
        const auto colon = name.find(':');
        const auto number = name.substr(4, colon - 4);
        if (!number.empty() && number.find_first_not_of("0123456789") == std::string_view::npos) {
            const auto n = static_cast<std::size_t>(std::stoul(std::string(number)));
            if (n >= 1 && n <= tgt.node_count())
                return protocol::value{tgt.endpoint_url_on(n, std::string(name.substr(colon + 1)))};
        }
    }
    if (name.starts_with("fill:")) return fill_text(name.substr(5));
    if (name == "cell") return protocol::value{marker_};
    if (name == "transport") return protocol::value{protocol::transport_name(where.transport)};
    if (name == "protocol") return protocol::value{to_string(where.protocol)};
    if (auto timing = timing_named(name, t)) return protocol::value{timing->count()};
    if (const auto* row = protocol::find_target_setting(name); row && row->size) return protocol::value{t.*row->size};
    if (auto it = variables.find(std::string(name)); it != variables.end()) return it->second;
    return std::nullopt;
}

std::string cell_context::resolve_text(std::string_view text) const {
    std::string out;
    std::size_t i = 0;
    while (i < text.size()) {
        const auto open = text.find('{', i);
        if (open == std::string_view::npos) break;
        const auto close = text.find('}', open + 1);
        if (close == std::string_view::npos) break;
        const auto name = text.substr(open + 1, close - open - 1);
        out.append(text.substr(i, open - i));
        if (auto v = lookup(name)) {
            out += scalar_text(*v);
            i = close + 1;
        } else { // not a variable (JSON text, say): keep the brace, look again after it
            out += '{';
            i = open + 1;
        }
    }
    out.append(text.substr(i));
    return out;
}

protocol::value cell_context::resolve(const protocol::value& v) const {
    if (const auto* s = v.as_string()) {
        if (s->size() > 2 && s->front() == '{' && s->back() == '}' && s->find('{', 1) == std::string::npos)
            if (auto whole = lookup(std::string_view(*s).substr(1, s->size() - 2))) return *whole;
        return protocol::value{resolve_text(*s)};
    }
    if (const auto* a = v.get_if<protocol::array>()) {
        protocol::array out;
        out.reserve(a->size());
        for (const auto& item : *a)
            out.push_back(resolve(item));
        return protocol::value{std::move(out)};
    }
    if (const auto* m = v.get_if<protocol::map>()) {
        protocol::map out;
        out.reserve(m->size());
        for (const auto& e : *m)
            out.push_back({e.key, resolve(e.item)});
        return protocol::value{std::move(out)};
    }
    return v;
}

client_actor& cell_context::client(const std::string& name) {
    auto it = clients_.find(name);
    if (it == clients_.end()) throw script_error("no connection named `" + name + "` (connect it first)");
    return *it->second;
}

void cell_context::add_client(const std::string& name, std::unique_ptr<client_actor> actor) {
    clients_[name] = std::move(actor);
}

raw_actor& cell_context::raw(const std::string& name) {
    auto it = raws_.find(name);
    if (it == raws_.end()) throw script_error("no raw connection named `" + name + "` (raw_connect it first)");
    return *it->second;
}

void cell_context::add_raw(const std::string& name, std::unique_ptr<raw_actor> actor) {
    auto& slot = raws_[name];
    if (slot && !replaced_defect_) replaced_defect_ = slot->defect();
    slot = std::move(actor);
}

std::optional<wire_defect> cell_context::wire_defect_seen() const {
    if (replaced_defect_) return replaced_defect_;
    for (const auto& [name, actor] : raws_)
        if (auto d = actor->defect()) return d;
    return std::nullopt;
}

step_params::step_params(const step& s, cell_context& ctx) : step_(s), ctx_(ctx) {}

bool step_params::has(std::string_view key) const {
    return step_.params.find(key) != nullptr;
}

std::optional<protocol::value> step_params::get(std::string_view key) const {
    const auto* v = step_.params.find(key);
    if (!v) return std::nullopt;
    return ctx_.resolve(*v);
}

std::string step_params::text(std::string_view key, std::string fallback) const {
    auto v = get(key);
    if (!v || v->is_null()) return fallback;
    return scalar_text(*v);
}

std::string step_params::required_text(std::string_view key) const {
    auto v = get(key);
    if (!v || v->is_null()) throw script_error(describe() + ": needs `" + std::string(key) + "`");
    return scalar_text(*v);
}

std::int64_t step_params::integer(std::string_view key, std::int64_t fallback) const {
    auto v = get(key);
    if (!v || v->is_null()) return fallback;
    if (auto i = v->as_int64()) return *i;
    if (const auto* s = v->as_string()) {
        try {
            return std::stoll(*s);
        } catch (const std::exception&) {}
    }
    throw script_error(describe() + ": `" + std::string(key) + "` must be an integer");
}

bool step_params::boolean(std::string_view key, bool fallback) const {
    auto v = get(key);
    if (!v || v->is_null()) return fallback;
    if (const auto* b = v->get_if<bool>()) return *b;
    throw script_error(describe() + ": `" + std::string(key) + "` must be true or false");
}

protocol::array step_params::list(std::string_view key) const {
    auto v = get(key);
    if (!v || v->is_null()) return {};
    if (auto* a = v->get_if<protocol::array>()) return std::move(*a);
    throw script_error(describe() + ": `" + std::string(key) + "` must be a list");
}

std::string step_params::describe() const {
    return step_.action + " (" + step_.where.to_string() + ")";
}

} // namespace hubspec::harness::detail
