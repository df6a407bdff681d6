#pragma once
// Latencies in microseconds, HdrHistogram-style: log-linear buckets (every power of two split
// into 64 equal sub-buckets, exact below 128 µs), so any percentile is within 1/64 of the true
// value in a fixed 30 KiB, however many values are recorded. Not thread-safe: one owner.

#include <array>
#include <cstddef>
#include <cstdint>

namespace hubspec::harness::load {

class latency_histogram {
public:
    void record(std::uint64_t microseconds) noexcept;
    void merge(const latency_histogram& other) noexcept;

    std::uint64_t count() const noexcept { return count_; }
    std::uint64_t min() const noexcept { return count_ ? min_ : 0; }
    std::uint64_t max() const noexcept { return max_; }
    double mean() const noexcept { return count_ ? static_cast<double>(sum_) / static_cast<double>(count_) : 0.0; }
    /// The smallest bucket's top at or below which `percent` (0..100) of the values fall; at most
    /// max(), so p100 is the exact maximum. 0 when empty.
    std::uint64_t percentile(double percent) const noexcept;

private:
    static constexpr unsigned sub_bucket_bits = 7; // 128 exact values, then 64 sub-buckets per power of two
    static constexpr std::size_t bucket_count = 128 + (64 - sub_bucket_bits) * 64;
    static std::size_t index_of(std::uint64_t value) noexcept;
    static std::uint64_t highest_in(std::size_t index) noexcept;

    std::array<std::uint64_t, bucket_count> counts_{};
    std::uint64_t count_ = 0;
    std::uint64_t sum_ = 0;
    std::uint64_t min_ = UINT64_MAX;
    std::uint64_t max_ = 0;
};

} // namespace hubspec::harness::load
