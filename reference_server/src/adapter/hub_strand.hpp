#pragma once
// The hub strand: where the router, the hubs, their timers, the backplane and the
// control API run, one handler at a time, whichever pool thread runs it. Sockets
// run on strands of their own and cross to it by posting (README: Threads).

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/defer.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/strand.hpp>

#include <utility>

namespace hubspec::server::detail {

using hub_strand = boost::asio::strand<boost::asio::io_context::executor_type>;

/// A transport session's two strands, its socket's and the hub's: work crosses in deferred posts,
/// which keep their order between the same two strands.
class session_strands {
public:
    session_strands(boost::asio::any_io_executor hub, boost::asio::any_io_executor session)
        : hub_(std::move(hub)), session_(std::move(session)) {}

    template <class Work>
    void on_hub(Work&& work) const {
        boost::asio::defer(hub_, std::forward<Work>(work));
    }
    template <class Work>
    void on_session(Work&& work) const {
        boost::asio::defer(session_, std::forward<Work>(work));
    }
    const boost::asio::any_io_executor& session() const noexcept { return session_; }

private:
    boost::asio::any_io_executor hub_;
    boost::asio::any_io_executor session_;
};

} // namespace hubspec::server::detail
