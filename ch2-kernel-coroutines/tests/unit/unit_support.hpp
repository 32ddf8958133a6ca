/// @file unit_support.hpp
/// @brief Readable Catch2 printing of chapter 2's enums, shared by the ch2 host unit tests
/// (chapter 1's types come from cops/test/catch_printing.hpp).
#pragma once

#include <catch2/catch.hpp>
#include <string>

#include "cops/sched/preemption.hpp"
#include "cops/test/catch_printing.hpp"  // the states, priorities, cids and errors (ch1)

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

}  // namespace Catch
