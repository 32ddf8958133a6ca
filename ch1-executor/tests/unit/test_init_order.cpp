// Host tests for init::order(): the boot order of the init calls.
#include <catch2/catch.hpp>
#include <string>

#include "cops/init/initcall.hpp"

using cops::init::InitCall;
using cops::init::Level;
using cops::init::OrderProblem;

namespace {
void step() {}

InitCall call(Level level, unsigned char layer, const char* name, const char* needs = "") {
    return {level, layer, name, "test", needs, step};
}

/// The names in boot order, space-separated, or the problem's name.
std::string ordered(const InitCall* calls, std::size_t count) {
    const InitCall* out[cops::init::kMaxSteps];
    const auto report = cops::init::order(calls, count, out);
    if (report.problem != OrderProblem::None) {
        return "problem " + std::to_string(static_cast<int>(report.problem)) + " at " + report.step->name + " need " +
               std::string(report.need);
    }
    std::string names;
    for (std::size_t i = 0; i < count; ++i) {
        names += (i == 0 ? "" : " ") + std::string(out[i]->name);
    }
    return names;
}
}  // namespace

TEST_CASE("init order: level, then layer, then name; not the order of registration", "[init]") {
    const InitCall calls[] = {
        call(Level::Start, 2, "harts"), call(Level::Late, 3, "b_calls"), call(Level::Late, 3, "a_calls"),
        call(Level::Late, 2, "z_late"), call(Level::Arch, 2, "trap"),    call(Level::Early, 1, "heap"),
    };
    CHECK(ordered(calls, std::size(calls)) == "heap trap z_late a_calls b_calls harts");
}

TEST_CASE("init order: a step runs after the steps it needs, even of a later layer", "[init]") {
    const InitCall calls[] = {
        call(Level::Device, 2, "a_uses_both", "m_pool, z_disk"),
        call(Level::Device, 3, "m_pool"),
        call(Level::Device, 2, "z_disk"),
        call(Level::Device, 2, "b_other"),
    };
    // a_uses_both waits for m_pool (layer 3), so the rest of layer 2 comes first.
    CHECK(ordered(calls, std::size(calls)) == "b_other z_disk m_pool a_uses_both");
}

TEST_CASE("init order: a need of an earlier level is already met", "[init]") {
    const InitCall calls[] = {call(Level::Late, 1, "service", "driver"), call(Level::Device, 6, "driver")};
    CHECK(ordered(calls, std::size(calls)) == "driver service");
}

TEST_CASE("init order: a need nobody registers is reported with the step", "[init]") {
    const InitCall calls[] = {call(Level::Late, 1, "service", "drivr"), call(Level::Device, 1, "driver")};
    CHECK(ordered(calls, std::size(calls)) == "problem 1 at service need drivr");
}

TEST_CASE("init order: a need of a later level is reported", "[init]") {
    const InitCall calls[] = {call(Level::Device, 1, "driver", "service"), call(Level::Late, 1, "service")};
    CHECK(ordered(calls, std::size(calls)) == "problem 2 at driver need service");
}

TEST_CASE("init order: a circle of needs is reported, not looped on", "[init]") {
    const InitCall calls[] = {
        call(Level::Late, 1, "a", "c"),
        call(Level::Late, 1, "b", "a"),
        call(Level::Late, 1, "c", "b"),
        call(Level::Late, 1, "free"),
    };
    const std::string got = ordered(calls, std::size(calls));
    CHECK(got.rfind("problem 3 at ", 0) == 0);
}

TEST_CASE("init order: more steps than the table holds are refused", "[init]") {
    static InitCall many[cops::init::kMaxSteps + 1];
    for (auto& c : many) {
        c = call(Level::Late, 1, "x");
    }
    const InitCall* out[cops::init::kMaxSteps + 1];
    CHECK(cops::init::order(many, std::size(many), out).problem == OrderProblem::TooManySteps);
    CHECK(cops::init::order(many, cops::init::kMaxSteps, out).problem == OrderProblem::None);
}
