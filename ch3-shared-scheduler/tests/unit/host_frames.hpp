/// @file host_frames.hpp
/// @brief A FrameSource over host memory for the ch3 unit tests: counts live frames,
/// can run out on demand, and catches frees of frames it never handed out.
#pragma once

#include <catch2/catch.hpp>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <string>
#include <unordered_set>

#include "cops/lib/result.hpp"
#include "cops/mm/address.hpp"
#include "cops/mm/frame_allocator.hpp"

namespace cops::test {

/// Page frames from the host heap (std::aligned_alloc), zeroed and page-aligned, as the
/// kernel's FrameAllocator hands them out. The page-table code follows physical
/// addresses as pointers, so these host addresses work as "physical" frames.
class HostFrames final : public mm::FrameSource {
public:
    /// A source with no allocation limit.
    HostFrames() = default;
    /// Not copyable: it owns its frames.
    HostFrames(const HostFrames&) = delete;
    /// Not copyable: it owns its frames.
    HostFrames& operator=(const HostFrames&) = delete;
    /// Frees the frames still out, so a failing test does not also report leaks.
    ~HostFrames() {
        for (void* frame : live_) {
            std::free(frame);
        }
    }

    /// A fresh zeroed frame, or Error::OutOfMemory once the budget set by fail_after() is spent.
    Result<void*> allocate_frame() override {
        if (budget_ == 0) {
            ++refused_;
            return Error::OutOfMemory;
        }
        void* frame = std::aligned_alloc(mm::kPageSize, mm::kPageSize);
        if (frame == nullptr) {
            return Error::OutOfMemory;
        }
        std::memset(frame, 0, mm::kPageSize);
        if (budget_ != kUnlimited) {
            --budget_;
        }
        live_.insert(frame);
        ++allocations_;
        return frame;
    }

    /// Takes back @p frame. A frame this source does not have out (never handed out, or
    /// already freed) is not freed; it is counted in bad_frees() and fails the test.
    void free_frame(void* frame) override {
        if (live_.erase(frame) == 0) {
            ++bad_frees_;
            FAIL_CHECK("free_frame(" << frame << "): not a frame this source has out");
            return;
        }
        std::free(frame);
        ++frees_;
    }

    /// Lets the next @p n allocations succeed, then fails every later one.
    void fail_after(std::size_t n) { budget_ = n; }
    /// Removes the limit set by fail_after().
    void never_fail() { budget_ = kUnlimited; }

    /// Frames handed out and not yet freed.
    std::size_t live() const { return live_.size(); }
    /// True if @p frame is a frame this source has out now.
    bool owns(const void* frame) const { return live_.count(const_cast<void*>(frame)) != 0; }
    /// Successful allocations so far.
    std::size_t allocations() const { return allocations_; }
    /// Successful frees so far.
    std::size_t frees() const { return frees_; }
    /// Allocations refused because of fail_after().
    std::size_t refused() const { return refused_; }
    /// Frees of frames this source did not have out.
    std::size_t bad_frees() const { return bad_frees_; }

private:
    /// The budget meaning "no limit".
    static constexpr std::size_t kUnlimited = std::numeric_limits<std::size_t>::max();

    std::unordered_set<void*> live_;   ///< frames handed out and not freed
    std::size_t budget_ = kUnlimited;  ///< allocations left before failing
    std::size_t allocations_ = 0;      ///< successful allocations
    std::size_t frees_ = 0;            ///< successful frees
    std::size_t refused_ = 0;          ///< allocations refused by the budget
    std::size_t bad_frees_ = 0;        ///< frees of unknown frames
};

/// The frame at host address @p address, as the page-table code sees it.
inline void* frame_ptr(mm::PhysAddr address) { return mm::pointer_to(address); }
/// The "physical" address of host frame @p frame.
inline mm::PhysAddr frame_address(const void* frame) { return mm::physical_of(frame); }

}  // namespace cops::test

/// Catch2 prints addresses as hex, not as {?}.
template <class Space>
struct Catch::StringMaker<cops::mm::Address<Space>> {
    static std::string convert(cops::mm::Address<Space> a) {
        char text[24];
        std::snprintf(text, sizeof text, "0x%llx", static_cast<unsigned long long>(a.value()));
        return text;
    }
};
