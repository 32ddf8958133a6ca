/// @file paging_hidden_tests.cpp
/// @brief Hidden tests of the page-table walk and map (kernel/mm/page_table.cpp) and
/// of the checked user copies (kernel/mm/user_copy.cpp), on the kernel's frames.
#include "../hidden_support.hpp"
#include "cops/mm/address_space.hpp"
#include "cops/mm/frame_allocator.hpp"
#include "cops/mm/kernel_space.hpp"
#include "cops/test/ktest.hpp"

using namespace cops;

namespace {
constexpr std::uint64_t kVa = 0x12'3456'7000;  // a user address in the middle of the space
constexpr mm::VirtAddr kTableVa{kVa};          // the same, as the page table takes it
const mm::PteFlags kRw = mm::PteFlag::Read | mm::PteFlag::Write;

mm::PhysAddr frame_address() {
    auto f = mm::frames().allocate_frame();
    return f ? mm::physical_of(f.value()) : mm::PhysAddr{};
}
}  // namespace

KTEST("hidden/pagetable-map-then-translate-keeps-the-offset") {
    auto t = mm::PageTable::create(mm::frames());
    HIDDEN_SETUP(t.ok());
    mm::PageTable table = t.value();
    const mm::PhysAddr pa = frame_address();
    HIDDEN_SETUP(pa != mm::PhysAddr{});
    CHECK(table.map(kTableVa, pa, kRw | mm::PteFlag::User).ok());
    const auto tr = table.translate(kTableVa + 0x123);
    CHECK(tr.has_value() && tr->physical == pa + 0x123);
    CHECK(tr.has_value() && tr->flags.has(kRw | mm::PteFlag::User | mm::PteFlag::Valid));
    CHECK(tr.has_value() && tr->flags.has(mm::PteFlag::Accessed | mm::PteFlag::Dirty));
    CHECK(!table.translate(kTableVa + mm::kPageSize).has_value());
    table.destroy();  // frees pa too (a U leaf)
}

KTEST("hidden/pagetable-walk-without-create-allocates-nothing") {
    auto t = mm::PageTable::create(mm::frames());
    HIDDEN_SETUP(t.ok());
    mm::PageTable table = t.value();
    const std::size_t before = mm::frames().free_count();
    CHECK(table.walk(kTableVa, false) == nullptr);
    CHECK_EQ(mm::frames().free_count(), before);
    mm::Pte* e = table.walk(kTableVa, true);
    CHECK(e != nullptr && !e->valid());
    CHECK_EQ(mm::frames().free_count(), before - 2);  // a level-1 and a level-0 table
    CHECK(table.walk(kTableVa, false) == e);
    CHECK(table.walk(kTableVa + mm::kPageSize, false) == e + 1);  // the neighbour in the same table
    table.destroy();
    CHECK_EQ(mm::frames().free_count(), before + 1);  // and the root
}

KTEST("hidden/pagetable-map-rejects-bad-arguments") {
    auto t = mm::PageTable::create(mm::frames());
    HIDDEN_SETUP(t.ok());
    mm::PageTable table = t.value();
    const mm::PhysAddr pa = frame_address();
    HIDDEN_SETUP(pa != mm::PhysAddr{});
    CHECK(table.map(kTableVa + 8, pa, kRw).error() == Error::BadAddress);
    CHECK(table.map(kTableVa, pa + 8, kRw).error() == Error::BadAddress);
    CHECK(table.map(mm::VirtAddr{1ULL << 38}, pa, kRw).error() == Error::BadAddress);
    CHECK(table.map(kTableVa, pa, kRw).ok());
    CHECK(table.map(kTableVa, pa, kRw).error() == Error::BadState);  // already mapped
    table.destroy();                                                 // no U: pa stays ours
    mm::frames().free_frame(mm::pointer_to(pa));
}

