/// @file unit_support.hpp
/// @brief Readable Catch2 printing of chapter 2's enums, shared by the ch2 host unit tests.
#pragma once

#include <catch2/catch.hpp>
#include <string>

#include "cops/sched/ccb.hpp"
#include "cops/sched/preemption.hpp"

namespace Catch {

template <>
struct StringMaker<cops::sched::PreemptAction> {
    static std::string convert(cops::sched::PreemptAction a) {
        switch (a) {
            case cops::sched::PreemptAction::Continue: return "Continue";
            case cops::sched::PreemptAction::RunReady: return "RunReady";
            case cops::sched::PreemptAction::ResumeSuspended: return "ResumeSuspended";
        }
        return "PreemptAction(" + std::to_string(static_cast<int>(a)) + ")";
    }
};

template <>
struct StringMaker<cops::sched::CoroutineState> {
    static std::string convert(cops::sched::CoroutineState s) { return cops::sched::state_name(s); }
};

}  // namespace Catch
