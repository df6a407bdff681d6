// The load command's latency histogram (harness/src/load/latency_histogram.hpp): percentiles of
// known distributions, within the 1/64 its log-linear buckets promise.

#include "load/latency_histogram.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <cstdint>
#include <random>
#include <vector>

using hubspec::harness::load::latency_histogram;

namespace {
/// Within the histogram's precision: the bucket holding `exact` tops it by at most 1/64.
bool near(std::uint64_t seen, std::uint64_t exact) {
    return seen >= exact && seen <= exact + exact / 64 + 1;
}
} // namespace

TEST_CASE("load histogram: an empty one reports zeros", "[load][histogram]") {
    latency_histogram h;
    CHECK(h.count() == 0);
    CHECK(h.percentile(50) == 0);
    CHECK(h.max() == 0);
    CHECK(h.min() == 0);
}

TEST_CASE("load histogram: values below 128 us are exact", "[load][histogram]") {
    latency_histogram h;
    for (std::uint64_t v = 1; v <= 100; ++v)
        h.record(v);
    CHECK(h.percentile(50) == 50);
    CHECK(h.percentile(90) == 90);
    CHECK(h.percentile(99) == 99);
    CHECK(h.percentile(100) == 100);
    CHECK(h.min() == 1);
    CHECK(h.mean() == Approx(50.5));
}

TEST_CASE("load histogram: percentiles of a uniform 1..1000000 us", "[load][histogram]") {
    latency_histogram h;
    for (std::uint64_t v = 1; v <= 1'000'000; ++v)
        h.record(v);
    CHECK(near(h.percentile(50), 500'000));
    CHECK(near(h.percentile(90), 900'000));
    CHECK(near(h.percentile(99), 990'000));
    CHECK(near(h.percentile(99.9), 999'000));
    CHECK(h.percentile(100) == 1'000'000);
    CHECK(h.max() == 1'000'000);
}

TEST_CASE("load histogram: a long tail shows in p99 and p99.9 only", "[load][histogram]") {
    latency_histogram h;
    for (int i = 0; i < 9'900; ++i)
        h.record(1'000); // 99 % at 1 ms
    for (int i = 0; i < 90; ++i)
        h.record(50'000); // 0.9 % at 50 ms
    for (int i = 0; i < 10; ++i)
        h.record(2'000'000); // 0.1 % at 2 s
    CHECK(near(h.percentile(50), 1'000));
    CHECK(near(h.percentile(99), 1'000));
    CHECK(near(h.percentile(99.5), 50'000));
    CHECK(near(h.percentile(99.9), 50'000));
    CHECK(near(h.percentile(99.95), 2'000'000));
    CHECK(h.max() == 2'000'000);
}

TEST_CASE("load histogram: exponential samples, merged from parts, match the sorted truth", "[load][histogram]") {
    std::mt19937_64 random(16);
    std::exponential_distribution<double> exponential(1.0 / 2'000.0); // mean 2 ms
    std::vector<std::uint64_t> samples;
    latency_histogram parts[4];
    for (int i = 0; i < 100'000; ++i) {
        const auto v = static_cast<std::uint64_t>(exponential(random));
        samples.push_back(v);
        parts[i % 4].record(v);
    }
    latency_histogram h;
    for (const auto& part : parts)
        h.merge(part);
    std::sort(samples.begin(), samples.end());
    const auto truth = [&](double percent) {
        return samples[static_cast<std::size_t>(percent * static_cast<double>(samples.size()) / 100.0) - 1];
    };
    CHECK(h.count() == samples.size());
    CHECK(near(h.percentile(50), truth(50)));
    CHECK(near(h.percentile(90), truth(90)));
    CHECK(near(h.percentile(99), truth(99)));
    CHECK(near(h.percentile(99.9), truth(99.9)));
    CHECK(h.max() == samples.back());
    CHECK(h.percentile(50) <= h.percentile(99));
    CHECK(h.percentile(99) <= h.max());
}
