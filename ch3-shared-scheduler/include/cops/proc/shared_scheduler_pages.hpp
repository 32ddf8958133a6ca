/// @file shared_scheduler_pages.hpp
/// @brief Mapping the shared scheduler into a new process (user_layout.hpp).
#pragma once

#include <cstdint>

#include "cops/lib/result.hpp"
#include "cops/mm/address.hpp"
#include "cops/proc/process.hpp"

namespace cops::proc {

/// The kernel's copy of the shared scheduler's code: [start, end), page-aligned.
struct VdsoImage {
    mm::PhysAddr start;  ///< first byte (the kernel is identity-mapped: also its pointer)
    mm::PhysAddr end;    ///< one past the last page
};
/// Where the kernel's copy of the blob is (mk/vdso.mk's __vdso_start/__vdso_end).
VdsoImage vdso_image();

/// Maps into @p p: the shared scheduler's code (read + execute, the kernel's own
/// pages), the global view (read-only) and a fresh executor page (read + write),
/// whose kernel address it stores in p.executor_page. Errors: OutOfMemory.
Status map_shared_scheduler(Process& p);

}  // namespace cops::proc
