#include "dispatcher.hpp"

#include <cstdio>
#include <exception>

namespace hubspec::client::detail {

dispatcher::dispatcher() : queue_(std::make_shared<queue>()), thread_([q = queue_] { run(q); }) {}

dispatcher::~dispatcher() {
    shutdown();
}

void dispatcher::post(std::function<void()> task) {
    {
        std::lock_guard lock(queue_->mutex);
        if (queue_->stopping) return;
        queue_->tasks.push_back(std::move(task));
    }
    queue_->wake.notify_one();
}

void dispatcher::shutdown() {
    {
        std::lock_guard lock(queue_->mutex);
        queue_->stopping = true;
    }
    queue_->wake.notify_one();
    if (!thread_.joinable()) return;
    if (on_dispatcher_thread())
        thread_.detach(); // destroyed from a handler: the thread finishes alone
    else
        thread_.join();
}

void dispatcher::run(std::shared_ptr<queue> q) {
    for (;;) {
        std::function<void()> task;
        {
            std::unique_lock lock(q->mutex);
            q->wake.wait(lock, [&] { return q->stopping || !q->tasks.empty(); });
            if (q->tasks.empty()) return;
            task = std::move(q->tasks.front());
            q->tasks.pop_front();
        }
        try {
            task();
        } catch (const std::exception& e) {
            // A handler's exception is reported, never sent (ERR-011).
            std::fprintf(stderr, "hubspec-client: a handler threw: %s\n", e.what());
        } catch (...) {
            std::fprintf(stderr, "hubspec-client: a handler threw\n");
        }
    }
}

} // namespace hubspec::client::detail
