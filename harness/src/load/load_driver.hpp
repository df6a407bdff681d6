#pragma once
// What each mode of `hubspec load` does in a window (one file per mode): the connections it
// needs opened first, the handlers they get, and the load itself. load_command runs a driver
// through the warm-up and the measured window alike.

#include "load/load_window.hpp"

#include "hubspec/harness/load_command.hpp"

#include <hubspec/client/hub_connection.hpp>

#include <memory>
#include <string_view>
#include <vector>

namespace hubspec::harness::load {

class load_driver {
public:
    virtual ~load_driver() = default;
    /// Connections opened before the windows, each passed to prepare() before it starts.
    virtual std::size_t connections_needed() const = 0;
    virtual void prepare(client::hub_connection&) {}
    /// Opens `window`, loads until its deadline or count, awaits what is outstanding (the
    /// options' drain time at most), and closes it.
    virtual void run(load_window& window, const std::vector<client::hub_connection*>& connections) = 0;
    /// Once the window's server usage was read: the connect mode closes what it opened.
    virtual void after_window() {}
};

/// The contract method playing `role` ("Echo"): the --method mapping, or the role itself.
std::string method_for(const load_options& options, const std::string& role);

/// Waits for what is still in flight (until `options.drain_seconds` past the deadline), counts
/// what never answered as errors, and closes the window.
void finish_window(load_window& window, const load_options& options);

std::unique_ptr<load_driver> make_echo_driver(const load_options& options);
std::unique_ptr<load_driver> make_rate_driver(const load_options& options);
std::unique_ptr<load_driver> make_broadcast_driver(const load_options& options);
std::unique_ptr<load_driver> make_connect_driver(const load_options& options,
                                                 const client::connection_options& connection_options);
std::unique_ptr<load_driver> make_stream_driver(const load_options& options);

} // namespace hubspec::harness::load
