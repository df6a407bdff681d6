#include "engine/observed_server.hpp"

#include "hubspec/harness/message_json.hpp"

#include <hubspec/protocol/handshake_reader.hpp>
#include <hubspec/protocol/json_value.hpp>
#include <hubspec/protocol/message_reader.hpp>
#include <hubspec/protocol/url.hpp>
#include <hubspec/server/conformance_hub.hpp>
#include <hubspec/server/server.hpp>

namespace hubspec::harness::detail {

namespace p = hubspec::protocol;

namespace {

/// What a request does on a hub endpoint (TransportProtocols.md), from its method, path and headers.
std::string kind_of(const server::tapped_request& r, std::string_view path) {
    if (path.ends_with("/negotiate")) return "negotiate";
    if (r.method == "GET" && r.websocket_upgrade) return "websocket";
    if (r.method == "GET" && r.accept.find("text/event-stream") != std::string::npos) return "sse";
    if (r.method == "GET") return "poll";
    if (r.method == "POST") return "send";
    if (r.method == "DELETE") return "delete";
    return "other";
}

p::value view_of(std::string_view json_line) {
    auto parsed = p::parse_json_value(json_line);
    if (!parsed) return p::value{std::string(json_line)};
    auto view = value_from_json(*parsed);
    return view ? std::move(*view) : std::move(*parsed);
}

/// The index of the first of `items` from `from` on that `accept` takes, waiting on `changed`
/// (under `lock`) for more until `deadline`.
template <class Item>
std::optional<std::size_t> first_accepted(std::unique_lock<std::mutex>& lock, std::condition_variable& changed,
                                          const std::vector<Item>& items, std::size_t from,
                                          const std::function<bool(const Item&)>& accept,
                                          std::chrono::steady_clock::time_point deadline) {
    for (;;) {
        for (auto i = from; i < items.size(); ++i)
            if (accept(items[i])) return i;
        from = items.size();
        if (changed.wait_until(lock, deadline) == std::cv_status::timeout && items.size() == from) return std::nullopt;
    }
}

} // namespace

std::string observed_request::describe() const {
    return method + " " + target + " (" + kind + (id_kind.empty() ? "" : ", id is " + id_kind) + ")";
}

/// One connection's incoming bytes: the handshake request first, then hub messages.
struct observed_server::decoder {
    std::string pending; // before the handshake's RS
    std::optional<p::message_reader> reader;
    bool broken = false;
};

observed_server::observed_server(const protocol::target_settings& timings, server::violation_set violations,
                                 std::function<void(const std::string&)> note)
    : note_(std::move(note)) {
    server::server_options options;
    server::apply_target_settings(timings, options);
    options.hub.enable_detailed_errors = true;
    options.log_to_stderr = false;
    options.violations = violations;
    options.tap.on_request = [this](const server::tapped_request& r) {
        observed_request seen;
        seen.at = std::chrono::steady_clock::now();
        seen.method = r.method;
        seen.target = r.target;
        seen.authorization = r.authorization;
        const auto question = r.target.find('?');
        const std::string_view path = std::string_view(r.target).substr(0, question);
        seen.kind = kind_of(r, path);
        seen.hub_path = std::string(seen.kind == "negotiate" ? path.substr(0, path.size() - 10) : path);
        if (question != std::string::npos)
            for (auto& [key, value] : p::parse_query(std::string_view(r.target).substr(question + 1)))
                seen.query.emplace(key, value);
        if (auto it = seen.query.find("id"); it != seen.query.end()) seen.id = it->second;
        if (!seen.id.empty()) {
            seen.id_kind = "unknown";
            for (const auto& [id, token] : token_of_id_) {
                if (seen.id == token)
                    seen.id_kind = "token";
                else if (seen.id == id)
                    seen.id_kind = "connection id";
            }
        }
        on_request(std::move(seen));
    };
    options.tap.on_negotiated = [this](std::string_view id, std::string_view token) {
        token_of_id_.emplace(std::string(id), std::string(token));
    };
    options.tap.on_received = [this](std::string_view id, std::string_view bytes) { on_bytes(id, bytes); };
    server_ = std::make_unique<server::server>(options);
    server::add_contract_endpoints(*server_);
    // The contract's hub without stateful reconnect: where a drop must lead to an automatic reconnect (RC-*).
    server_->add_hub_alias("/conformance-plain", "/conformance", server::endpoint_options{});
    const auto port = server_->listen("127.0.0.1", 0);
    origin_ = "http://127.0.0.1:" + std::to_string(port);
    thread_ = std::thread([this] { server_->run(); });
}

observed_server::~observed_server() {
    server_->stop();
    if (thread_.joinable()) thread_.join();
}

server::server_control& observed_server::control() {
    return server_->control();
}

void observed_server::on_request(observed_request r) {
    if (note_) note_("client request: " + r.describe());
    std::lock_guard lock(mutex_);
    r.seq = ++seq_;
    requests_.push_back(std::move(r));
    changed_.notify_all();
}

void observed_server::on_bytes(std::string_view connection_id, std::string_view bytes) {
    auto it = decoders_.find(connection_id);
    if (it == decoders_.end()) it = decoders_.emplace(std::string(connection_id), std::make_unique<decoder>()).first;
    auto& d = *it->second;
    if (d.broken) return;
    std::vector<observed_message> decoded;
    auto fail = [&](std::string why) {
        d.broken = true;
        if (note_) note_("client bytes on " + std::string(connection_id) + " unreadable: " + why);
        std::lock_guard lock(mutex_);
        unreadable_.push_back(std::string(connection_id) + ": " + why);
    };
    auto add = [&](std::string text) {
        observed_message m;
        m.connection_id = connection_id;
        m.view = view_of(text);
        m.text = std::move(text);
        decoded.push_back(std::move(m));
    };
    if (!d.reader) {
        d.pending.append(bytes);
        auto read = p::read_handshake_request(d.pending, 64 * 1024);
        if (!read) {
            if (read.error().code == p::error::need_more) return;
            return fail("handshake request: " + read.error().to_string());
        }
        std::string text = "{\"type\":\"Handshake\",\"protocol\":";
        p::write_json_string(read->request.protocol, text);
        text += ",\"version\":" + std::to_string(read->request.version) + "}";
        add(std::move(text));
        const auto* protocol = p::find_protocol(read->request.protocol);
        if (!protocol) return fail("handshake names an unknown protocol '" + read->request.protocol + "'");
        d.reader.emplace(*protocol);
        d.reader->feed(std::string_view(d.pending).substr(read->consumed));
        d.pending.clear();
    } else {
        d.reader->feed(bytes);
    }
    for (;;) {
        auto message = d.reader->next();
        if (!message) {
            if (message.error().code != p::error::need_more) fail(message.error().to_string());
            break;
        }
        add(message_to_json(*message));
    }
    if (decoded.empty()) return;
    for (const auto& m : decoded)
        if (note_) note_("client message on " + m.connection_id + ": " + m.text);
    std::lock_guard lock(mutex_);
    for (auto& m : decoded) {
        m.seq = ++seq_;
        messages_.push_back(std::move(m));
    }
    changed_.notify_all();
}

std::optional<std::size_t> observed_server::wait_request(std::size_t from,
                                                         const std::function<bool(const observed_request&)>& accept,
                                                         clock::time_point deadline) {
    std::unique_lock lock(mutex_);
    return first_accepted(lock, changed_, requests_, from, accept, deadline);
}

std::optional<std::size_t> observed_server::wait_message(std::size_t from,
                                                         const std::function<bool(const observed_message&)>& accept,
                                                         clock::time_point deadline) {
    std::unique_lock lock(mutex_);
    return first_accepted(lock, changed_, messages_, from, accept, deadline);
}

std::vector<observed_request> observed_server::requests() const {
    std::lock_guard lock(mutex_);
    return requests_;
}

std::vector<observed_message> observed_server::messages() const {
    std::lock_guard lock(mutex_);
    return messages_;
}

std::vector<std::string> observed_server::unreadable() const {
    std::lock_guard lock(mutex_);
    return unreadable_;
}

} // namespace hubspec::harness::detail
