/// @file fuzz_calls.hpp
/// @brief Calls a later chapter adds to the system-call fuzzer (user/programs/fuzz.cpp).
///
/// The fuzzer knows chapters 3 and 4. A later layer puts its own calls into the
/// fuzzer's table from a source of its user library:
///
///     long make_socket(const fuzz::Pools&) { return user::socket(); }
///     COPS_FUZZ_CALL(make_socket)
///
/// The entries land in the `cops_fuzz_calls` section (user.ld keeps it and marks its
/// ends), so the fuzzer finds every layer's calls without naming them. A call draws
/// its arguments from the fuzzer's seeded pools, so a seed still fixes every call.
/// A call must not end or wedge the fuzzer: no exit, no blocking form of a call
/// that may wait (use the async form with `pools.fake_cid()`), nothing that changes
/// how the process's completions arrive. The fuzzer also makes calls by any number
/// with random arguments; a layer names its calls that may wait for ever with
/// COPS_FUZZ_AVOID, so that path skips them.
#pragma once

#include <cstdint>

namespace cops::user::fuzz {

/// The fuzzer's seeded argument pools, for a layer's calls to draw from.
struct Pools {
    std::uint64_t (*next)();      ///< any random word
    std::uint64_t (*pointer)();   ///< a pointer: mostly bad ones (kernel, unmapped, read-only, wrapping)
    std::uint64_t (*length)();    ///< a length: 0, small, page-sized, huge
    std::uint64_t (*fd)();        ///< a file descriptor: real, closed and impossible ones
    std::uint64_t (*pid)();       ///< a pid, never the fuzzer's own
    std::uint64_t (*word)();      ///< any word: small, huge, random
    std::uint64_t (*fake_cid)();  ///< a made-up cid (never 0) for an async form's completion
};

/// One call a layer adds to the fuzzer, or a number it must never make at random.
struct Call {
    const char* name;                  ///< what the fuzzer's report calls it
    long (*make)(const Pools& pools);  ///< makes the call once; its result (negative: an errno); or null
    long avoid = -1;                   ///< with make null: a call number whose sync form may wait for ever
};

}  // namespace cops::user::fuzz

/// Adds function @p fn (`long fn(const cops::user::fuzz::Pools&)`) to the fuzzer's table.
#define COPS_FUZZ_CALL(fn) \
    [[gnu::used, gnu::section("cops_fuzz_calls")]] const ::cops::user::fuzz::Call fn##_fuzz_entry{#fn, fn};
/// Tells the fuzzer never to make call @p number (an abi::Sys) with random arguments:
/// its sync form may wait for ever (an accept on a listening socket), which would
/// only stop the fuzzer. @p tag names the entry.
#define COPS_FUZZ_AVOID(tag, number)                                                                \
    [[gnu::used, gnu::section("cops_fuzz_calls")]] const ::cops::user::fuzz::Call tag##_fuzz_avoid{ \
        #tag, nullptr, static_cast<long>(number)};

/// The table's ends (user.ld).
extern "C" const cops::user::fuzz::Call __cops_fuzz_calls_start[];
/// See __cops_fuzz_calls_start.
extern "C" const cops::user::fuzz::Call __cops_fuzz_calls_end[];
