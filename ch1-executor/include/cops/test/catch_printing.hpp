/// @file catch_printing.hpp
/// @brief How the host unit tests (Catch2) print the kit's own types, so that a failed
/// check reads `ready == exit` or `level 5 == level 9`, not `1 == 4` or `{?} == {?}`.
/// Host tests only: include it after the kit's headers in a tests/unit/ source.
#pragma once

#include <catch2/catch.hpp>
#include <string>

#include "cops/lib/result.hpp"
#include "cops/lib/strong_id.hpp"
#include "cops/sched/ccb.hpp"
#include "cops/sched/priority.hpp"

namespace Catch {

/// A coroutine state by its name ("Ready", "Blocked", ...).
template <>
struct StringMaker<cops::sched::CoroutineState> {
    /// The state's name.
    static std::string convert(cops::sched::CoroutineState s) { return cops::sched::state_name(s); }
};

/// A priority as "level N" (0 is the most urgent).
template <>
struct StringMaker<cops::sched::Priority> {
    /// "level N".
    static std::string convert(cops::sched::Priority p) { return "level " + std::to_string(p.level); }
};

/// An error by its name ("unknown cid", ...).
template <>
struct StringMaker<cops::Error> {
    /// The error's name.
    static std::string convert(cops::Error e) { return cops::error_name(e); }
};

/// A strong id (a cid, a pid, ...) as "#N" ("#0" is no id).
template <class Tag, class Rep>
struct StringMaker<cops::lib::StrongId<Tag, Rep>> {
    /// "#N".
    static std::string convert(cops::lib::StrongId<Tag, Rep> id) { return "#" + std::to_string(id.value); }
};

}  // namespace Catch
