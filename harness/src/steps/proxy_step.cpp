// The `proxy` step: faults on the cell's proxy (scenarios/README.md, "Faults").

#include "engine/step_errors.hpp"
#include "proxy/fault_proxy.hpp"
#include "steps/step_registry.hpp"

namespace hubspec::harness::detail {

void run_proxy(const step& s, cell_context& ctx) {
    step_params p(s, ctx);
    auto& proxy = ctx.proxy();
    bool acted = false;
    if (p.has("refuse_websockets")) proxy.refuse_websockets(p.boolean("refuse_websockets", true)), acted = true;
    if (p.has("strip_upgrade")) proxy.strip_upgrade(p.boolean("strip_upgrade", true)), acted = true;
    if (p.has("buffer_sse")) proxy.buffer_server_sent_events(p.boolean("buffer_sse", true)), acted = true;
    if (p.has("latency_ms")) proxy.latency(std::chrono::milliseconds(p.integer("latency_ms", 0))), acted = true;
    if (p.has("black_hole_ms")) {
        const auto ms = p.integer("black_hole_ms", 0);
        ctx.log.add(transcript_direction::note, "proxy", "fault", "black hole for " + std::to_string(ms) + " ms");
        proxy.black_hole(std::chrono::milliseconds(ms));
        acted = true;
    }
    if (p.has("mute_client")) {
        const bool on = p.boolean("mute_client", true);
        ctx.log.add(transcript_direction::note, "proxy", "fault",
                    on ? "dropping what clients send (the target hears nothing more)" : "relaying clients again");
        proxy.mute_clients(on);
        acted = true;
    }
    if (p.boolean("cut", false)) {
        const bool close_frame = p.boolean("close_frame", false);
        const auto cut = proxy.cut_all(close_frame);
        ctx.log.add(transcript_direction::note, "proxy", "fault",
                    "cut " + std::to_string(cut) + " connections" +
                        (close_frame ? " with Close frames" : " without a Close frame"));
        if (cut == 0 && p.boolean("expect_connections", true))
            throw expectation_failed{"a connection through the proxy to cut", "none was open"};
        acted = true;
    }
    if (!acted)
        throw script_error(
            p.describe() +
            ": needs one of refuse_websockets, strip_upgrade, buffer_sse, latency_ms, black_hole_ms, mute_client, cut");
}

} // namespace hubspec::harness::detail
