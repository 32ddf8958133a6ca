/// @file page_table.cpp
/// @brief Sv39 walk, map, unmap, translate and teardown.
#include "cops/mm/page_table.hpp"

namespace cops::mm {

namespace {
constexpr std::uint64_t kSatpSv39 = 8ULL << 60;

Pte* table_at(PhysAddr address) { return pointer_to<Pte>(address); }
}  // namespace

Result<PageTable> PageTable::create(FrameSource& frames) {
    auto root = frames.allocate_frame();
    if (!root) {
        return root.error();
    }
    PageTable t;
    t.root_ = static_cast<Pte*>(root.value());
    t.frames_ = &frames;
    return t;
}

Pte* PageTable::walk(VirtAddr va, bool create) {
    // LAB(ch3): the page-table walk
    // Start at the root (level 2). At levels 2 and 1, the entry vpn(va, level) either
    // points to the next table, or is missing: then, with `create`, take a zeroed
    // frame from frames_ and point the entry at it (V only: a non-leaf has no R/W/X);
    // without `create`, or when no frame is left, give up with nullptr. A leaf met on
    // the way (a gigapage) also gives nullptr. At level 0, return the entry itself.
    if (root_ == nullptr || !in_lower_half(va)) {
        return nullptr;
    }
    Pte* table = root_;
    for (unsigned level = 2; level > 0; --level) {
        Pte& e = table[vpn(va, level)];
        if (!e.valid()) {
            if (!create) {
                return nullptr;
            }
            auto frame = frames_->allocate_frame();
            if (!frame) {
                return nullptr;
            }
            e = Pte::make(physical_of(frame.value()), PteFlag::Valid);
        } else if (e.leaf()) {
            return nullptr;
        }
        table = table_at(e.address());
    }
    return &table[vpn(va, 0)];
    // LAB-STUB: (void)va; (void)create; (void)table_at;
    // LAB-STUB: return nullptr;
    // END-LAB
}

Status PageTable::map(VirtAddr va, PhysAddr pa, PteFlags flags) {
    // Without R, W or X the entry would read as a pointer to a next-level table.
    if (!flags.has(PteFlag::Read) && !flags.has(PteFlag::Write) && !flags.has(PteFlag::Execute)) {
        return Error::Malformed;
    }
    // LAB(ch3): map one page
    // Check the arguments (page-aligned, va in the lower half), walk with create,
    // refuse to overwrite a valid entry, then store a leaf: the frame, the flags,
    // V, and A and D set in advance. A va inside a gigapage is already mapped too
    // (walk gives nullptr there, as when it runs out of frames).
    if (!va.aligned_to(kPageSize) || !pa.aligned_to(kPageSize) || !in_lower_half(va)) {
        return Error::BadAddress;
    }
    Pte* e = walk(va, true);
    if (e == nullptr) {
        // No frame for a missing level, or va lies inside a gigapage (already mapped).
        return translate(va) ? Error::BadState : Error::OutOfMemory;
    }
    if (e->valid()) {
        return Error::BadState;
    }
    *e = Pte::make(pa, flags | PteFlag::Valid | PteFlag::Accessed | PteFlag::Dirty);
    return {};
    // LAB-STUB: (void)va; (void)pa; (void)flags;
    // LAB-STUB: return Error::OutOfMemory;
    // END-LAB
}

Status PageTable::map_giga(VirtAddr va, PhysAddr pa, PteFlags flags) {
    if (!va.aligned_to(kGigaPage) || !pa.aligned_to(kGigaPage) || !in_lower_half(va) || root_ == nullptr) {
        return Error::BadAddress;
    }
    Pte& e = root_[vpn(va, 2)];
    if (e.valid()) {
        return Error::BadState;
    }
    e = Pte::make(pa, flags | PteFlag::Valid | PteFlag::Accessed | PteFlag::Dirty);
    return {};
}

Result<PhysAddr> PageTable::unmap(VirtAddr va) {
    Pte* e = walk(va, false);
    if (e == nullptr || !e->valid()) {
        return Error::NotFound;
    }
    const PhysAddr pa = e->address();
    *e = Pte{};
    return pa;
}

std::optional<Translation> PageTable::translate(VirtAddr va) const {
    if (root_ == nullptr || !in_lower_half(va)) {
        return std::nullopt;
    }
    const Pte* table = root_;
    for (unsigned level = 2;; --level) {
        const Pte& e = table[vpn(va, level)];
        if (!e.valid()) {
            return std::nullopt;
        }
        if (e.leaf()) {
            const std::uint64_t span = 1ULL << (12 + 9 * level);
            return Translation{e.address() + va.offset_in(span), e.flags()};
        }
        if (level == 0) {
            return std::nullopt;  // a non-leaf at the last level is malformed
        }
        table = table_at(e.address());
    }
}

void PageTable::share_root_entries(const PageTable& other, unsigned first, unsigned last) {
    for (unsigned i = first; i < last && i < kPtesPerTable; ++i) {
        root_[i] = other.root_[i];
    }
}

void PageTable::free_level(Pte* table, unsigned level) {
    for (unsigned i = 0; i < kPtesPerTable; ++i) {
        const Pte e = table[i];
        if (!e.valid()) {
            continue;
        }
        if (!e.leaf()) {
            free_level(table_at(e.address()), level - 1);
            frames_->free_frame(table_at(e.address()));
        } else if (level == 0 && e.flags().has(PteFlag::User) && !e.flags().has(PteFlag::Shared)) {
            frames_->free_frame(pointer_to(e.address()));  // a user page this table owns
        }
        table[i] = Pte{};
    }
}

// Root leaves are skipped: those are the kernel's gigapages that user tables share
// (share_root_entries). The kernel maps its part with gigapages only, so a user table
// never points at a kernel-owned lower-level table.
void PageTable::destroy() {
    if (root_ == nullptr) {
        return;
    }
    frames_->table_retiring(root_);  // the kernel's allocator: no hart may have it loaded
    for (unsigned i = 0; i < kPtesPerTable; ++i) {
        const Pte e = root_[i];
        if (e.valid() && !e.leaf()) {
            free_level(table_at(e.address()), 1);
            frames_->free_frame(table_at(e.address()));
        }
        root_[i] = Pte{};
    }
    frames_->free_frame(root_);
    root_ = nullptr;
}

std::uint64_t PageTable::satp() const { return kSatpSv39 | (reinterpret_cast<std::uintptr_t>(root_) >> 12); }

}  // namespace cops::mm
