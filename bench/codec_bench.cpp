// Codec benchmark: ASP.NET Core's HubProtocolBenchmark cases (no, few, many and
// large arguments) plus Completion, StreamItem and Ping, for both hub protocols,
// read and write. Prints ns/message, MB/s and heap allocations per message.
// Compare with bench/dotnet (the same cases on Microsoft's codec) on the same machine.
//
//   codec_bench [--seconds S] [--filter TEXT]

#include "hubspec/protocol/hub_protocol.hpp"

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <new>
#include <string>
#include <vector>

namespace {

std::atomic<std::size_t> allocations{0};

} // namespace

// Counting every allocation is how "no heap allocation per message" is measured.
void* operator new(std::size_t size) {
    allocations.fetch_add(1, std::memory_order_relaxed);
    if (void* p = std::malloc(size == 0 ? 1 : size)) return p;
    throw std::bad_alloc();
}
void operator delete(void* p) noexcept {
    std::free(p);
}
void operator delete(void* p, std::size_t) noexcept {
    std::free(p);
}

namespace {

using namespace hubspec::protocol;
using clock_type = std::chrono::steady_clock;

struct bench_case {
    const char* name;
    hub_message message;
};

std::vector<bench_case> cases() {
    const binary five_bytes{{5, 4, 3, 2, 1}};
    return {
        {"NoArguments", invocation_message{{}, std::nullopt, "Target", {}, {}}},
        {"FewArguments", invocation_message{{}, std::nullopt, "Target", {1, "Foo", 2.0}, {}}},
        {"ManyArguments",
         invocation_message{
             {}, std::nullopt, "Target", {1, "string", 2.0, true, 9, five_bytes, "c", 123456789101112LL}, {}}},
        {"LargeArguments",
         invocation_message{
             {}, std::nullopt, "Target", {std::string(10240, 'F'), binary{std::vector<std::uint8_t>(10240)}}, {}}},
        {"Completion", completion_message::with_result("123", 42)},
        {"StreamItem", stream_item_message{{}, "123", "item text"}},
        {"Ping", ping_message{}},
    };
}

struct figures {
    double ns_per_message;
    double megabytes_per_second;
    double allocations_per_message;
};

template <class Operation>
figures measure(Operation&& operation, std::size_t bytes_per_message, double seconds) {
    for (int i = 0; i < 1000; ++i)
        operation(); // warm up caches and buffers
    std::size_t iterations = 0;
    const std::size_t allocations_before = allocations.load();
    const auto start = clock_type::now();
    const auto deadline = start + std::chrono::duration<double>(seconds);
    auto now = start;
    while (now < deadline) {
        for (int i = 0; i < 256; ++i)
            operation();
        iterations += 256;
        now = clock_type::now();
    }
    const double elapsed_ns = std::chrono::duration<double, std::nano>(now - start).count();
    const double per_message = elapsed_ns / static_cast<double>(iterations);
    return {per_message, static_cast<double>(bytes_per_message) / per_message * 1e3,
            static_cast<double>(allocations.load() - allocations_before) / static_cast<double>(iterations)};
}

} // namespace

int main(int argc, char** argv) {
    double seconds = 0.5;
    const char* filter = nullptr;
    for (int i = 1; i < argc; ++i) {
        if (std::strcmp(argv[i], "--seconds") == 0 && i + 1 < argc) {
            seconds = std::atof(argv[++i]);
        } else if (std::strcmp(argv[i], "--filter") == 0 && i + 1 < argc) {
            filter = argv[++i];
        } else {
            std::fprintf(stderr, "usage: codec_bench [--seconds S] [--filter TEXT]\n");
            return 2;
        }
    }

    std::printf("%-12s %-15s %-6s %8s %12s %10s %12s\n", "protocol", "message", "op", "bytes", "ns/message", "MB/s",
                "allocs/msg");
    for (const hub_protocol* protocol : {&json_protocol(), &messagepack_protocol()}) {
        for (const auto& c : cases()) {
            const std::string label = std::string(protocol->name()) + " " + c.name;
            if (filter != nullptr && label.find(filter) == std::string::npos) continue;
            const std::string framed = protocol->encode(c.message);
            const auto record = protocol->next_record(framed).value();

            std::string buffer;
            const auto write = measure(
                [&] {
                    buffer.clear(); // keeps its capacity: the steady state of a connection's writer
                    protocol->write(c.message, buffer);
                },
                framed.size(), seconds);
            const auto read = measure(
                [&] {
                    auto parsed = protocol->parse(record.body);
                    if (!parsed) std::abort();
                },
                framed.size(), seconds);

            for (const auto& [op, f] : {std::pair{"write", write}, std::pair{"read", read}}) {
                std::printf("%-12s %-15s %-6s %8zu %12.1f %10.1f %12.2f\n", std::string(protocol->name()).c_str(),
                            c.name, op, framed.size(), f.ns_per_message, f.megabytes_per_second,
                            f.allocations_per_message);
            }
        }
    }
    return 0;
}
