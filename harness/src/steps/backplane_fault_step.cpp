// The `backplane_fault` step: Redis drops every subscriber connection of the cluster's nodes
// (CLIENT KILL TYPE pubsub, through the run's --redis), then the step waits until every channel
// held before is held again by as many subscribers (RB-073): what the nodes publish afterwards
// must arrive, and the scenario's later steps check that it does. Its cells run alone
// (runner.cpp): the fault reaches every cell's connections.

#include "engine/redis_admin.hpp"
#include "engine/step_errors.hpp"
#include "steps/step_registry.hpp"

#include <thread>

namespace hubspec::harness::detail {

void run_backplane_fault(const step& s, cell_context& ctx) {
    step_params p(s, ctx);
    if (!p.boolean("drop_subscribers", false))
        throw script_error(p.describe() + ": backplane_fault needs `drop_subscribers: true`");
    if (ctx.tgt.redis_url().empty())
        throw script_error(p.describe() + ": backplane_fault needs the backplane's Redis (--redis URL)");
    const auto within = std::chrono::milliseconds(p.integer("within_ms", 15'000));
    try {
        redis_admin redis(ctx.tgt.redis_url());
        const auto held = redis.subscriptions();
        const auto dropped = redis.drop_subscribers();
        ctx.log.add(transcript_direction::note, "redis", "fault",
                    "dropped " + std::to_string(dropped) + " subscriber connections holding " +
                        std::to_string(held.size()) + " channels");
        const auto deadline = std::chrono::steady_clock::now() + within;
        std::string missing;
        for (;;) {
            const auto now_held = redis.subscriptions();
            missing.clear();
            std::size_t count = 0;
            for (const auto& [channel, subscribers] : held) {
                auto it = now_held.find(channel);
                if (it != now_held.end() && it->second >= subscribers) continue;
                if (++count <= 3) missing += (missing.empty() ? "" : ", ") + channel;
            }
            if (count == 0) break;
            if (std::chrono::steady_clock::now() >= deadline)
                throw expectation_failed{"every node subscribes its " + std::to_string(held.size()) +
                                             " channels again within " + std::to_string(within.count()) + " ms",
                                         std::to_string(count) + " still not held as before (" + missing + ")",
                                         "RB-073"};
            std::this_thread::sleep_for(std::chrono::milliseconds(50));
        }
        ctx.log.add(transcript_direction::note, "redis", "fault", "every channel is held again");
    } catch (const redis_error& e) {
        throw script_error(p.describe() + ": " + e.what());
    }
}

} // namespace hubspec::harness::detail
