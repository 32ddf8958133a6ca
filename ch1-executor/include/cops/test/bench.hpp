/// @file bench.hpp
/// @brief In-kernel benchmarks: BENCH("area/what") { ... report("metric", value, "unit"); }
///
/// The bench kernel runs every registered benchmark and prints one line per figure:
///   # bench <bench-name> <metric> <value> <unit>
/// which `make bench` gathers into a table and a CSV. Measure with instructions():
/// under `qemu -icount shift=0` it counts guest instructions exactly.
#pragma once

#include <cstdint>
#include <span>
#include <string_view>

#include "cops/arch/csr.hpp"

namespace cops::test {

/// One registered benchmark.
struct BenchCase {
    const char* name;  ///< "area/what"
    void (*fn)();      ///< the body; calls report() for each figure
};

/// Every benchmark linked into the image.
std::span<const BenchCase> all_benches();

/// Guest instructions retired so far (exact under -icount).
inline std::uint64_t instructions() { return arch::read_instret(); }

/// Prints one figure of the running benchmark. @p value is scaled by 1/@p divisor
/// with two decimals (so an average over N runs keeps its fraction).
void report(std::string_view metric, std::uint64_t value, std::string_view unit, std::uint64_t divisor = 1);

}  // namespace cops::test

/// Defines a benchmark named @p name.
#define BENCH(name)                                                                                \
    static void COPS_BENCH_CAT(bench_body_, __LINE__)();                                           \
    [[gnu::used, gnu::section(".bench")]] static constexpr ::cops::test::BenchCase COPS_BENCH_CAT( \
        bench_case_, __LINE__){name, &COPS_BENCH_CAT(bench_body_, __LINE__)};                      \
    static void COPS_BENCH_CAT(bench_body_, __LINE__)()
/// @cond INTERNAL
#define COPS_BENCH_CAT2(a, b) a##b
#define COPS_BENCH_CAT(a, b) COPS_BENCH_CAT2(a, b)
/// @endcond
