/// @file leveled_queue.hpp
/// @brief One FIFO per priority level and a bitmap of the levels that hold something:
/// O(1) push, remove and pop of the most urgent.
///
/// This is the shape of every ready set in the kit, written once: the executor's
/// ready coroutines (ch1), the threads set aside by preemption (ch2's
/// running-suspended set) and the processes waiting for a CPU (ch3's global view).
/// The links live in the items (lib::IntrusiveList), so queueing never allocates.
///
/// Invariant: a level's bit is set exactly when its list is not empty, except where a
/// user marks a level on purpose (mark(): the executor's handoff slot stands for the
/// head of a level whose list may be empty).
#pragma once

#include <cstddef>
#include <optional>

#include "cops/lib/intrusive_list.hpp"
#include "cops/sched/priority_bitmap.hpp"

namespace cops::sched {

/// Items of type T (which derives from lib::ListHook<Tag>) queued by priority level.
template <class T, class Tag>
class LeveledQueue {
public:
    /// The FIFO of one level.
    using List = lib::IntrusiveList<T, Tag>;

    LeveledQueue() = default;
    LeveledQueue(const LeveledQueue&) = delete;
    LeveledQueue& operator=(const LeveledQueue&) = delete;

    /// Appends @p item at the back of level @p p's FIFO (it must be in no list of this Tag).
    void push_back(T& item, Priority p) {
        // LAB(ch1): queue an item at the back of its level
        // Append it to level p's list and set that level's bit in the bitmap.
        levels_[p.level].push_back(item);
        bits_.set(p);
        // LAB-STUB: (void)item;
        // LAB-STUB: (void)p;
        // END-LAB
    }

    /// Puts @p item at the front of level @p p's FIFO: it was taken out of turn and is
    /// first again (the executor's handoff slot giving its coroutine back).
    void push_front(T& item, Priority p) {
        levels_[p.level].push_front(item);
        bits_.set(p);
    }

    /// Removes and returns the head of the most urgent level that holds something, or
    /// nullptr when every level is empty.
    T* pop_most_urgent() {
        // LAB(ch1): pick the most urgent item in O(1)
        // Find the most urgent set level in the bitmap, pop the head of that level's
        // list (FIFO within a level), and clear the level's bit if the list is now empty.
        const std::optional<Priority> level = bits_.highest();
        if (!level) {
            return nullptr;
        }
        List& list = levels_[level->level];
        T* item = list.pop_front();
        if (list.empty()) {
            bits_.clear(*level);
        }
        return item;
        // LAB-STUB: return nullptr;
        // END-LAB
    }

    /// As pop_most_urgent(), but only if that level is @p bar or more urgent; else nullptr.
    T* pop_most_urgent_up_to(Priority bar) {
        const std::optional<Priority> level = bits_.highest();
        return level && level->level <= bar.level ? pop_most_urgent() : nullptr;
    }

    /// Unlinks @p item, which is queued at level @p p, from anywhere in its FIFO.
    void remove(T& item, Priority p) {
        // LAB(ch1): take an item out of the middle of its level
        // Unlink it from level p's list; clear the level's bit if the list is now empty.
        List& list = levels_[p.level];
        list.remove(item);
        if (list.empty()) {
            bits_.clear(p);
        }
        // LAB-STUB: (void)item;
        // LAB-STUB: (void)p;
        // END-LAB
    }

    /// Sets level @p p's bit although its list may be empty (see the invariant above).
    void mark(Priority p) { bits_.set(p); }
    /// Clears level @p p's bit if its list is empty (undoes mark()).
    void unmark_if_empty(Priority p) {
        if (levels_[p.level].empty()) {
            bits_.clear(p);
        }
    }

    /// The most urgent level whose bit is set, if any.
    std::optional<Priority> most_urgent() const { return bits_.highest(); }
    /// True when no level's bit is set.
    bool empty() const { return bits_.empty(); }
    /// True when level @p p's list holds nothing.
    bool level_empty(Priority p) const { return levels_[p.level].empty(); }
    /// The bitmap of the levels (bit i: level i holds something or is marked).
    const PriorityBitmap& bitmap() const { return bits_; }
    /// Number of items queued at every level (O(levels)).
    std::size_t size() const {
        std::size_t n = 0;
        for (const List& list : levels_) {
            n += list.size();
        }
        return n;
    }

    /// Calls @p fn(const T&) for every item, most urgent level first, FIFO within one.
    template <class Fn>
    void for_each(Fn&& fn) const {
        for (const List& list : levels_) {
            list.for_each(fn);
        }
    }

    /// Unlinks every item, whatever the bitmap says (before the items are destroyed:
    /// an item may not be destroyed while linked), and clears the bitmap.
    void unlink_all() {
        for (List& list : levels_) {
            while (list.front() != nullptr) {
                list.remove(*list.front());
            }
        }
        bits_.assign(0);
    }

private:
    // The bitmap comes first: an executor's ready bitmap is the first word of the
    // executor (ExecutorSummaryLayout), which the kernel reads from a process (ch3).
    PriorityBitmap bits_;
    List levels_[kPriorityLevels];
};

}  // namespace cops::sched
