#pragma once
// The one thread that runs user code (handlers, callbacks, future completions),
// in the order the connection produced them (MSG-103), so a slow handler never
// stalls pings or reads.

#include <condition_variable>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>

namespace hubspec::client::detail {

class dispatcher {
public:
    dispatcher();
    ~dispatcher();
    dispatcher(const dispatcher&) = delete;
    dispatcher& operator=(const dispatcher&) = delete;

    void post(std::function<void()> task);
    /// Runs what is queued, then ends the thread. Idempotent.
    void shutdown();
    bool on_dispatcher_thread() const noexcept { return std::this_thread::get_id() == thread_.get_id(); }

private:
    // Shared with the thread, which may outlive this object when detached.
    struct queue {
        std::mutex mutex;
        std::condition_variable wake;
        std::deque<std::function<void()>> tasks;
        bool stopping = false;
    };
    static void run(std::shared_ptr<queue> q);

    std::shared_ptr<queue> queue_;
    std::thread thread_;
};

} // namespace hubspec::client::detail
