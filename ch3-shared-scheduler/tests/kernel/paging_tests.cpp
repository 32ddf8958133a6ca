/// @file paging_tests.cpp
/// @brief The kernel's page table, and a user address space built on it.
#include "cops/arch/csr.hpp"
#include "cops/mm/frame_allocator.hpp"
#include "cops/mm/kernel_space.hpp"
#include "cops/test/ktest.hpp"

using namespace cops;

namespace {
int g_probe = 7;
}

KTEST("paging/kernel-is-identity-mapped-without-u") {
    CHECK_EQ(arch::satp.read(), mm::kernel_page_table().satp());  // Sv39 is on
    const auto address = reinterpret_cast<std::uint64_t>(&g_probe);
    const auto t = mm::kernel_page_table().translate(mm::VirtAddr{address});
    REQUIRE(t.has_value());
    CHECK_EQ(t->physical, mm::PhysAddr{address});  // identity-mapped
    CHECK(t->flags.has(mm::PteFlag::Read | mm::PteFlag::Write));
    CHECK(!t->flags.has(mm::PteFlag::User));
    CHECK(!mm::kernel_page_table().translate(mm::VirtAddr{mm::kUserBase}).has_value());
}

KTEST("paging/user-space-shares-the-kernel-and-frees-its-frames") {
    const std::size_t before = mm::frames().free_count();
    {
        mm::AddressSpace space;
        REQUIRE(space.init(mm::frames(), mm::kernel_page_table()).ok());
        REQUIRE(space.map_zeroed(mm::kUserBase, 3 * mm::kPageSize, mm::PteFlag::Read | mm::PteFlag::Write).ok());
        CHECK_EQ(space.mapped_pages(), 3U);
        // The kernel's code is reachable through the user table (traps land there) ...
        mm::activate(space);
        CHECK_EQ(g_probe, 7);
        mm::activate_kernel_space();
        // ... but not as user memory.
        CHECK(!space.translate(reinterpret_cast<std::uint64_t>(&g_probe)).has_value());
        const std::uint64_t word = 0x1234'5678;
        CHECK(mm::copy_out(space, mm::kUserBase + mm::kPageSize - 4, &word, sizeof word).ok());
        std::uint64_t back = 0;
        CHECK(mm::copy_in(space, &back, mm::kUserBase + mm::kPageSize - 4, sizeof back).ok());
        CHECK_EQ(back, word);
        CHECK(mm::copy_in(space, &back, mm::kUserBase + 3 * mm::kPageSize - 4, sizeof back).error() ==
              Error::BadAddress);
        CHECK(mm::frames().free_count() < before);
    }
    CHECK_EQ(mm::frames().free_count(), before);
}

// No hart may have a table loaded when it is destroyed: the frame allocator checks.
KTEST("paging/a-table-left-before-it-is-freed-frees-cleanly") {
    const std::size_t before = mm::frames().free_count();
    {
        mm::AddressSpace space;
        REQUIRE(space.init(mm::frames(), mm::kernel_page_table()).ok());
        mm::activate(space);
        CHECK_EQ(arch::satp.read(), space.satp());
        mm::activate_kernel_space();
        CHECK_EQ(arch::satp.read(), mm::kernel_page_table().satp());
    }
    CHECK_EQ(mm::frames().free_count(), before);
}

KTEST_PANICS("paging/freeing-a-table-a-hart-has-loaded-is-caught", "this hart still has it loaded") {
    mm::AddressSpace space;
    REQUIRE(space.init(mm::frames(), mm::kernel_page_table()).ok());
    mm::activate(space);
    space.destroy();  // its root is this hart's satp: the allocator must refuse
}
