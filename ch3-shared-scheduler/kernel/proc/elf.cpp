/// @file elf.cpp
/// @brief ELF64 header and program-header checks.
#include "cops/proc/elf.hpp"

#include <cstring>

namespace cops::proc {

namespace {
// The parts of the ELF64 format the loader reads (see the System V ABI, ch. 4-5).
struct Elf64Header {
    unsigned char ident[16];
    std::uint16_t type;
    std::uint16_t machine;
    std::uint32_t version;
    std::uint64_t entry;
    std::uint64_t phoff;
    std::uint64_t shoff;
    std::uint32_t flags;
    std::uint16_t ehsize;
    std::uint16_t phentsize;
    std::uint16_t phnum;
    std::uint16_t shentsize;
    std::uint16_t shnum;
    std::uint16_t shstrndx;
};
struct Elf64ProgramHeader {
    std::uint32_t type;
    std::uint32_t flags;
    std::uint64_t offset;
    std::uint64_t vaddr;
    std::uint64_t paddr;
    std::uint64_t filesz;
    std::uint64_t memsz;
    std::uint64_t align;
};
static_assert(sizeof(Elf64Header) == 64 && sizeof(Elf64ProgramHeader) == 56);

constexpr unsigned char kMagic[4] = {0x7f, 'E', 'L', 'F'};
constexpr unsigned char kClass64 = 2;
constexpr unsigned char kLittleEndian = 1;
constexpr std::uint16_t kTypeExec = 2;
constexpr std::uint16_t kMachineRiscv = 243;
constexpr std::uint32_t kPtLoad = 1;
constexpr std::uint32_t kPfX = 1;
constexpr std::uint32_t kPfW = 2;
constexpr std::uint32_t kPfR = 4;
constexpr unsigned kMaxProgramHeaders = 64;

/// True if [offset, offset + bytes) lies inside a file of @p size bytes (no overflow).
bool inside(std::uint64_t offset, std::uint64_t bytes, std::uint64_t size) {
    return offset <= size && bytes <= size - offset;
}

Result<ElfImage> fail(const char** why, const char* reason) {
    if (why != nullptr) {
        *why = reason;
    }
    return Error::Malformed;
}
}  // namespace

Result<ElfImage> parse_elf(std::span<const std::byte> file, LoadRange range, const char** why) {
    Elf64Header h;
    if (file.size() < sizeof h) {
        return fail(why, "shorter than an ELF header");
    }
    std::memcpy(&h, file.data(), sizeof h);  // the blob need not be aligned
    if (std::memcmp(h.ident, kMagic, sizeof kMagic) != 0) {
        return fail(why, "bad magic (not an ELF file)");
    }
    if (h.ident[4] != kClass64 || h.ident[5] != kLittleEndian) {
        return fail(why, "not a 64-bit little-endian ELF");
    }
    if (h.type != kTypeExec || h.machine != kMachineRiscv) {
        return fail(why, "not a RISC-V executable");
    }
    if (h.phentsize != sizeof(Elf64ProgramHeader) || h.phnum == 0 || h.phnum > kMaxProgramHeaders) {
        return fail(why, "bad program-header table size");
    }
    if (!inside(h.phoff, std::uint64_t{h.phnum} * sizeof(Elf64ProgramHeader), file.size())) {
        return fail(why, "program headers outside the file");
    }

    ElfImage image;
    image.entry = h.entry;
    bool entry_ok = false;
    for (unsigned i = 0; i < h.phnum; ++i) {
        Elf64ProgramHeader ph;
        std::memcpy(&ph, file.data() + h.phoff + i * sizeof ph, sizeof ph);
        if (ph.type != kPtLoad || ph.memsz == 0) {
            continue;
        }
        if (image.segment_count == kMaxSegments) {
            return fail(why, "too many loadable segments");
        }
        if (ph.filesz > ph.memsz) {
            return fail(why, "segment's file size exceeds its memory size");
        }
        if (ph.memsz > kMaxSegmentBytes) {
            return fail(why, "segment is absurdly large");
        }
        if (!inside(ph.offset, ph.filesz, file.size())) {
            return fail(why, "segment's bytes lie outside the file");
        }
        if (ph.vaddr < range.lo || ph.vaddr > range.hi || ph.memsz > range.hi - ph.vaddr) {
            return fail(why, "segment outside user space");
        }
        ElfSegment s;
        s.address = ph.vaddr;
        s.memory_size = ph.memsz;
        s.file_offset = ph.offset;
        s.file_size = ph.filesz;
        if (ph.flags & kPfR) {
            s.perms = s.perms | mm::PteFlag::Read;
        }
        if (ph.flags & kPfW) {
            s.perms = s.perms | mm::PteFlag::Read | mm::PteFlag::Write;  // Sv39 has no write-only pages
        }
        if (ph.flags & kPfX) {
            s.perms = s.perms | mm::PteFlag::Execute;
        }
        if (s.perms.bits == 0) {
            return fail(why, "segment with no permissions");
        }
        // Each page belongs to one segment, so it has one set of permissions.
        const std::uint64_t lo = mm::page_floor(s.address);
        const std::uint64_t hi = mm::page_ceil(s.address + s.memory_size);
        for (unsigned j = 0; j < image.segment_count; ++j) {
            const ElfSegment& o = image.segments[j];
            if (lo < mm::page_ceil(o.address + o.memory_size) && mm::page_floor(o.address) < hi) {
                return fail(why, "segments overlap");
            }
        }
        if (s.perms.has(mm::PteFlag::Execute) && h.entry >= s.address && h.entry < s.address + s.memory_size) {
            entry_ok = true;
        }
        image.segments[image.segment_count++] = s;
    }
    if (image.segment_count == 0) {
        return fail(why, "no loadable segment");
    }
    if (!entry_ok) {
        return fail(why, "entry point is not in an executable segment");
    }
    return image;
}

}  // namespace cops::proc
