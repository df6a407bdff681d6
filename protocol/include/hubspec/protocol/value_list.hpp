#pragma once
// A hub message's argument list: a vector of values whose first four live inside
// the list itself, so that a call with a few small arguments is read, queued and
// dispatched without touching the heap. Lists that grow past four move to the heap
// like std::vector; the interface is the part of std::vector that argument lists use.

#include "hubspec/protocol/value.hpp"

#include <algorithm>
#include <cstddef>
#include <initializer_list>
#include <iterator>
#include <memory>
#include <new>
#include <span>
#include <stdexcept>
#include <utility>
#include <vector>

namespace hubspec::protocol {

class value_list {
public:
    /// Four covers every method of the conformance contract and most real hubs.
    static constexpr std::size_t inline_capacity = 4;

    using value_type = value;
    using size_type = std::size_t;
    using difference_type = std::ptrdiff_t;
    using reference = value&;
    using const_reference = const value&;
    using pointer = value*;
    using const_pointer = const value*;
    using iterator = value*;
    using const_iterator = const value*;

    value_list() noexcept = default;
    value_list(std::initializer_list<value> values) { append_copies(values.begin(), values.end()); }
    value_list(size_type count, const value& v) {
        reserve(count);
        for (size_type i = 0; i < count; ++i)
            emplace_back(v);
    }
    template <std::input_iterator It>
    value_list(It first, It last) {
        if constexpr (std::forward_iterator<It>) reserve(static_cast<size_type>(std::distance(first, last)));
        for (; first != last; ++first)
            emplace_back(*first);
    }
    // From and to std::vector<value> (protocol::array), so code written for vectors keeps compiling.
    value_list(const std::vector<value>& values) { append_copies(values.begin(), values.end()); }
    value_list(std::vector<value>&& values) {
        reserve(values.size());
        for (auto& v : values)
            emplace_back(std::move(v));
    }

    value_list(const value_list& other) { append_copies(other.begin(), other.end()); }
    value_list(value_list&& other) noexcept { take(std::move(other)); }
    value_list& operator=(const value_list& other) {
        if (this != &other) {
            clear();
            append_copies(other.begin(), other.end());
        }
        return *this;
    }
    value_list& operator=(value_list&& other) noexcept {
        if (this != &other) {
            release();
            take(std::move(other));
        }
        return *this;
    }
    value_list& operator=(std::initializer_list<value> values) {
        clear();
        append_copies(values.begin(), values.end());
        return *this;
    }
    ~value_list() { release(); }

    size_type size() const noexcept { return size_; }
    bool empty() const noexcept { return size_ == 0; }
    size_type capacity() const noexcept { return capacity_; }
    /// True while the values live inside the list (no heap storage).
    bool is_inline() const noexcept { return data_ == inline_values(); }

    value* data() noexcept { return data_; }
    const value* data() const noexcept { return data_; }
    iterator begin() noexcept { return data_; }
    iterator end() noexcept { return data_ + size_; }
    const_iterator begin() const noexcept { return data_; }
    const_iterator end() const noexcept { return data_ + size_; }
    const_iterator cbegin() const noexcept { return data_; }
    const_iterator cend() const noexcept { return data_ + size_; }

    value& operator[](size_type i) noexcept { return data_[i]; }
    const value& operator[](size_type i) const noexcept { return data_[i]; }
    value& at(size_type i) { return data_[checked(i)]; }
    const value& at(size_type i) const { return data_[checked(i)]; }
    value& front() noexcept { return data_[0]; }
    const value& front() const noexcept { return data_[0]; }
    value& back() noexcept { return data_[size_ - 1]; }
    const value& back() const noexcept { return data_[size_ - 1]; }

    operator std::span<const value>() const noexcept { return {data_, size_}; }
    /// A copy as protocol::array, for an argument list that becomes a value itself.
    std::vector<value> to_array() const& { return std::vector<value>(begin(), end()); }
    std::vector<value> to_array() && {
        std::vector<value> out;
        out.reserve(size_);
        for (auto& v : *this)
            out.push_back(std::move(v));
        clear();
        return out;
    }

