#include "hubspec/client/hub_connection.hpp"

#include "connection/connection_core.hpp"
#include "connection/dispatcher.hpp"
#include "connection/stream_queue.hpp"

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>

#include <thread>

namespace hubspec::client {

namespace detail {

// The threads a connection owns: its io thread and its dispatcher. Declared so
// that the io_context goes last: its queued handlers still hold the core.
struct connection_runtime {
    boost::asio::io_context io{1};
    boost::asio::executor_work_guard<boost::asio::io_context::executor_type> work{io.get_executor()};
    dispatcher user_thread;
    std::thread io_thread;
};

} // namespace detail

namespace {
std::vector<std::shared_ptr<detail::upload_state>> states_of(const std::vector<upload_stream>& streams) {
    std::vector<std::shared_ptr<detail::upload_state>> out;
    out.reserve(streams.size());
    for (const auto& s : streams)
        out.push_back(s.state());
    return out;
}
} // namespace

hub_connection::hub_connection(connection_options options) : runtime_(std::make_unique<detail::connection_runtime>()) {
    core_ = std::make_shared<detail::connection_core>(runtime_->io, runtime_->user_thread, std::move(options));
    runtime_->io_thread = std::thread([rt = runtime_.get()] { rt->io.run(); });
}

hub_connection::~hub_connection() {
    if (!runtime_) return; // moved from
    core_->shutdown();
    runtime_->work.reset();
    runtime_->io.stop();
    if (runtime_->io_thread.joinable()) runtime_->io_thread.join();
    core_.reset();
    runtime_->user_thread.shutdown();
}

hub_connection::hub_connection(hub_connection&&) noexcept = default;
hub_connection& hub_connection::operator=(hub_connection&& other) noexcept {
    if (this != &other) {
        hub_connection dying(std::move(*this));
        runtime_ = std::move(other.runtime_);
        core_ = std::move(other.core_);
    }
    return *this;
}

std::future<void> hub_connection::start() {
    auto promise = std::make_shared<std::promise<void>>();
    auto future = promise->get_future();
    start_async([promise](std::exception_ptr e) {
        if (e)
            promise->set_exception(e);
        else
            promise->set_value();
    });
    return future;
}

std::future<void> hub_connection::stop() {
    auto promise = std::make_shared<std::promise<void>>();
    auto future = promise->get_future();
    stop_async([promise] { promise->set_value(); });
    return future;
}

void hub_connection::start_async(std::function<void(std::exception_ptr)> done) {
    core_->start(std::move(done));
}

void hub_connection::stop_async(std::function<void()> done) {
    // Through the dispatcher, so on_close and every earlier callback have run first.
    core_->stop([ut = &runtime_->user_thread, done = std::move(done)] { ut->post(done); });
}

connection_state hub_connection::state() const {
    return core_->state();
}

std::optional<std::string> hub_connection::connection_id() const {
    return core_->connection_id();
}

std::future<value> hub_connection::invoke(std::string method, arguments args, std::vector<upload_stream> streams) {
    return invoke_as<value>(std::move(method), std::move(args), std::move(streams));
}

void hub_connection::invoke_async(std::string method, arguments args, std::vector<upload_stream> streams,
                                  std::function<void(std::exception_ptr, value)> done) {
    core_->calls().invoke(std::move(method), std::move(args), states_of(streams), std::move(done));
}

std::future<void> hub_connection::send(std::string method, arguments args, std::vector<upload_stream> streams) {
    auto promise = std::make_shared<std::promise<void>>();
    auto future = promise->get_future();
    send_async(std::move(method), std::move(args), std::move(streams), [promise](std::exception_ptr e) {
        if (e)
            promise->set_exception(e);
        else
            promise->set_value();
    });
    return future;
}

void hub_connection::send_async(std::string method, arguments args, std::vector<upload_stream> streams,
                                std::function<void(std::exception_ptr)> done) {
    core_->calls().send(std::move(method), std::move(args), states_of(streams), std::move(done));
}

stream_reader hub_connection::stream(std::string method, arguments args, std::vector<upload_stream> streams) {
    auto queue = std::make_shared<detail::stream_queue>();
    auto subscription = stream_async(
        std::move(method), std::move(args), std::move(streams), [queue](const value& item) { queue->push(item); },
        [queue](std::exception_ptr e) { queue->finish(e); });
    return stream_reader(std::move(queue), std::move(subscription));
}

stream_subscription hub_connection::stream_async(std::string method, arguments args, std::vector<upload_stream> streams,
                                                 std::function<void(const value&)> on_item,
                                                 std::function<void(std::exception_ptr)> on_complete) {
    return stream_subscription(core_->calls().stream(std::move(method), std::move(args), states_of(streams),
                                                     std::move(on_item), std::move(on_complete)));
}

hub_connection::handler_id hub_connection::on_raw(std::string_view method,
                                                  std::function<std::optional<value>(const arguments&)> handler) {
    return core_->handlers().add(method, std::move(handler));
}

void hub_connection::off(std::string_view method) {
    core_->handlers().remove(method);
}

void hub_connection::off(std::string_view method, handler_id id) {
    core_->handlers().remove(method, id);
}

void hub_connection::on_reconnecting(std::function<void(const std::optional<std::string>&)> callback) {
    core_->set_on_reconnecting(std::move(callback));
}
void hub_connection::on_reconnected(std::function<void(const std::optional<std::string>&)> callback) {
    core_->set_on_reconnected(std::move(callback));
}
void hub_connection::on_close(std::function<void(const std::optional<std::string>&)> callback) {
    core_->set_on_close(std::move(callback));
}

} // namespace hubspec::client
