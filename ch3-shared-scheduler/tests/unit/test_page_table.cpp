/// @file test_page_table.cpp
/// @brief Unit tests: Sv39 page tables (map, walk, translate, gigapages, teardown) and user
/// address spaces (map_zeroed, unmap, copy_in, copy_out, copy_in_string) over host frames.
#include <array>
#include <catch2/catch.hpp>
#include <cstdint>
#include <cstring>
#include <initializer_list>
#include <type_traits>
#include <vector>

#include "cops/mm/address_space.hpp"
#include "cops/mm/page_table.hpp"
#include "host_frames.hpp"

using namespace cops;
using namespace cops::mm;
using cops::test::frame_address;
using cops::test::frame_ptr;
using cops::test::HostFrames;

namespace {

/// A user-half page (VPN[2] = 4, VPN[1] = 0x11a, VPN[0] = 0x56).
constexpr VirtAddr kVa{0x1'2345'6000};
/// A made-up physical page: pure page-table tests never dereference it.
constexpr PhysAddr kPa{0x8765'4000};
/// First user address, shorter.
constexpr std::uint64_t kB = kUserBase;

/// Read + Write.
constexpr PteFlags kRW = PteFlag::Read | PteFlag::Write;
/// Valid + Accessed + Dirty: what map() adds to every leaf.
constexpr PteFlags kVAD = PteFlag::Valid | PteFlag::Accessed | PteFlag::Dirty;

/// A fresh table whose frames come from @p frames.
PageTable make_table(HostFrames& frames) {
    auto t = PageTable::create(frames);
    REQUIRE(t.ok());
    REQUIRE(t.value().root() != nullptr);
    return t.value();
}

/// A kernel table (identity gigapages for 0..4 GiB, no U) and a user space sharing it.
struct Space {
    HostFrames frames;     ///< every frame of both tables
    PageTable kernel;      ///< the kernel's table
    AddressSpace space;    ///< the user space under test
    std::size_t base = 0;  ///< frames live right after init (the two roots)

    Space() {
        kernel = make_table(frames);
        for (unsigned i = 0; i < kKernelRootEntries; ++i) {
            REQUIRE(kernel.map_giga(VirtAddr{i * kGigaPage}, PhysAddr{i * kGigaPage},
                                    PteFlag::Read | PteFlag::Write | PteFlag::Execute | PteFlag::Global));
        }
        REQUIRE(space.init(frames, kernel));
        base = frames.live();
        REQUIRE(base == 2);
    }
    ~Space() {
        space.destroy();
        kernel.destroy();
    }
    Space(const Space&) = delete;
    Space& operator=(const Space&) = delete;
};

/// The host pointer behind user address @p va of @p space (which must be mapped).
unsigned char* host_byte(const AddressSpace& space, std::uint64_t va) {
    const auto t = space.translate(va);
    REQUIRE(t.has_value());
    return static_cast<unsigned char*>(frame_ptr(t->physical));
}

}  // namespace

// ---------------------------------------------------------------------------------------
// PageTable
// ---------------------------------------------------------------------------------------

// Virtual and physical addresses do not mix (address.hpp): these would all compile
// with bare integers, and each is a mistake.
static_assert(!std::is_convertible_v<std::uint64_t, VirtAddr>, "an integer is not silently an address");
static_assert(!std::is_convertible_v<VirtAddr, PhysAddr> && !std::is_convertible_v<PhysAddr, VirtAddr>);
static_assert(!std::is_invocable_v<decltype(&PageTable::map), PageTable&, PhysAddr, VirtAddr, PteFlags>,
              "map(pa, va) with its arguments swapped does not compile");
static_assert(std::is_invocable_v<decltype(&PageTable::map), PageTable&, VirtAddr, PhysAddr, PteFlags>);
static_assert((kVa + 0x10) - kVa == 0x10 && kVa.aligned_to(kPageSize) && (kVa + 5).offset_in(kPageSize) == 5);

TEST_CASE("addresses: aligned, offsets and rounding", "[paging]") {
    REQUIRE((kPa + 0x123).align_down(kPageSize) == kPa);
    REQUIRE((kPa + 0x123).offset_in(kPageSize) == 0x123);
    REQUIRE_FALSE((kPa + 8).aligned_to(kPageSize));
    REQUIRE(kPa - kPageSize < kPa);
    REQUIRE(Catch::StringMaker<PhysAddr>::convert(kPa) == "0x87654000");
}

TEST_CASE("page table: map and translate keep the page offset and add V, A and D", "[paging][lab]") {
    HostFrames f;
    PageTable t = make_table(f);
    REQUIRE(f.live() == 1);

    REQUIRE(t.map(kVa, kPa, kRW));
    REQUIRE(f.live() == 3);  // root + a level-1 and a level-0 table

    for (std::uint64_t off : std::initializer_list<std::uint64_t>{0x0, 0x1, 0x123, 0x800, 0xfff}) {
        const auto tr = t.translate(kVa + off);
        REQUIRE(tr.has_value());
        REQUIRE(tr->physical == kPa + off);
        REQUIRE(tr->flags.bits == (kRW | kVAD).bits);
    }
    REQUIRE_FALSE(t.translate(kVa - 1).has_value());
    REQUIRE_FALSE(t.translate(kVa + kPageSize).has_value());
    REQUIRE_FALSE(t.translate(kVa + kGigaPage).has_value());

    // Other flags are kept as given; V, A and D are always added. (Not U: destroy() would
    // free a U page, and this one is made up.)
    REQUIRE(t.map(kVa + kPageSize, kPa + kPageSize, PteFlag::Execute | PteFlag::Global));
    const auto x = t.translate(kVa + kPageSize + 8);
    REQUIRE(x.has_value());
    REQUIRE(x->physical == kPa + kPageSize + 8);
    REQUIRE(x->flags.bits == (PteFlag::Execute | PteFlag::Global | kVAD).bits);
    REQUIRE_FALSE(x->flags.has(PteFlag::Write));
    REQUIRE(f.live() == 3);  // same level-0 table

    // The leaf itself, as walk() sees it.
    const Pte* e = t.walk(kVa, false);
    REQUIRE(e != nullptr);
    REQUIRE(e->valid());
    REQUIRE(e->leaf());
    REQUIRE(e->address() == kPa);

    // The last page of the lower half is mappable.
    REQUIRE(t.map(VirtAddr{kSv39LowerHalfEnd - kPageSize}, kPa, PteFlag::Read));
    REQUIRE(t.translate(VirtAddr{kSv39LowerHalfEnd - 1})->physical == kPa + 0xfff);
    REQUIRE_FALSE(t.translate(VirtAddr{kSv39LowerHalfEnd}).has_value());
    REQUIRE_FALSE(t.translate(VirtAddr{~0ULL}).has_value());

    t.destroy();
    REQUIRE(f.live() == 0);
    REQUIRE(f.bad_frees() == 0);
}

TEST_CASE("page table: walk allocates missing levels only when asked", "[paging][lab]") {
    HostFrames f;
    PageTable t = make_table(f);

    REQUIRE(t.walk(kVa, false) == nullptr);
    REQUIRE(f.live() == 1);

    Pte* e = t.walk(kVa, true);
    REQUIRE(e != nullptr);
    REQUIRE_FALSE(e->valid());  // a fresh level-0 entry
    REQUIRE(f.live() == 3);

    // The created levels are non-leaf pointers (V only).
    const Pte root_entry = t.root()[vpn(kVa, 2)];
    REQUIRE(root_entry.valid());
    REQUIRE_FALSE(root_entry.leaf());
    REQUIRE(root_entry.flags().bits == PteFlags{PteFlag::Valid}.bits);

    // Found again without creating; neighbours share the level-0 table.
    REQUIRE(t.walk(kVa, false) == e);
    REQUIRE(t.walk(kVa, true) == e);
    REQUIRE(t.walk(kVa + kPageSize, false) == e + 1);
    REQUIRE(t.walk(kVa + 0x7ff, false) == e);  // the offset is ignored
    REQUIRE(f.live() == 3);

    // Another 2 MiB region of the same GiB: one new level-0 table.
    REQUIRE(t.walk(kVa + (2ULL << 20), false) == nullptr);
    REQUIRE(t.walk(kVa + (2ULL << 20), true) != nullptr);
    REQUIRE(f.live() == 4);
    // Another GiB: a level-1 and a level-0 table.
    REQUIRE(t.walk(kVa + kGigaPage, true) != nullptr);
    REQUIRE(f.live() == 6);

    // Outside the lower half there is nothing to walk, and nothing is allocated.
    REQUIRE(t.walk(VirtAddr{kSv39LowerHalfEnd}, true) == nullptr);
    REQUIRE(t.walk(VirtAddr{~0ULL}, true) == nullptr);
    REQUIRE(f.live() == 6);

    // A table without a root walks to nothing.
    PageTable empty;
    REQUIRE(empty.walk(kVa, true) == nullptr);
    REQUIRE_FALSE(empty.translate(kVa).has_value());

    t.destroy();
    REQUIRE(f.live() == 0);
    REQUIRE(f.bad_frees() == 0);
}

TEST_CASE("page table: map refuses unaligned and out-of-range addresses and double maps", "[paging][lab]") {
    HostFrames f;
    PageTable t = make_table(f);

    REQUIRE(t.map(kVa + 1, kPa, kRW).error() == Error::BadAddress);
    REQUIRE(t.map(kVa + 0x800, kPa, kRW).error() == Error::BadAddress);
    REQUIRE(t.map(kVa, kPa + 8, kRW).error() == Error::BadAddress);
    REQUIRE(t.map(kVa, kPa + 0xfff, kRW).error() == Error::BadAddress);
    REQUIRE(t.map(VirtAddr{kSv39LowerHalfEnd}, kPa, kRW).error() == Error::BadAddress);
    REQUIRE(t.map(VirtAddr{1ULL << 39}, kPa, kRW).error() == Error::BadAddress);
    REQUIRE(t.map(VirtAddr{~0ULL - 0xfff}, kPa, kRW).error() == Error::BadAddress);  // page-aligned, upper half
    REQUIRE(f.live() == 1);  // refused before any table was allocated

    REQUIRE(t.map(kVa, kPa, kRW));
    const std::size_t live = f.live();
    REQUIRE(t.map(kVa, kPa + kPageSize, PteFlag::Read).error() == Error::BadState);
    // The first mapping is untouched.
    const auto tr = t.translate(kVa);
    REQUIRE(tr.has_value());
    REQUIRE(tr->physical == kPa);
    REQUIRE(tr->flags.bits == (kRW | kVAD).bits);
    REQUIRE(f.live() == live);

    t.destroy();
    REQUIRE(f.live() == 0);
}

TEST_CASE("page table: map reports OutOfMemory when frames run out, without leaking", "[paging][lab]") {
    HostFrames f;

    SECTION("create with no frame") {
        f.fail_after(0);
        const auto t = PageTable::create(f);
        REQUIRE_FALSE(t.ok());
        REQUIRE(t.error() == Error::OutOfMemory);
        REQUIRE(f.live() == 0);
    }

    SECTION("a level table cannot be allocated") {
        PageTable t = make_table(f);
        f.fail_after(1);  // the level-1 table, but not the level-0 one
        REQUIRE(t.map(kVa, kPa, kRW).error() == Error::OutOfMemory);
        REQUIRE(f.refused() == 1);
        REQUIRE(f.live() == 2);  // the level-1 table stays linked in: destroy() frees it
        REQUIRE_FALSE(t.translate(kVa).has_value());

        f.fail_after(0);
        REQUIRE(t.walk(kVa, true) == nullptr);
        REQUIRE(t.map(kVa, kPa, kRW).error() == Error::OutOfMemory);
        REQUIRE(f.live() == 2);

        f.never_fail();
        REQUIRE(t.map(kVa, kPa, kRW));
        REQUIRE(f.live() == 3);
        REQUIRE(t.translate(kVa)->physical == kPa);

        t.destroy();
        REQUIRE(f.live() == 0);
        REQUIRE(f.bad_frees() == 0);
    }

    SECTION("out of memory, then torn down without a retry") {
        PageTable t = make_table(f);
        f.fail_after(0);
        REQUIRE(t.map(kVa, kPa, kRW).error() == Error::OutOfMemory);
        REQUIRE(f.live() == 1);
        f.fail_after(1);
        REQUIRE(t.map(kVa + kGigaPage, kPa, kRW).error() == Error::OutOfMemory);
        REQUIRE(f.live() == 2);
        t.destroy();
        REQUIRE(f.live() == 0);
        REQUIRE(f.bad_frees() == 0);
    }
}

TEST_CASE("page table: unmap returns the frame and the page is gone", "[paging]") {
    HostFrames f;
    PageTable t = make_table(f);
    REQUIRE(t.map(kVa, kPa, kRW));
    REQUIRE(t.map(kVa + kPageSize, kPa + kPageSize, kRW));
    const std::size_t live = f.live();

    const auto pa = t.unmap(kVa);
    REQUIRE(pa.ok());
    REQUIRE(pa.value() == kPa);
    REQUIRE_FALSE(t.translate(kVa).has_value());
    REQUIRE_FALSE(t.translate(kVa + 0x10).has_value());
    REQUIRE(t.translate(kVa + kPageSize)->physical == kPa + kPageSize);  // the neighbour stays
    REQUIRE(f.live() == live);                                           // tables stay; the frame is the caller's

    // Nothing left to unmap there, nor where nothing was ever mapped.
    REQUIRE(t.unmap(kVa).error() == Error::NotFound);
    REQUIRE(t.unmap(kVa + kGigaPage).error() == Error::NotFound);
    REQUIRE(t.unmap(VirtAddr{kSv39LowerHalfEnd}).error() == Error::NotFound);

    // The page can be mapped again.
    REQUIRE(t.map(kVa, kPa + 0x10000, PteFlag::Read));
    REQUIRE(t.translate(kVa + 4)->physical == kPa + 0x10004);

    t.destroy();
    REQUIRE(f.live() == 0);
}

TEST_CASE("page table: a gigapage translates with its offset and has no level-0 entry", "[paging]") {
    HostFrames f;
    PageTable t = make_table(f);
    constexpr VirtAddr kGigaVa{2 * kGigaPage};
    constexpr PhysAddr kGigaPa{5 * kGigaPage};
    const PteFlags rwx = PteFlag::Read | PteFlag::Write | PteFlag::Execute;

    REQUIRE(t.map_giga(kGigaVa, kGigaPa, rwx));
    REQUIRE(f.live() == 1);  // a root leaf needs no table

    for (std::uint64_t off : std::initializer_list<std::uint64_t>{0x0, 0x1, 0x1234'5678, kGigaPage - 1}) {
        const auto tr = t.translate(kGigaVa + off);
        REQUIRE(tr.has_value());
        REQUIRE(tr->physical == kGigaPa + off);
        REQUIRE(tr->flags.bits == (rwx | kVAD).bits);
    }
    REQUIRE_FALSE(t.translate(kGigaVa + kGigaPage).has_value());
    REQUIRE_FALSE(t.translate(kGigaVa - 1).has_value());

    // No level-0 entry under a gigapage, and walk() does not build one.
    REQUIRE(t.walk(kGigaVa + 0x5000, false) == nullptr);
    REQUIRE(t.walk(kGigaVa + 0x5000, true) == nullptr);
    REQUIRE(f.live() == 1);
    REQUIRE(t.root()[2].leaf());

    // A 4 KiB page inside the gigapage is already mapped.
    REQUIRE(t.map(kGigaVa + 0x5000, kPa, kRW).error() == Error::BadState);
    REQUIRE_FALSE(t.unmap(kGigaVa + 0x5000).ok());
    REQUIRE(t.translate(kGigaVa + 0x5000)->physical == kGigaPa + 0x5000);  // still there

    // map_giga's own checks.
    REQUIRE(t.map_giga(kGigaVa + kPageSize, kGigaPa, rwx).error() == Error::BadAddress);
    REQUIRE(t.map_giga(kGigaVa + kGigaPage, kGigaPa + kPageSize, rwx).error() == Error::BadAddress);
    REQUIRE(t.map_giga(VirtAddr{kSv39LowerHalfEnd}, kGigaPa, rwx).error() == Error::BadAddress);
    REQUIRE(t.map_giga(kGigaVa, PhysAddr{0}, rwx).error() == Error::BadState);
    REQUIRE(t.map(kVa, kPa, kRW));  // root entry 4 now points to a table
    REQUIRE(t.map_giga(VirtAddr{4 * kGigaPage}, PhysAddr{0}, rwx).error() == Error::BadState);
    REQUIRE(t.translate(kVa)->physical == kPa);

    PageTable empty;
    REQUIRE(empty.map_giga(VirtAddr{0}, PhysAddr{0}, rwx).error() == Error::BadAddress);

    t.destroy();
    REQUIRE(f.live() == 0);
    REQUIRE(f.bad_frees() == 0);
}

TEST_CASE("page table: shared root entries are copied, and destroy leaves them to their owner", "[paging]") {
    HostFrames f;
    PageTable kernel = make_table(f);
    const PteFlags krwx = PteFlag::Read | PteFlag::Write | PteFlag::Execute | PteFlag::Global;
    for (unsigned i = 0; i < kKernelRootEntries; ++i) {
        REQUIRE(kernel.map_giga(VirtAddr{i * kGigaPage}, PhysAddr{i * kGigaPage}, krwx));
    }
    REQUIRE(f.live() == 1);

    PageTable user = make_table(f);
    user.share_root_entries(kernel, 0, kKernelRootEntries);
    for (unsigned i = 0; i < kPtesPerTable; ++i) {
        if (i < kKernelRootEntries) {
            REQUIRE(user.root()[i].raw == kernel.root()[i].raw);
        } else {
            REQUIRE_FALSE(user.root()[i].valid());
        }
    }
    REQUIRE(user.root() != kernel.root());
    const auto k = user.translate(VirtAddr{0x8020'0000});
    REQUIRE(k.has_value());
    REQUIRE(k->physical == PhysAddr{0x8020'0000});
    REQUIRE_FALSE(k->flags.has(PteFlag::User));

    // A user page of its own, in a frame the table owns.
    void* page = f.allocate_frame().value();
    REQUIRE(user.map(VirtAddr{kUserBase}, frame_address(page), kRW | PteFlag::User));
    REQUIRE(f.live() == 2 + 2 + 1);  // two roots, two tables, one page

    user.destroy();
    REQUIRE(f.live() == 1);  // only the kernel's root is left
    REQUIRE(f.bad_frees() == 0);
    for (unsigned i = 0; i < kKernelRootEntries; ++i) {
        REQUIRE(kernel.root()[i].valid());
        REQUIRE(kernel.root()[i].leaf());
    }
    REQUIRE(kernel.translate(VirtAddr{3 * kGigaPage + 0x1234})->physical == PhysAddr{3 * kGigaPage + 0x1234});

    // A range past the end of the root is clipped.
    PageTable other = make_table(f);
    other.share_root_entries(kernel, kPtesPerTable - 2, kPtesPerTable + 100);
    REQUIRE_FALSE(other.root()[kPtesPerTable - 1].valid());
    other.destroy();

    kernel.destroy();
    REQUIRE(f.live() == 0);
    REQUIRE(f.bad_frees() == 0);
}

TEST_CASE("page table: destroy frees every table and every User leaf", "[paging]") {
    HostFrames f;
    PageTable t = make_table(f);
    const std::uint64_t user_pages[] = {
        0x1'0000'0000,                  // root 4, level-1 0
        0x1'0000'1000,                  // same level-0 table
        0x1'0020'0000,                  // root 4, level-1 1: a new level-0 table
        0x2'0000'0000,                  // root 8: a new level-1 and level-0 table
        kSv39LowerHalfEnd - kPageSize,  // root 255: the same again
    };
    for (std::uint64_t va : user_pages) {
        void* page = f.allocate_frame().value();
        std::memset(page, 0x5a, kPageSize);
        REQUIRE(t.map(VirtAddr{va}, frame_address(page), kRW | PteFlag::User));
    }
    // A kernel (non-User) leaf whose frame the table does not own: destroy must not free it
    // (HostFrames would report a bad free).
    REQUIRE(t.map(VirtAddr{0x1'0000'2000}, kPa, kRW));
    // A gigapage leaf in the root is not freed either.
    REQUIRE(t.map_giga(VirtAddr{0}, PhysAddr{0}, kRW));

    // 1 root + 3 level-1 + 4 level-0 tables + 5 pages.
    REQUIRE(f.live() == 1 + 3 + 4 + 5);

    t.destroy();
    REQUIRE(f.live() == 0);
    REQUIRE(f.frees() == 13);
    REQUIRE(f.bad_frees() == 0);
    REQUIRE(t.root() == nullptr);
    REQUIRE_FALSE(t.translate(VirtAddr{user_pages[0]}).has_value());
    t.destroy();  // twice is harmless
    REQUIRE(f.bad_frees() == 0);
}

TEST_CASE("page table: satp selects Sv39 and the root's page number", "[paging]") {
    HostFrames f;
    PageTable t = make_table(f);
    const std::uint64_t root = frame_address(t.root()).value();
    REQUIRE(root % kPageSize == 0);
    const std::uint64_t satp = t.satp();
    REQUIRE((satp >> 60) == 8);                          // MODE = Sv39
    REQUIRE(((satp >> 44) & 0xffff) == 0);               // ASID 0
    REQUIRE((satp & ((1ULL << 44) - 1)) == root >> 12);  // PPN of the root
    t.destroy();
}

// ---------------------------------------------------------------------------------------
// AddressSpace
// ---------------------------------------------------------------------------------------

TEST_CASE("address space: init shares the kernel's part and maps no user page", "[paging][uaccess]") {
    Space s;
    REQUIRE(s.space.mapped_pages() == 0);
    REQUIRE((s.space.satp() >> 60) == 8);
    REQUIRE(s.space.satp() != s.kernel.satp());
    // The kernel's map is in the table but is not user memory.
    REQUIRE_FALSE(s.space.translate(0x8020'0000).has_value());
    REQUIRE_FALSE(s.space.translate(kB).has_value());

    HostFrames none;
    none.fail_after(0);
    AddressSpace failed;
    REQUIRE(failed.init(none, s.kernel).error() == Error::OutOfMemory);
    REQUIRE(none.live() == 0);
}

TEST_CASE("address space: map_zeroed maps every page an unaligned range touches", "[paging][uaccess]") {
    Space s;
    REQUIRE(s.space.map_zeroed(kB + 0x800, kPageSize, kRW));  // touches two pages
    REQUIRE(s.space.mapped_pages() == 2);
    REQUIRE(s.frames.live() == s.base + 2 + 2);  // two pages, a level-1 and a level-0 table

    const auto t = s.space.translate(kB);
    REQUIRE(t.has_value());
    REQUIRE(t->flags.bits == (kRW | PteFlag::User | kVAD).bits);
    REQUIRE(s.space.translate(kB + 0x1fff).has_value());
    REQUIRE_FALSE(s.space.translate(kB + 0x2000).has_value());
    REQUIRE_FALSE(s.space.translate(kB - 1).has_value());

    // Zeroed.
    std::vector<unsigned char> got(2 * kPageSize, 0xee);
    REQUIRE(copy_in(s.space, got.data(), kB, got.size()));
    REQUIRE(got == std::vector<unsigned char>(2 * kPageSize, 0));

    // Two bytes across a page boundary take two pages.
    REQUIRE(s.space.map_zeroed(kB + 0x10'0000 - 1, 2, PteFlag::Read));
    REQUIRE(s.space.mapped_pages() == 4);
    REQUIRE(s.space.translate(kB + 0x10'0000 - kPageSize).has_value());
    REQUIRE(s.space.translate(kB + 0x10'0000).has_value());
    REQUIRE_FALSE(s.space.translate(kB + 0x10'0000)->flags.has(PteFlag::Write));

    // One byte takes one page; so does a whole aligned page.
    REQUIRE(s.space.map_zeroed(kB + 0x20'0123, 1, kRW));
    REQUIRE(s.space.map_zeroed(kB + 0x30'0000, kPageSize, kRW));
    REQUIRE(s.space.mapped_pages() == 6);
    REQUIRE_FALSE(s.space.translate(kB + 0x30'0000 + kPageSize).has_value());

    // The last user page.
    REQUIRE(s.space.map_zeroed(kUserEnd - kPageSize, kPageSize, kRW));
    REQUIRE(s.space.mapped_pages() == 7);
}

TEST_CASE("address space: map_zeroed rejects bad ranges", "[paging][uaccess]") {
    Space s;
    AddressSpace& as = s.space;

    REQUIRE(as.map_zeroed(kB, 0, kRW).error() == Error::BadAddress);
    REQUIRE(as.map_zeroed(kB + 0x10, 0, kRW).error() == Error::BadAddress);
    // Below user space, or straddling into it from below.
    REQUIRE(as.map_zeroed(0, kPageSize, kRW).error() == Error::BadAddress);
    REQUIRE(as.map_zeroed(0x8020'0000, kPageSize, kRW).error() == Error::BadAddress);
    REQUIRE(as.map_zeroed(kB - kPageSize, kPageSize, kRW).error() == Error::BadAddress);
    REQUIRE(as.map_zeroed(kB - 1, 2, kRW).error() == Error::BadAddress);
    // Above it, or straddling its end.
    REQUIRE(as.map_zeroed(kUserEnd, kPageSize, kRW).error() == Error::BadAddress);
    REQUIRE(as.map_zeroed(kUserEnd - kPageSize, kPageSize + 1, kRW).error() == Error::BadAddress);
    REQUIRE(as.map_zeroed(kUserEnd - 1, 2, kRW).error() == Error::BadAddress);
    REQUIRE(as.map_zeroed(~0ULL - 0xfff, kPageSize, kRW).error() == Error::BadAddress);
    // Lengths that wrap around 2^64.
    REQUIRE(as.map_zeroed(kB, ~0ULL, kRW).error() == Error::BadAddress);
    REQUIRE(as.map_zeroed(kB + 0x10, ~0ULL, kRW).error() == Error::BadAddress);
    REQUIRE(as.map_zeroed(kB + 0x10, ~0ULL - 0x8, kRW).error() == Error::BadAddress);
    REQUIRE(as.map_zeroed(kB + 0x10, 0 - (kB + 0x10) + kPageSize, kRW).error() == Error::BadAddress);

    REQUIRE(as.mapped_pages() == 0);
    REQUIRE(s.frames.live() == s.base);
    REQUIRE_FALSE(as.translate(kB).has_value());
}

TEST_CASE("address space: map_zeroed stops at an overlap or when memory runs out", "[paging][uaccess]") {
    Space s;
    AddressSpace& as = s.space;

    SECTION("overlap") {
        REQUIRE(as.map_zeroed(kB + kPageSize, kPageSize, kRW));
        REQUIRE(as.mapped_pages() == 1);
        REQUIRE(as.map_zeroed(kB, 3 * kPageSize, kRW).error() == Error::BadState);
        // The page before the overlap stays mapped (destroy() frees it); the frame
        // taken for the overlapping page was given back.
        REQUIRE(as.mapped_pages() == 2);
        REQUIRE(s.frames.live() == s.base + 2 + 2);
        REQUIRE(as.translate(kB).has_value());
        REQUIRE_FALSE(as.translate(kB + 2 * kPageSize).has_value());
    }

    SECTION("out of memory for the level tables") {
        s.frames.fail_after(1);  // the page's frame, but no table for it
        REQUIRE(as.map_zeroed(kB, 3 * kPageSize, kRW).error() == Error::OutOfMemory);
        REQUIRE(as.mapped_pages() == 0);
        REQUIRE(s.frames.live() == s.base);  // the frame went back
    }

    SECTION("out of memory for a page") {
        s.frames.fail_after(3);  // first page and its two tables
        REQUIRE(as.map_zeroed(kB, 3 * kPageSize, kRW).error() == Error::OutOfMemory);
        REQUIRE(as.mapped_pages() == 1);
        REQUIRE(s.frames.live() == s.base + 3);
        s.frames.never_fail();
    }

    as.destroy();
    REQUIRE(as.mapped_pages() == 0);
    REQUIRE(s.frames.live() == 1);  // the kernel's root
    REQUIRE(s.frames.bad_frees() == 0);
}

TEST_CASE("address space: write then copy_in reads it back", "[paging][uaccess][lab]") {
    Space s;
    AddressSpace& as = s.space;
    REQUIRE(as.map_zeroed(kB, 2 * kPageSize, kRW));
    REQUIRE(as.map_zeroed(kB + 0x10'0000, kPageSize, PteFlag::Read));

    std::array<unsigned char, 300> data{};
    for (std::size_t i = 0; i < data.size(); ++i) {
        data[i] = static_cast<unsigned char>(i * 7 + 3);
    }
    // Across the boundary of the two pages.
    REQUIRE(as.write(kB + kPageSize - 100, data.data(), data.size()));
    std::array<unsigned char, 300> got{};
    REQUIRE(copy_in(as, got.data(), kB + kPageSize - 100, got.size()));
    REQUIRE(got == data);

    // write() ignores permissions: a read-only page (the loader fills text this way).
    REQUIRE(as.write(kB + 0x10'0000 + 5, data.data(), 10));
    std::array<unsigned char, 10> ro{};
    REQUIRE(copy_in(as, ro.data(), kB + 0x10'0000 + 5, ro.size()));
    REQUIRE(std::memcmp(ro.data(), data.data(), ro.size()) == 0);

    // ...but not unmapped pages, nor addresses outside user space.
    REQUIRE(as.write(kB + 2 * kPageSize, data.data(), 1).error() == Error::BadAddress);
    REQUIRE(as.write(kB + 2 * kPageSize - 1, data.data(), 2).error() == Error::BadAddress);
    REQUIRE(as.write(0x8020'0000, data.data(), 1).error() == Error::BadAddress);
    REQUIRE(as.write(kB, data.data(), ~0ULL).error() == Error::BadAddress);
}

TEST_CASE("address space: copy_out needs Write and copy_in needs Read", "[paging][uaccess][lab]") {
    Space s;
    AddressSpace& as = s.space;
    REQUIRE(as.map_zeroed(kB, kPageSize, PteFlag::Read));
    REQUIRE(as.map_zeroed(kB + kPageSize, kPageSize, PteFlag::Execute));
    REQUIRE(as.map_zeroed(kB + 2 * kPageSize, kPageSize, kRW));
    REQUIRE(as.write(kB, "secret", 6));
    REQUIRE(as.write(kB + kPageSize, "code", 4));

    char buf[8] = {};
    // Read-only: copy_in works, copy_out does not (and leaves the page alone).
    REQUIRE(copy_in(as, buf, kB, 6));
    REQUIRE(std::memcmp(buf, "secret", 6) == 0);
    REQUIRE(copy_out(as, kB, "XXXXXX", 6).error() == Error::BadAddress);
    REQUIRE(std::memcmp(host_byte(as, kB), "secret", 6) == 0);

    // Execute-only: neither.
    REQUIRE(copy_in(as, buf, kB + kPageSize, 4).error() == Error::BadAddress);
    REQUIRE(copy_out(as, kB + kPageSize, "XXXX", 4).error() == Error::BadAddress);
    REQUIRE(std::memcmp(host_byte(as, kB + kPageSize), "code", 4) == 0);

    // Read-write: both.
    REQUIRE(copy_out(as, kB + 2 * kPageSize + 1, "hello", 5));
    std::memset(buf, 0, sizeof buf);
    REQUIRE(copy_in(as, buf, kB + 2 * kPageSize + 1, 5));
    REQUIRE(std::memcmp(buf, "hello", 5) == 0);
    REQUIRE(std::memcmp(host_byte(as, kB + 2 * kPageSize + 1), "hello", 5) == 0);

    // A copy that runs from a writable page into a read-only one fails.
    REQUIRE(as.map_zeroed(kB + 3 * kPageSize, kPageSize, PteFlag::Read));
    REQUIRE(copy_out(as, kB + 3 * kPageSize - 2, "abcd", 4).error() == Error::BadAddress);
}

TEST_CASE("address space: user_range_allowed checks every page of a range", "[paging][uaccess]") {
    Space s;
    AddressSpace& as = s.space;
    REQUIRE(as.map_zeroed(kB, kPageSize, kRW));
    REQUIRE(as.map_zeroed(kB + kPageSize, kPageSize, PteFlag::Read));
    CHECK(cops::mm::user_range_allowed(as, kB + 8, 2 * kPageSize - 16, PteFlag::Read));
    CHECK_FALSE(cops::mm::user_range_allowed(as, kB + 8, 2 * kPageSize - 16, PteFlag::Write));
    CHECK(cops::mm::user_range_allowed(as, kB + 8, kPageSize - 8, PteFlag::Write));
    CHECK_FALSE(cops::mm::user_range_allowed(as, kB + kPageSize, kPageSize + 1, PteFlag::Read));  // past the end
    CHECK_FALSE(cops::mm::user_range_allowed(as, kB, ~std::uint64_t{0}, PteFlag::Read));          // wraps
    CHECK_FALSE(cops::mm::user_range_allowed(as, 0, 8, PteFlag::Read));                           // null
    CHECK(cops::mm::user_range_allowed(as, kB, 0, PteFlag::Write));                               // nothing to check
}

TEST_CASE("address space: copies cross a page boundary between frames that are not contiguous",
          "[paging][uaccess][lab]") {
    Space s;
    AddressSpace& as = s.space;
    REQUIRE(as.map_zeroed(kB, kPageSize, kRW));
    REQUIRE(as.map_zeroed(kB + kPageSize, kPageSize, kRW));
    unsigned char* p0 = host_byte(as, kB);
    unsigned char* p1 = host_byte(as, kB + kPageSize);
    REQUIRE(p1 != p0 + kPageSize);  // otherwise this test proves nothing

    std::array<unsigned char, 100> data{};
    for (std::size_t i = 0; i < data.size(); ++i) {
        data[i] = static_cast<unsigned char>(0x80 + i);
    }
    REQUIRE(copy_out(as, kB + kPageSize - 40, data.data(), data.size()));
    REQUIRE(std::memcmp(p0 + kPageSize - 40, data.data(), 40) == 0);
    REQUIRE(std::memcmp(p1, data.data() + 40, 60) == 0);
    REQUIRE(p1[60] == 0);
    REQUIRE(p0[kPageSize - 41] == 0);

    std::array<unsigned char, 100> got{};
    REQUIRE(copy_in(as, got.data(), kB + kPageSize - 40, got.size()));
    REQUIRE(got == data);

    // Both whole pages at once.
    std::vector<unsigned char> all(2 * kPageSize);
    REQUIRE(copy_in(as, all.data(), kB, all.size()));
    REQUIRE(std::memcmp(all.data() + kPageSize - 40, data.data(), data.size()) == 0);
}

TEST_CASE("address space: copies reject bad user ranges", "[paging][uaccess][lab]") {
    Space s;
    AddressSpace& as = s.space;
    REQUIRE(as.map_zeroed(kB, 2 * kPageSize, kRW));
    REQUIRE(as.map_zeroed(kUserEnd - kPageSize, kPageSize, kRW));
    const std::uint64_t end = kB + 2 * kPageSize;  // the end of the first mapping

    std::vector<unsigned char> buf(2 * kPageSize + 64, 0xaa);
    const std::vector<unsigned char> untouched = buf;
    std::vector<unsigned char> src(2 * kPageSize + 64, 0x11);

    SECTION("straddling the end of a mapping") {
        REQUIRE(copy_in(as, buf.data(), end - 8, 16).error() == Error::BadAddress);
        REQUIRE(copy_out(as, end - 8, src.data(), 16).error() == Error::BadAddress);
        REQUIRE(copy_in(as, buf.data(), end - 8, 8));  // up to the end is fine
        REQUIRE(copy_out(as, end - 8, src.data(), 8));
        REQUIRE(copy_in(as, buf.data(), end, 1).error() == Error::BadAddress);
    }

    SECTION("null") {
        REQUIRE(copy_in(as, buf.data(), 0, 1).error() == Error::BadAddress);
        REQUIRE(copy_out(as, 0, src.data(), 1).error() == Error::BadAddress);
        REQUIRE(copy_in(as, buf.data(), 0, 0).error() == Error::BadAddress);
        REQUIRE(copy_out(as, 0, src.data(), 0).error() == Error::BadAddress);
        REQUIRE(buf == untouched);
    }

    SECTION("kernel addresses, mapped in the table but without U") {
        REQUIRE(copy_in(as, buf.data(), 0x8020'0000, 8).error() == Error::BadAddress);
        REQUIRE(copy_out(as, 0x8020'0000, src.data(), 8).error() == Error::BadAddress);
        REQUIRE(copy_in(as, buf.data(), kB - 8, 16).error() == Error::BadAddress);  // straddles into user space
        REQUIRE(copy_out(as, kB - 8, src.data(), 16).error() == Error::BadAddress);
        REQUIRE(buf == untouched);
    }

    SECTION("beyond the lower half") {
        REQUIRE(copy_in(as, buf.data(), kUserEnd, 1).error() == Error::BadAddress);
        REQUIRE(copy_in(as, buf.data(), kUserEnd - 4, 8).error() == Error::BadAddress);
        REQUIRE(copy_out(as, kUserEnd - 4, src.data(), 8).error() == Error::BadAddress);
        REQUIRE(copy_in(as, buf.data(), ~0ULL - 3, 4).error() == Error::BadAddress);
        REQUIRE(copy_out(as, ~0ULL, src.data(), 1).error() == Error::BadAddress);
        REQUIRE(copy_in(as, buf.data(), kUserEnd - 4, 4));  // the very last bytes are fine
    }

    SECTION("huge and wrapping lengths fail before anything is copied") {
        REQUIRE(as.write(kB, src.data(), 2 * kPageSize));
        REQUIRE(copy_in(as, buf.data(), kB, ~0ULL).error() == Error::BadAddress);
        REQUIRE(copy_in(as, buf.data(), kB + 0x10, 0 - (kB + 0x10) + 0x20).error() == Error::BadAddress);
        REQUIRE(copy_in(as, buf.data(), kB, kUserEnd).error() == Error::BadAddress);
        REQUIRE(buf == untouched);

        const std::vector<unsigned char> zeros(2 * kPageSize, 0);
        REQUIRE(as.write(kB, zeros.data(), zeros.size()));
        REQUIRE(copy_out(as, kB, src.data(), ~0ULL).error() == Error::BadAddress);
        REQUIRE(copy_out(as, kB + 0x10, src.data(), 0 - (kB + 0x10) + 0x20).error() == Error::BadAddress);
        std::vector<unsigned char> after(2 * kPageSize, 0xaa);
        REQUIRE(copy_in(as, after.data(), kB, after.size()));
        REQUIRE(after == zeros);
    }

    SECTION("unmapped user addresses") {
        REQUIRE(copy_in(as, buf.data(), kB + 0x10'0000, 1).error() == Error::BadAddress);
        REQUIRE(copy_out(as, kB + 0x10'0000, src.data(), 1).error() == Error::BadAddress);
        REQUIRE(copy_in(as, buf.data(), kUserEnd - 2 * kPageSize, 1).error() == Error::BadAddress);
    }

    SECTION("zero bytes at a valid address") {
        REQUIRE(copy_in(as, buf.data(), kB + 5, 0));
        REQUIRE(copy_out(as, kB + 5, src.data(), 0));
        REQUIRE(copy_in(as, buf.data(), end, 0));  // one past the mapping: nothing is touched
        REQUIRE(buf == untouched);
    }
}

TEST_CASE("address space: copy_in_string returns the length and stops at the NUL", "[paging][uaccess]") {
    Space s;
    AddressSpace& as = s.space;
    REQUIRE(as.map_zeroed(kB, 2 * kPageSize, kRW));
    char buf[64];

    SECTION("a short string") {
        REQUIRE(as.write(kB + 10, "hello", 6));
        std::memset(buf, 'x', sizeof buf);
        const auto n = copy_in_string(as, buf, sizeof buf, kB + 10);
        REQUIRE(n.ok());
        REQUIRE(n.value() == 5);
        REQUIRE(std::strcmp(buf, "hello") == 0);
        REQUIRE(buf[6] == 'x');  // nothing after the NUL
    }

    SECTION("the empty string") {
        const auto n = copy_in_string(as, buf, sizeof buf, kB + 100);
        REQUIRE(n.ok());
        REQUIRE(n.value() == 0);
        REQUIRE(buf[0] == '\0');
    }

    SECTION("a string across a page boundary") {
        REQUIRE(as.write(kB + kPageSize - 3, "abcdef", 7));
        const auto n = copy_in_string(as, buf, sizeof buf, kB + kPageSize - 3);
        REQUIRE(n.ok());
        REQUIRE(n.value() == 6);
        REQUIRE(std::strcmp(buf, "abcdef") == 0);
    }

    SECTION("capacity counts the NUL") {
        REQUIRE(as.write(kB, "abcdefgh", 9));
        const auto fits = copy_in_string(as, buf, 9, kB);
        REQUIRE(fits.ok());
        REQUIRE(fits.value() == 8);
        REQUIRE(copy_in_string(as, buf, 8, kB).error() == Error::Malformed);
        REQUIRE(copy_in_string(as, buf, 4, kB).error() == Error::Malformed);
        REQUIRE(copy_in_string(as, buf, 0, kB).error() == Error::Malformed);
    }

    SECTION("no NUL within the capacity, across a page boundary") {
        std::vector<unsigned char> xs(100, 'x');
        REQUIRE(as.write(kB + kPageSize - 50, xs.data(), xs.size()));
        REQUIRE(copy_in_string(as, buf, sizeof buf, kB + kPageSize - 50).error() == Error::Malformed);
    }

    SECTION("a string that runs into an unmapped page") {
        std::vector<unsigned char> xs(16, 'x');
        REQUIRE(as.write(kB + 2 * kPageSize - 16, xs.data(), xs.size()));
        REQUIRE(copy_in_string(as, buf, sizeof buf, kB + 2 * kPageSize - 16).error() == Error::BadAddress);
    }

    SECTION("bad pointers") {
        REQUIRE(copy_in_string(as, buf, sizeof buf, 0).error() == Error::BadAddress);
        REQUIRE(copy_in_string(as, buf, sizeof buf, 0x8020'0000).error() == Error::BadAddress);
        REQUIRE(copy_in_string(as, buf, sizeof buf, kB + 0x10'0000).error() == Error::BadAddress);
        REQUIRE(copy_in_string(as, buf, sizeof buf, kUserEnd).error() == Error::BadAddress);
        REQUIRE(copy_in_string(as, buf, sizeof buf, ~0ULL - 2).error() == Error::BadAddress);
    }

    SECTION("a page without Read") {
        REQUIRE(as.map_zeroed(kB + 0x10'0000, kPageSize, PteFlag::Execute));
        REQUIRE(copy_in_string(as, buf, sizeof buf, kB + 0x10'0000).error() == Error::BadAddress);
    }
}

TEST_CASE("address space: unmap frees the pages a range touches", "[paging][uaccess]") {
    Space s;
    AddressSpace& as = s.space;
    REQUIRE(as.map_zeroed(kB, 3 * kPageSize, kRW));
    REQUIRE(as.mapped_pages() == 3);
    REQUIRE(s.frames.live() == s.base + 3 + 2);

    as.unmap(kB + kPageSize, kPageSize);
    REQUIRE(as.mapped_pages() == 2);
    REQUIRE(s.frames.live() == s.base + 2 + 2);
    REQUIRE_FALSE(as.translate(kB + kPageSize).has_value());
    char c = 0;
    REQUIRE(copy_in(as, &c, kB + kPageSize, 1).error() == Error::BadAddress);
    REQUIRE(as.translate(kB).has_value());
    REQUIRE(as.translate(kB + 2 * kPageSize).has_value());

    // An unaligned range takes the pages it touches.
    as.unmap(kB + 2 * kPageSize + 0x800, 0x100);
    REQUIRE(as.mapped_pages() == 1);
    REQUIRE_FALSE(as.translate(kB + 2 * kPageSize).has_value());
    as.unmap(kB + 0x10, 0x10);
    REQUIRE(as.mapped_pages() == 0);
    REQUIRE(s.frames.live() == s.base + 2);  // the tables stay until destroy()

    // Nothing mapped there, or not user memory: no effect.
    as.unmap(kB, 3 * kPageSize);
    as.unmap(0x8020'0000, kPageSize);
    as.unmap(kUserEnd, kPageSize);
    REQUIRE(s.frames.live() == s.base + 2);
    REQUIRE(s.kernel.translate(VirtAddr{0x8020'0000})->physical == PhysAddr{0x8020'0000});

    // Unmapped pages can be mapped again.
    REQUIRE(as.map_zeroed(kB + kPageSize, kPageSize, kRW));
    REQUIRE(as.mapped_pages() == 1);
    REQUIRE(s.frames.bad_frees() == 0);
}

TEST_CASE("address space: destroy returns every frame", "[paging][uaccess]") {
    Space s;
    AddressSpace& as = s.space;
    REQUIRE(as.map_zeroed(kB, 5 * kPageSize, PteFlag::Read | PteFlag::Execute));
    REQUIRE(as.map_zeroed(kB + 0x40'0000, 0x3000, kRW));
    REQUIRE(as.map_zeroed(kUserStackTop - kUserStackBytes, kUserStackBytes, kRW));
    REQUIRE(as.mapped_pages() == 5 + 3 + kUserStackBytes / kPageSize);
    REQUIRE(s.frames.live() > s.base + as.mapped_pages());

    as.destroy();
    REQUIRE(as.mapped_pages() == 0);
    REQUIRE(s.frames.live() == 1);  // only the kernel's root
    REQUIRE(s.frames.bad_frees() == 0);
    REQUIRE_FALSE(as.translate(kB).has_value());
    // The kernel's shared gigapages are untouched.
    REQUIRE(s.kernel.translate(VirtAddr{0x8020'0000})->physical == PhysAddr{0x8020'0000});
    as.destroy();  // twice is harmless

    // The destructor destroys too.
    {
        AddressSpace other;
        REQUIRE(other.init(s.frames, s.kernel));
        REQUIRE(other.map_zeroed(kB, 4 * kPageSize, kRW));
        REQUIRE(s.frames.live() == 1 + 1 + 2 + 4);
    }
    REQUIRE(s.frames.live() == 1);
    REQUIRE(s.frames.bad_frees() == 0);
}
