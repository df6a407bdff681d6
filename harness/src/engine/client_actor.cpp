#include "engine/client_actor.hpp"

#include "engine/handshake_defect.hpp"
#include "engine/payload_text.hpp"

#include <hubspec/protocol/hub_protocol.hpp>

#include <algorithm>

namespace hubspec::harness::detail {
namespace {

std::string kind_name(client::trace_kind k) {
    switch (k) {
    case client::trace_kind::http_request: return "http-request";
    case client::trace_kind::http_response: return "http-response";
    case client::trace_kind::transport_open: return "transport-open";
    case client::trace_kind::transport_data: return "data";
    case client::trace_kind::transport_close: return "transport-close";
    case client::trace_kind::state: return "state";
    }
    return "event";
}

transcript_direction direction_of(client::trace_direction d) {
    switch (d) {
    case client::trace_direction::outgoing: return transcript_direction::sent;
    case client::trace_direction::incoming: return transcript_direction::received;
    case client::trace_direction::local: return transcript_direction::note;
    }
    return transcript_direction::note;
}

} // namespace

client_actor::client_actor(std::string name, client::connection_options options, transcript& log,
                           const std::set<std::string>& watched)
    : name_(std::move(name)), log_(log),
      protocol_(options.protocol == client::hub_protocol_kind::json ? &protocol::json_protocol()
                                                                    : &protocol::messagepack_protocol()) {
    options.trace = [this](const client::trace_event& e) { record(e); };
    connection_ = std::make_unique<client::hub_connection>(std::move(options));
    for (const auto& method : watched) {
        connection_->on(method, [this, method](const client::arguments& args) {
            std::lock_guard lock(mutex_);
            messages_[method].push_back({args, false});
            changed_.notify_all();
        });
    }
    connection_->on_reconnecting([this](const std::optional<std::string>&) {
        std::lock_guard lock(mutex_);
        state_events_.push_back("reconnecting");
        changed_.notify_all();
    });
    connection_->on_reconnected([this](const std::optional<std::string>&) {
        std::lock_guard lock(mutex_);
        state_events_.push_back("reconnected");
        changed_.notify_all();
    });
    connection_->on_close([this](const std::optional<std::string>& error) {
        std::lock_guard lock(mutex_);
        state_events_.push_back("closed");
        closed_ = error;
        changed_.notify_all();
    });
}

client_actor::~client_actor() {
    try {
        stop(std::chrono::milliseconds(5'000));
    } catch (...) {
        // best effort: the destructor of hub_connection stops it anyway
    }
}

void client_actor::record(const client::trace_event& e) {
    if (e.kind == client::trace_kind::transport_data && e.direction == client::trace_direction::incoming) {
        constexpr std::size_t kept = 256; // enough for any handshake response
        std::lock_guard lock(mutex_);
        if (first_received_.size() < kept) first_received_.append(e.bytes.substr(0, kept - first_received_.size()));
    }
    std::string text(e.text);
    if (e.kind == client::trace_kind::transport_data || (!e.bytes.empty() && text.empty()))
        text = describe_payload(e.bytes, *protocol_);
    else if (!e.bytes.empty())
        text += "  " + describe_payload(e.bytes, protocol::json_protocol());
    log_.add(direction_of(e.direction), name_, kind_name(e.kind), std::move(text), std::string(e.bytes));
}

std::optional<std::string> client_actor::handshake_defect() {
    std::lock_guard lock(mutex_);
    return handshake_without_separator(first_received_);
}

void client_actor::start(std::chrono::milliseconds timeout) {
    auto started = connection_->start();
    if (started.wait_for(timeout) != std::future_status::ready)
        throw std::runtime_error("the connection did not start within " + std::to_string(timeout.count()) + " ms");
    started.get();
}

void client_actor::stop(std::chrono::milliseconds timeout) {
    if (!connection_) return;
    auto stopped = connection_->stop();
    if (stopped.wait_for(timeout) == std::future_status::ready) stopped.get();
}

std::optional<client::arguments> client_actor::take_message(const std::string& method,
                                                            const std::function<bool(const client::arguments&)>& accept,
                                                            clock::time_point deadline) {
    std::unique_lock lock(mutex_);
    std::optional<client::arguments> found;
    changed_.wait_until(lock, deadline, [&] {
        for (auto& m : messages_[method]) {
            if (!m.consumed && accept(m.args)) {
                m.consumed = true;
                found = m.args;
                return true;
            }
        }
        return false;
    });
    return found;
}

std::vector<client::arguments> client_actor::take_all(const std::string& method, std::size_t count,
                                                      clock::time_point deadline) {
    std::unique_lock lock(mutex_);
    auto unconsumed = [&] {
        return static_cast<std::size_t>(std::count_if(messages_[method].begin(), messages_[method].end(),
                                                      [](const received& m) { return !m.consumed; }));
    };
    changed_.wait_until(lock, deadline, [&] { return unconsumed() >= count; });
    std::vector<client::arguments> out;
    for (auto& m : messages_[method]) {
        if (m.consumed) continue;
        m.consumed = true;
        out.push_back(m.args);
    }
    return out;
}

std::vector<client::arguments> client_actor::pending_messages(const std::string& method) {
    std::lock_guard lock(mutex_);
    std::vector<client::arguments> out;
    for (const auto& m : messages_[method])
        if (!m.consumed) out.push_back(m.args);
    return out;
}

bool client_actor::take_state_event(const std::string& event, clock::time_point deadline) {
    std::unique_lock lock(mutex_);
    return changed_.wait_until(lock, deadline, [&] {
        for (auto i = state_events_consumed_; i < state_events_.size(); ++i) {
            if (state_events_[i] == event) {
                state_events_consumed_ = i + 1;
                return true;
            }
        }
        return false;
    });
}

std::optional<std::optional<std::string>> client_actor::wait_closed(clock::time_point deadline) {
    std::unique_lock lock(mutex_);
    changed_.wait_until(lock, deadline, [&] { return closed_.has_value(); });
    return closed_;
}

} // namespace hubspec::harness::detail
