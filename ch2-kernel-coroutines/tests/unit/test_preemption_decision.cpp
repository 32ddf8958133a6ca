/// @file test_preemption_decision.cpp
/// @brief Unit tests: the preemption rule (continue, run a ready coroutine, or resume a suspended thread).
#include <catch2/catch.hpp>
#include <cstdint>
#include <optional>
#include <sstream>

#include "cops/sched/preemption.hpp"
#include "unit_support.hpp"

using namespace cops::sched;

namespace {

using Opt = std::optional<Priority>;
constexpr auto kNone = std::nullopt;

Priority P(int level) { return Priority{static_cast<std::uint8_t>(level)}; }

PreemptAction decide(int running, Opt ready, Opt suspended) {
    return preemption_decision(P(running), ready, suspended);
}

/// The rule written out independently: each candidate must be strictly more urgent
/// than the running coroutine; between the two, the suspended thread wins ties.
PreemptAction reference(int running, Opt ready, Opt suspended) {
    const bool ready_wins = ready && ready->level < running;
    const bool suspended_wins = suspended && suspended->level < running;
    if (suspended_wins && (!ready_wins || suspended->level <= ready->level)) {
        return PreemptAction::ResumeSuspended;
    }
    if (ready_wins) {
        return PreemptAction::RunReady;
    }
    return PreemptAction::Continue;
}

std::string describe(int running, Opt ready, Opt suspended) {
    std::ostringstream s;
    s << "running=" << running << " ready=";
    if (ready) {
        s << int{ready->level};
    } else {
        s << "none";
    }
    s << " suspended=";
    if (suspended) {
        s << int{suspended->level};
    } else {
        s << "none";
    }
    return s.str();
}

}  // namespace

TEST_CASE("preemption: nothing else to run means continue", "[preemption][lab]") {
    for (int running : {0, 1, 31, 62, 63}) {
        INFO("running=" << running);
        REQUIRE(decide(running, kNone, kNone) == PreemptAction::Continue);
    }
}

TEST_CASE("preemption: a strictly more urgent ready coroutine wins", "[preemption][lab]") {
    REQUIRE(decide(10, P(9), kNone) == PreemptAction::RunReady);
    REQUIRE(decide(10, P(0), kNone) == PreemptAction::RunReady);
    REQUIRE(decide(63, P(62), kNone) == PreemptAction::RunReady);
    REQUIRE(decide(63, P(0), kNone) == PreemptAction::RunReady);
    REQUIRE(decide(1, P(0), kNone) == PreemptAction::RunReady);
}

TEST_CASE("preemption: equal or less urgent ready work never preempts", "[preemption][lab]") {
    REQUIRE(decide(10, P(10), kNone) == PreemptAction::Continue);
    REQUIRE(decide(10, P(11), kNone) == PreemptAction::Continue);
    REQUIRE(decide(0, P(0), kNone) == PreemptAction::Continue);
    REQUIRE(decide(0, P(1), kNone) == PreemptAction::Continue);
    REQUIRE(decide(0, P(63), kNone) == PreemptAction::Continue);
    REQUIRE(decide(63, P(63), kNone) == PreemptAction::Continue);
}

TEST_CASE("preemption: a strictly more urgent suspended thread is resumed", "[preemption][lab]") {
    REQUIRE(decide(10, kNone, P(9)) == PreemptAction::ResumeSuspended);
    REQUIRE(decide(63, kNone, P(0)) == PreemptAction::ResumeSuspended);
    REQUIRE(decide(1, kNone, P(0)) == PreemptAction::ResumeSuspended);
    REQUIRE(decide(63, kNone, P(62)) == PreemptAction::ResumeSuspended);
}

TEST_CASE("preemption: an equal or less urgent suspended thread waits", "[preemption][lab]") {
    REQUIRE(decide(10, kNone, P(10)) == PreemptAction::Continue);
    REQUIRE(decide(10, kNone, P(40)) == PreemptAction::Continue);
    REQUIRE(decide(0, kNone, P(0)) == PreemptAction::Continue);
    REQUIRE(decide(63, kNone, P(63)) == PreemptAction::Continue);
}

TEST_CASE("preemption: the suspended thread wins a tie with a ready coroutine", "[preemption][lab]") {
    REQUIRE(decide(10, P(5), P(5)) == PreemptAction::ResumeSuspended);
    REQUIRE(decide(63, P(0), P(0)) == PreemptAction::ResumeSuspended);
    REQUIRE(decide(63, P(62), P(62)) == PreemptAction::ResumeSuspended);
    // The tie does not matter when neither beats the running coroutine.
    REQUIRE(decide(5, P(5), P(5)) == PreemptAction::Continue);
    REQUIRE(decide(0, P(0), P(0)) == PreemptAction::Continue);
}

TEST_CASE("preemption: the more urgent of ready and suspended wins", "[preemption][lab]") {
    // Suspended more urgent than ready, both beat running.
    REQUIRE(decide(20, P(10), P(3)) == PreemptAction::ResumeSuspended);
    // Ready more urgent than suspended, both beat running.
    REQUIRE(decide(20, P(3), P(10)) == PreemptAction::RunReady);
    REQUIRE(decide(63, P(0), P(1)) == PreemptAction::RunReady);
    // Only the suspended thread beats running.
    REQUIRE(decide(20, P(20), P(19)) == PreemptAction::ResumeSuspended);
    REQUIRE(decide(20, P(40), P(19)) == PreemptAction::ResumeSuspended);
    // Only the ready coroutine beats running.
    REQUIRE(decide(20, P(19), P(20)) == PreemptAction::RunReady);
    REQUIRE(decide(20, P(19), P(63)) == PreemptAction::RunReady);
    // Neither does.
    REQUIRE(decide(20, P(20), P(20)) == PreemptAction::Continue);
    REQUIRE(decide(20, P(21), P(63)) == PreemptAction::Continue);
}

TEST_CASE("preemption: the most urgent running coroutine is never preempted", "[preemption][lab]") {
    for (int r = -1; r < 64; ++r) {
        for (int s = -1; s < 64; ++s) {
            const Opt ready = r < 0 ? Opt{} : Opt{P(r)};
            const Opt suspended = s < 0 ? Opt{} : Opt{P(s)};
            if (decide(0, ready, suspended) != PreemptAction::Continue) {
                FAIL(describe(0, ready, suspended) << " did not continue");
            }
        }
    }
    SUCCEED();
}

TEST_CASE("preemption: the whole table matches the rule", "[preemption][lab]") {
    long checked = 0;
    long wrong = 0;
    std::string first_wrong;
    for (int running = 0; running < 64; ++running) {
        for (int r = -1; r < 64; ++r) {
            for (int s = -1; s < 64; ++s) {
                const Opt ready = r < 0 ? Opt{} : Opt{P(r)};
                const Opt suspended = s < 0 ? Opt{} : Opt{P(s)};
                const PreemptAction got = decide(running, ready, suspended);
                const PreemptAction want = reference(running, ready, suspended);
                ++checked;
                if (got != want) {
                    if (wrong++ == 0) {
                        first_wrong = describe(running, ready, suspended) + ": got " +
                                      Catch::StringMaker<PreemptAction>::convert(got) + ", want " +
                                      Catch::StringMaker<PreemptAction>::convert(want);
                    }
                }
            }
        }
    }
    INFO("first mismatch: " << first_wrong);
    REQUIRE(checked == 64L * 65 * 65);
    REQUIRE(wrong == 0);
}
