/// @file init_order.cpp
/// @brief The boot order of the init calls: level, layer, name, and every step after its needs.
#include "cops/init/initcall.hpp"

namespace cops::init {

namespace {

/// Calls @p visit with each name of a comma-separated list, spaces trimmed.
template <class Visit>
bool for_each_need(const char* needs, Visit visit) {
    std::string_view rest(needs);
    while (!rest.empty()) {
        const std::size_t comma = rest.find(',');
        std::string_view need = rest.substr(0, comma);
        rest = comma == std::string_view::npos ? std::string_view() : rest.substr(comma + 1);
        while (!need.empty() && need.front() == ' ') {
            need.remove_prefix(1);
        }
        while (!need.empty() && need.back() == ' ') {
            need.remove_suffix(1);
        }
        if (!need.empty() && !visit(need)) {
            return false;
        }
    }
    return true;
}

/// True if @p a comes before @p b when neither needs the other.
bool earlier(const InitCall& a, const InitCall& b) {
    if (a.level != b.level) {
        return a.level < b.level;
    }
    if (a.layer != b.layer) {
        return a.layer < b.layer;
    }
    return std::string_view(a.name) < std::string_view(b.name);
}

}  // namespace

std::string_view level_name(Level level) {
    switch (level) {
        case Level::Early: return "early";
        case Level::Arch: return "arch";
        case Level::Device: return "device";
        case Level::Late: return "late";
        case Level::Start: return "start";
    }
    return "?";
}

OrderReport order(const InitCall* calls, std::size_t count, const InitCall** out) {
    if (count > kMaxSteps) {
        return {OrderProblem::TooManySteps, nullptr, {}};
    }
    // Every need names a step of this level or an earlier one.
    for (std::size_t i = 0; i < count; ++i) {
        OrderReport bad;
        for_each_need(calls[i].needs, [&](std::string_view need) {
            bool found = false;
            for (std::size_t j = 0; j < count; ++j) {
                if (std::string_view(calls[j].name) == need) {
                    found = true;
                    if (calls[j].level > calls[i].level) {
                        bad = {OrderProblem::NeedTooLate, &calls[i], need};
                        return false;
                    }
                }
            }
            if (!found) {
                bad = {OrderProblem::UnknownNeed, &calls[i], need};
            }
            return found;
        });
        if (bad.problem != OrderProblem::None) {
            return bad;
        }
    }
    bool placed[kMaxSteps] = {};
    // A need is met once every step of that name is placed.
    auto met = [&](std::string_view need) {
        for (std::size_t j = 0; j < count; ++j) {
            if (!placed[j] && std::string_view(calls[j].name) == need) {
                return false;
            }
        }
        return true;
    };
    for (std::size_t n = 0; n < count; ++n) {
        // Only steps of the earliest level not yet placed may come next.
        Level level = Level::Start;
        for (std::size_t i = 0; i < count; ++i) {
            if (!placed[i] && calls[i].level < level) {
                level = calls[i].level;
            }
        }
        std::size_t best = count;
        std::size_t blocked = count;
        for (std::size_t i = 0; i < count; ++i) {
            if (placed[i] || calls[i].level != level) {
                continue;
            }
            if (!for_each_need(calls[i].needs, met)) {
                blocked = i;
                continue;
            }
            if (best == count || earlier(calls[i], calls[best])) {
                best = i;
            }
        }
        if (best == count) {  // every step left at this level waits for another one
            OrderReport circle{OrderProblem::CircularNeed, &calls[blocked], {}};
            for_each_need(calls[blocked].needs, [&](std::string_view need) {
                circle.need = need;
                return met(need);
            });
            return circle;
        }
        placed[best] = true;
        out[n] = &calls[best];
    }
    return {};
}

}  // namespace cops::init
