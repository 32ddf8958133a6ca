/// @file bench_main.cpp
/// @brief The bench kernel's program: run every BENCH and print its figures.
#include "cops/boot/boot_info.hpp"
#include "cops/lib/console.hpp"
#include "cops/test/bench.hpp"

extern "C" const cops::test::BenchCase __bench_start[];
extern "C" const cops::test::BenchCase __bench_end[];

namespace cops::test {

namespace {
const BenchCase* g_current = nullptr;
}

std::span<const BenchCase> all_benches() {
    return {__bench_start, static_cast<std::size_t>(__bench_end - __bench_start)};
}

void report(std::string_view metric, std::uint64_t value, std::string_view unit, std::uint64_t divisor) {
    if (divisor == 0) {
        divisor = 1;
    }
    const std::uint64_t whole = value / divisor;
    const std::uint64_t hundredths = (value % divisor) * 100 / divisor;
    console::println("# bench {} {} {}.{:02} {}", g_current != nullptr ? g_current->name : "?", metric, whole,
                     hundredths, unit);
}

}  // namespace cops::test

void app_main() {
    using namespace cops;
    const auto benches = test::all_benches();
    const std::string_view only = boot::bootarg("bench.only").value_or("");
    console::println("# bench start: {} benchmarks", benches.size());
    for (const test::BenchCase& b : benches) {
        if (!only.empty() && only != b.name) {
            continue;
        }
        test::g_current = &b;
        b.fn();
    }
    test::g_current = nullptr;
    console::println("# bench done");
}
