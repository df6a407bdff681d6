// The handles hub code holds: each forwards to its connection, if it still lives.
#include "hubspec/server/hub_context.hpp"

#include "hub_connection.hpp"
#include "log.hpp"

#include "hubspec/protocol/detail/helpers.hpp"
#include "hubspec/protocol/negotiate.hpp"
#include "hubspec/protocol/texts.hpp"

#include <algorithm>

namespace hubspec::server {

namespace p = hubspec::protocol;

// ---- deferred_result ----------------------------------------------------

void deferred_result::complete(value result) const {
    if (!pending_) return;
    if (auto c = pending_->connection.lock()) {
        c->dispatcher().finish_invocation(*pending_, p::completion_message::with_result({}, std::move(result)));
    }
}

void deferred_result::fail(std::string hub_error_message) const {
    if (!pending_) return;
    if (auto c = pending_->connection.lock()) {
        std::string text =
            p::texts::unexpected_error_invoking(pending_->method) + " HubException: " + hub_error_message;
        text = c->hooks().completion_error("ERR-002", std::move(text)); // ERR-004
        c->dispatcher().finish_invocation(*pending_, p::completion_message::with_error({}, std::move(text)));
    }
}

void deferred_result::fail(std::exception_ptr error) const {
    if (!pending_) return;
    if (auto c = pending_->connection.lock()) {
        std::string text = c->hooks().completion_error(
            "ERR-002", c->dispatcher().error_text(p::texts::unexpected_error_invoking(pending_->method), error));
        c->dispatcher().finish_invocation(*pending_, p::completion_message::with_error({}, std::move(text)));
    }
}

// ---- stream_writer --------------------------------------------------------

bool stream_writer::write(value item) const {
    if (!state_ || state_->done) return false;
    auto c = state_->connection.lock();
    if (!c || c->closed()) return false;
    c->send_message(p::stream_item_message{{}, state_->invocation_id, std::move(item)});
    return true;
}

void stream_writer::complete() const {
    if (!state_) return;
    if (auto c = state_->connection.lock()) c->dispatcher().finish_stream(*state_, std::nullopt);
}

void stream_writer::fail(std::exception_ptr error) const {
    if (!state_) return;
    if (auto c = state_->connection.lock())
        c->dispatcher().finish_stream(
            *state_,
            c->hooks().completion_error("MSG-101", c->dispatcher().error_text(p::texts::error_while_streaming, error)));
}

void stream_writer::on_cancel(std::function<void()> callback) const {
    if (!state_ || state_->done) return;
    state_->on_cancel.push_back(std::move(callback));
}

bool stream_writer::done() const {
    return !state_ || state_->done;
}

// ---- upload_stream ----------------------------------------------------------

void upload_stream::on_item(std::function<void(const value&)> callback) const {
    if (!state_) return;
    state_->on_item = std::move(callback);
    auto backlog = std::move(state_->backlog);
    state_->backlog.clear();
    for (const auto& item : backlog) {
        if (!state_->on_item) break;
        auto on = state_->on_item;
        detail::guarded("upload on_item", [&] { on(item); });
    }
}

void upload_stream::on_end(std::function<void(std::optional<std::string>)> callback) const {
    if (!state_) return;
    state_->on_end = std::move(callback);
    if (state_->ended && !state_->end_delivered && state_->backlog.empty()) {
        state_->end_delivered = true;
        auto on = state_->on_end;
        detail::guarded("upload on_end", [&] { on(state_->end_error); });
    }
}

// ---- clients and groups -------------------------------------------------------

client_proxy::client_proxy(std::shared_ptr<detail::hub_lifetime> lifetime, target_kind kind, std::string name,
                           std::string excluded_connection)
    : lifetime_(std::move(lifetime)), kind_(kind), name_(std::move(name)), excluded_(std::move(excluded_connection)) {}

void client_proxy::send(std::string_view method, value_list arguments) const {
    lifetime_->send(kind_, name_, excluded_, method, std::move(arguments));
}

void client_proxy::invoke(std::string_view method, value_list arguments,
                          std::function<void(client_result)> on_result) const {
    if (kind_ != target_kind::connection) {
        on_result({std::nullopt, "Client results need a single connection (CR-001)."});
        return;
    }
    lifetime_->invoke(name_, method, std::move(arguments), std::move(on_result));
}

using kind = client_proxy::target_kind;

client_proxy hub_clients::all() const {
    return {lifetime_, kind::all, {}, {}};
}
client_proxy hub_clients::caller() const {
    return {lifetime_, kind::connection, caller_, {}};
}
client_proxy hub_clients::others() const {
    return {lifetime_, kind::all_except, {}, caller_};
}
client_proxy hub_clients::client(std::string id) const {
    return {lifetime_, kind::connection, std::move(id), {}};
}
client_proxy hub_clients::group(std::string name) const {
    return {lifetime_, kind::group, std::move(name), {}};
}
client_proxy hub_clients::others_in_group(std::string name) const {
    return {lifetime_, kind::group_except, std::move(name), caller_};
}
client_proxy hub_clients::user(std::string user) const {
    return {lifetime_, kind::user, std::move(user), {}};
}

void hub_groups::add(const std::string& connection_id, const std::string& group,
                     std::function<void(std::optional<std::string>)> done) const {
    lifetime_->add_to_group(connection_id, group, std::move(done));
}
void hub_groups::remove(const std::string& connection_id, const std::string& group,
                        std::function<void(std::optional<std::string>)> done) const {
    lifetime_->remove_from_group(connection_id, group, std::move(done));
}

// ---- the caller -------------------------------------------------------------

const std::string& caller_context::connection_id() const {
    return connection_->identity().connection_id;
}
const std::optional<std::string>& caller_context::user_identifier() const {
    return connection_->identity().user_identifier;
}
std::string_view caller_context::transport_name() const {
    return p::transport_name(connection_->identity().transport);
}

std::optional<std::string> caller_context::header(std::string_view name) const {
    for (const auto& [key, v] : connection_->identity().headers) {
        if (p::detail::iequals(key, name)) return v;
    }
    return std::nullopt;
}

std::map<std::string, std::any, std::less<>>& caller_context::items() const {
    return connection_->items();
}
void caller_context::abort() const {
    connection_->abort();
}

// ---- hub_call -------------------------------------------------------------------

hub_call::hub_call(std::shared_ptr<detail::hub_connection> connection,
                   std::shared_ptr<detail::pending_invocation> pending)
    : connection_(std::move(connection)), pending_(std::move(pending)) {}

caller_context hub_call::context() const {
    return caller_context(connection_);
}
hub_clients hub_call::clients() const {
    return {connection_->lifetime(), connection_->identity().connection_id};
}
hub_groups hub_call::groups() const {
    return hub_groups(connection_->lifetime());
}

timer_handle hub_call::after(std::chrono::milliseconds delay, std::function<void()> callback) const {
    return connection_->lifetime()->timers().after(delay, std::move(callback));
}

deferred_result hub_call::defer() {
    if (!pending_) throw std::logic_error("hub_call::defer() is only for invocations");
    deferred_ = true;
    return deferred_result(pending_);
}

} // namespace hubspec::server
