/// @file process_level.cpp
/// @brief A process's level from its executor summary, clamped by its ceiling.
#include "cops/proc/process_level.hpp"

#include "cops/sched/priority_bitmap.hpp"

namespace cops::proc {

sched::Priority process_level(const ExecutorSummary& summary, sched::Priority ceiling) {
    // LAB(ch3): fold one process's summary into its level
    // The summary is whatever the process wrote: trust nothing. Its level is the most
    // urgent of its ready levels (the lowest set bit) and its running levels (only
    // values below kPriorityLevels count), but never more urgent than `ceiling`
    // (a smaller number). A summary that names no level gives the ceiling.
    unsigned best = sched::kPriorityLevels;
    if (summary.ready_bits != 0) {
        best = sched::lowest_set_bit(summary.ready_bits);
    }
    for (const std::uint8_t running : summary.running) {
        if (running < best) {
            best = running;  // kNoLevel (0xff) and other garbage are >= 64, never taken
        }
    }
    if (best >= sched::kPriorityLevels) {
        return ceiling;
    }
    return sched::Priority{static_cast<std::uint8_t>(best < ceiling.level ? ceiling.level : best)};
    // LAB-STUB: (void)summary;
    // LAB-STUB: return ceiling;
    // END-LAB
}

}  // namespace cops::proc
