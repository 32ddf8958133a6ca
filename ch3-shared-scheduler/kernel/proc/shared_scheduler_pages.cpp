/// @file shared_scheduler_pages.cpp
/// @brief The shared scheduler's three areas in every process.
#include "cops/proc/shared_scheduler_pages.hpp"

#include "cops/mm/user_layout.hpp"
#include "cops/proc/global_view.hpp"

extern "C" char __vdso_start[];  // mk/vdso.mk: the blob in the kernel image
extern "C" char __vdso_end[];

namespace cops::proc {

VdsoImage vdso_image() { return {mm::physical_of(__vdso_start), mm::physical_of(__vdso_end)}; }

Status map_shared_scheduler(Process& p) {
    using mm::PteFlag;
    const VdsoImage code = vdso_image();
    if (code.end - code.start > mm::kVdsoMaxBytes) {
        return Error::OutOfMemory;  // cannot happen with the kit's blob (a few KiB)
    }
    // The code: the very pages the kernel runs, never writable by the process.
    Status s = p.space.map_shared(mm::kVdsoBase, code.start, code.end - code.start, PteFlag::Read | PteFlag::Execute);
    if (s) {
        s = p.space.map_shared(mm::kGlobalViewAddress, global_view_frame(), 4096, mm::PteFlags{PteFlag::Read});
    }
    if (s) {
        s = p.space.map_zeroed(mm::kExecutorPageAddress, mm::kExecutorPageBytes, PteFlag::Read | PteFlag::Write);
    }
    if (!s) {
        return s;
    }
    const auto page = p.space.translate(mm::kExecutorPageAddress);
    p.executor_page = mm::pointer_to<const std::uint8_t>(page->physical);
    return {};
}

}  // namespace cops::proc
