#include "load/latency_histogram.hpp"

#include <algorithm>
#include <bit>
#include <cmath>

namespace hubspec::harness::load {

std::size_t latency_histogram::index_of(std::uint64_t value) noexcept {
    if (value < 128) return static_cast<std::size_t>(value);
    const auto shift = static_cast<unsigned>(std::bit_width(value)) - sub_bucket_bits; // 1 for 128..255
    const auto mantissa = value >> shift;                                              // 64..127
    return 128 + (shift - 1) * 64 + static_cast<std::size_t>(mantissa - 64);
}

std::uint64_t latency_histogram::highest_in(std::size_t index) noexcept {
    if (index < 128) return index;
    const auto shift = (index - 128) / 64 + 1;
    const auto mantissa = std::uint64_t{(index - 128) % 64 + 64};
    return (mantissa << shift) + ((std::uint64_t{1} << shift) - 1);
}

void latency_histogram::record(std::uint64_t microseconds) noexcept {
    ++counts_[index_of(microseconds)];
    ++count_;
    sum_ += microseconds;
    min_ = std::min(min_, microseconds);
    max_ = std::max(max_, microseconds);
}

void latency_histogram::merge(const latency_histogram& other) noexcept {
    for (std::size_t i = 0; i < bucket_count; ++i)
        counts_[i] += other.counts_[i];
    count_ += other.count_;
    sum_ += other.sum_;
    min_ = std::min(min_, other.min_);
    max_ = std::max(max_, other.max_);
}

std::uint64_t latency_histogram::percentile(double percent) const noexcept {
    if (count_ == 0) return 0;
    const auto wanted = std::clamp(percent, 0.0, 100.0) * static_cast<double>(count_) / 100.0;
    // The rank of the value asked for, counted from 1: p50 of 1..10 is the 5th.
    const auto rank = std::max<std::uint64_t>(1, static_cast<std::uint64_t>(std::ceil(wanted)));
    std::uint64_t seen = 0;
    for (std::size_t i = 0; i < bucket_count; ++i) {
        seen += counts_[i];
        if (seen >= rank) return std::clamp(highest_in(i), min(), max_);
    }
    return max_;
}

} // namespace hubspec::harness::load
