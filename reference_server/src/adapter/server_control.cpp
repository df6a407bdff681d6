// server_control: the control API's C++ face. Work on connections is posted onto
// the hub strand and awaited; the fault switches are atomics set at once.
#include "server_control_impl.hpp"

#include "hubspec/server/control.hpp"

#include <boost/asio/post.hpp>

#include <condition_variable>
#include <mutex>

namespace hubspec::server {

namespace {

/// One posted call: whoever claims it first runs it (the hub strand, or the caller
/// once the loop stopped), so a call made while run() ends never hangs.
struct posted_call {
    std::mutex mutex;
    std::condition_variable cv;
    bool claimed = false;
    bool done = false;
    std::function<void()> work;

    bool claim() {
        std::lock_guard lock(mutex);
        return !std::exchange(claimed, true);
    }
};

} // namespace

void server_control::impl::on_io(std::function<void()> work) const {
    if (hub.running_in_this_thread() || !running.load()) {
        work(); // on the hub strand already, or nobody runs it: nothing to race with
        return;
    }
    auto call = std::make_shared<posted_call>();
    call->work = std::move(work);
    boost::asio::post(hub, [call] {
        if (!call->claim()) return;
        call->work(); // no lock held: the work writes to sockets
        {
            std::lock_guard lock(call->mutex);
            call->done = true;
        }
        call->cv.notify_all();
    });
    std::unique_lock lock(call->mutex);
    while (!call->cv.wait_for(lock, std::chrono::milliseconds(100), [&] { return call->done; })) {
        if (!running.load() && !call->claimed) {
            call->claimed = true;
            lock.unlock();
            call->work();
            return;
        }
    }
}

server_control::server_control(std::unique_ptr<impl> state) : impl_(std::move(state)) {}
server_control::~server_control() = default;

std::vector<connection_info> server_control::connections(std::string_view hub_path) const {
    std::vector<connection_info> found;
    impl_->on_io([&] { found = impl_->router.control().connections(hub_path); });
    return found;
}

bool server_control::drop(const std::string& connection_id) {
    bool dropped = false;
    impl_->on_io([&] { dropped = impl_->router.control().drop(connection_id); });
    return dropped;
}

std::size_t server_control::drop_all() {
    std::size_t dropped = 0;
    impl_->on_io([&] { dropped = impl_->router.control().drop_all(); });
    return dropped;
}

bool server_control::close(const std::string& connection_id, bool allow_reconnect, std::optional<std::string> error) {
    bool closed = false;
    impl_->on_io([&] { closed = impl_->router.control().close(connection_id, allow_reconnect, std::move(error)); });
    return closed;
}

bool server_control::send(const std::string& connection_id, const std::string& method, protocol::value_list arguments) {
    bool sent = false;
    impl_->on_io([&] { sent = impl_->router.control().send(connection_id, method, std::move(arguments)); });
    return sent;
}

bool server_control::invoke(const std::string& connection_id, const std::string& method, protocol::value_list arguments,
                            std::function<void(client_result)> on_result) {
    bool invoked = false;
    impl_->on_io([&] {
        invoked = impl_->router.control().invoke(connection_id, method, std::move(arguments), std::move(on_result));
    });
    return invoked;
}

bool server_control::send_raw(const std::string& connection_id, std::string bytes) {
    bool sent = false;
    impl_->on_io([&] { sent = impl_->router.control().send_raw(connection_id, std::move(bytes)); });
    return sent;
}

void server_control::script_negotiate(unsigned status, std::string body) {
    impl_->on_io([&] { impl_->router.faults().next_negotiate = detail::scripted_reply{status, std::move(body)}; });
}

void server_control::negotiate_version_zero(bool on) {
    impl_->router.faults().negotiate_version_zero = on;
}

void server_control::script_handshake_reply(std::string bytes) {
    impl_->on_io([&] { impl_->router.faults().next_handshake_reply = std::move(bytes); });
}

void server_control::refuse_websockets(bool on) {
    impl_->router.faults().refuse_websockets = on;
}

void server_control::pings(bool on) {
    impl_->router.faults().pings = on;
}

void server_control::delay_outgoing(std::chrono::milliseconds delay) {
    impl_->router.faults().delay_ms = std::max<std::int64_t>(0, delay.count());
}

bool server_control::websockets_refused() const noexcept {
    return impl_->router.faults().refuse_websockets;
}

bool server_control::pings_on() const noexcept {
    return impl_->router.faults().pings;
}

std::chrono::milliseconds server_control::outgoing_delay() const noexcept {
    return impl_->router.faults().delay();
}

} // namespace hubspec::server