KTEST("hidden/pagetable-gigapage-stops-the-walk") {
    auto t = mm::PageTable::create(mm::frames());
    HIDDEN_SETUP(t.ok());
    mm::PageTable table = t.value();
    CHECK(table.map_giga(mm::VirtAddr{mm::kGigaPage * 2}, mm::PhysAddr{mm::kGigaPage * 2}, kRw).ok());
    CHECK(table.walk(mm::VirtAddr{mm::kGigaPage * 2 + mm::kPageSize}, true) == nullptr);
    const auto tr = table.translate(mm::VirtAddr{mm::kGigaPage * 2 + 0x1234'5678});
    CHECK(tr.has_value() && tr->physical == mm::PhysAddr{mm::kGigaPage * 2 + 0x1234'5678});
    table.destroy();
}

namespace {
/// A user space with pages at kVa (rw), kVa + 1 page (read-only), kVa + 3 pages (rw).
struct Space {
    mm::AddressSpace space;
    bool ok = false;
    Space() {
        ok = space.init(mm::frames(), mm::kernel_page_table()).ok() && space.map_zeroed(kVa, mm::kPageSize, kRw).ok() &&
             space.map_zeroed(kVa + mm::kPageSize, mm::kPageSize, mm::PteFlag::Read).ok() &&
             space.map_zeroed(kVa + 3 * mm::kPageSize, mm::kPageSize, kRw).ok();
    }
};
}  // namespace

KTEST("hidden/usercopy-needs-write-permission-to-copy-out") {
    Space s;
    HIDDEN_SETUP(s.ok);
    const char data[8] = "abcdefg";
    CHECK(mm::copy_out(s.space, kVa + mm::kPageSize + 16, data, sizeof data).error() == Error::BadAddress);
    CHECK(mm::copy_out(s.space, kVa + mm::kPageSize - 4, data, sizeof data).error() == Error::BadAddress);
    CHECK(mm::copy_out(s.space, kVa + 16, data, sizeof data).ok());
    char back[8] = {};
    CHECK(mm::copy_in(s.space, back, kVa + 16, sizeof back).ok() && back[6] == 'g');
    CHECK(mm::copy_in(s.space, back, kVa + mm::kPageSize + 16, sizeof back).ok());  // read-only reads fine
}

KTEST("hidden/usercopy-spans-pages-in-any-frames") {
    Space s;
    HIDDEN_SETUP(s.ok);
    char big[mm::kPageSize + 64];
    for (std::size_t i = 0; i < sizeof big; ++i) {
        big[i] = static_cast<char>(i * 7);
    }
    // Write across kVa..kVa+1 page with the loader's write(), read back across the boundary.
    HIDDEN_SETUP(s.space.write(kVa + 32, big, sizeof big).ok());
    char back[sizeof big] = {};
    CHECK(mm::copy_in(s.space, back, kVa + 32, sizeof back).ok());
    bool same = true;
    for (std::size_t i = 0; i < sizeof big; ++i) {
        same = same && back[i] == big[i];
    }
    CHECK(same);
}

KTEST("hidden/usercopy-refuses-holes-huge-and-wrapping-ranges") {
    Space s;
    HIDDEN_SETUP(s.ok);
    char buf[64] = {};
    // kVa + 2 pages is a hole between mapped pages.
    CHECK(mm::copy_in(s.space, buf, kVa + 3 * mm::kPageSize - 8, 16).error() == Error::BadAddress);
    CHECK(mm::copy_in(s.space, buf, kVa, ~std::uint64_t{0}).error() == Error::BadAddress);
    CHECK(mm::copy_in(s.space, buf, ~std::uint64_t{0} - 8, 16).error() == Error::BadAddress);
    CHECK(mm::copy_in(s.space, buf, 0, 8).error() == Error::BadAddress);
    CHECK(mm::copy_out(s.space, reinterpret_cast<std::uint64_t>(buf), buf, 8).error() == Error::BadAddress);
    CHECK(mm::copy_in(s.space, buf, kVa + 3 * mm::kPageSize, 0).ok());  // nothing to copy
}

KTEST("hidden/usercopy-string-stops-at-nul-or-capacity") {
    Space s;
    HIDDEN_SETUP(s.ok);
    HIDDEN_SETUP(s.space.write(kVa + mm::kPageSize - 3, "hi there", 9).ok());
    char out[16];
    const auto n = mm::copy_in_string(s.space, out, sizeof out, kVa + mm::kPageSize - 3);
    CHECK(n.ok() && n.value() == 8);
    CHECK(mm::copy_in_string(s.space, out, 4, kVa + mm::kPageSize - 3).error() == Error::Malformed);
}