    void reserve(size_type wanted) {
        if (wanted > capacity_) grow_to(wanted);
    }
    template <class... Args>
    value& emplace_back(Args&&... args) {
        if (size_ == capacity_) {
            // Build first: args may refer to a value of this list, which growing moves.
            value made(std::forward<Args>(args)...);
            grow_to(capacity_ * 2);
            return *std::construct_at(data_ + size_++, std::move(made));
        }
        return *std::construct_at(data_ + size_++, std::forward<Args>(args)...);
    }
    void push_back(const value& v) { emplace_back(v); }
    void push_back(value&& v) { emplace_back(std::move(v)); }
    void pop_back() noexcept { std::destroy_at(data_ + --size_); }
    void clear() noexcept {
        std::destroy(begin(), end());
        size_ = 0;
    }
    /// Inserts copies of [first, last) before pos, as std::vector::insert does.
    template <std::forward_iterator It>
    iterator insert(const_iterator pos, It first, It last) {
        const auto offset = static_cast<size_type>(pos - begin());
        const auto count = static_cast<size_type>(std::distance(first, last));
        value_list moved_tail;
        moved_tail.reserve(size_ - offset);
        for (auto it = begin() + offset; it != end(); ++it)
            moved_tail.emplace_back(std::move(*it));
        std::destroy(begin() + offset, end());
        size_ = offset;
        reserve(offset + count + moved_tail.size());
        for (; first != last; ++first)
            emplace_back(*first);
        for (auto& v : moved_tail)
            emplace_back(std::move(v));
        return begin() + offset;
    }
    /// Removes [first, last), as std::vector::erase does.
    iterator erase(const_iterator first, const_iterator last) {
        auto* out = begin() + (first - begin());
        auto* gap_end = begin() + (last - begin());
        auto* new_end = std::move(gap_end, end(), out);
        std::destroy(new_end, end());
        size_ = static_cast<size_type>(new_end - begin());
        return out;
    }
    iterator erase(const_iterator pos) { return erase(pos, pos + 1); }

    friend bool operator==(const value_list& a, const value_list& b) {
        return std::equal(a.begin(), a.end(), b.begin(), b.end());
    }
    friend bool operator==(const value_list& a, const std::vector<value>& b) {
        return std::equal(a.begin(), a.end(), b.begin(), b.end());
    }

private:
    value* inline_values() noexcept { return std::launder(reinterpret_cast<value*>(inline_storage_)); }
    const value* inline_values() const noexcept {
        return std::launder(reinterpret_cast<const value*>(inline_storage_));
    }
    size_type checked(size_type i) const {
        if (i >= size_) throw std::out_of_range("value_list::at: index out of range");
        return i;
    }
    template <class It>
    void append_copies(It first, It last) {
        reserve(size_ + static_cast<size_type>(std::distance(first, last)));
        for (; first != last; ++first)
            std::construct_at(data_ + size_++, *first);
    }
    // Values are nothrow-movable, so growing cannot leave the list half moved.
    void grow_to(size_type wanted) {
        const size_type new_capacity = std::max(wanted, capacity_ * 2);
        auto* heap = std::allocator<value>{}.allocate(new_capacity);
        std::uninitialized_move(begin(), end(), heap);
        std::destroy(begin(), end());
        if (!is_inline()) std::allocator<value>{}.deallocate(data_, capacity_);
        data_ = heap;
        capacity_ = new_capacity;
    }
    void release() noexcept {
        clear();
        if (!is_inline()) std::allocator<value>{}.deallocate(data_, capacity_);
        data_ = inline_values();
        capacity_ = inline_capacity;
    }
    // Leaves other empty and inline; heap storage is stolen, inline values are moved one by one.
    void take(value_list&& other) noexcept {
        if (other.is_inline()) {
            std::uninitialized_move(other.begin(), other.end(), inline_values());
            data_ = inline_values();
            capacity_ = inline_capacity;
            size_ = other.size_;
            other.clear();
        } else {
            data_ = other.data_;
            capacity_ = other.capacity_;
            size_ = other.size_;
            other.data_ = other.inline_values();
            other.capacity_ = inline_capacity;
            other.size_ = 0;
        }
    }

    alignas(value) std::byte inline_storage_[inline_capacity * sizeof(value)];
    value* data_ = inline_values();
    size_type size_ = 0;
    size_type capacity_ = inline_capacity;
};

static_assert(std::is_nothrow_move_constructible_v<value>, "value_list moves values while growing");

} // namespace hubspec::protocol
