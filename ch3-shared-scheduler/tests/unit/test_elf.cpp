/// @file test_elf.cpp
/// @brief Unit tests: the ELF64 checker (parse_elf) on executables built in memory, valid
/// ones and ones broken in every way the loader must catch.
#include <catch2/catch.hpp>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <span>
#include <vector>

#include "cops/proc/elf.hpp"

using namespace cops;
using namespace cops::proc;
using cops::mm::PteFlag;
using cops::mm::PteFlags;

namespace {

// The ELF64 structures, written from the System V ABI (not shared with the code under test).

/// The ELF64 file header (e_*).
struct Ehdr {
    unsigned char ident[16];  ///< magic, class, data, version, OS ABI, padding
    std::uint16_t type;       ///< e_type
    std::uint16_t machine;    ///< e_machine
    std::uint32_t version;    ///< e_version
    std::uint64_t entry;      ///< e_entry
    std::uint64_t phoff;      ///< e_phoff
    std::uint64_t shoff;      ///< e_shoff
    std::uint32_t flags;      ///< e_flags
    std::uint16_t ehsize;     ///< e_ehsize
    std::uint16_t phentsize;  ///< e_phentsize
    std::uint16_t phnum;      ///< e_phnum
    std::uint16_t shentsize;  ///< e_shentsize
    std::uint16_t shnum;      ///< e_shnum
    std::uint16_t shstrndx;   ///< e_shstrndx
};
/// One ELF64 program header (p_*).
struct Phdr {
    std::uint32_t type;    ///< p_type
    std::uint32_t flags;   ///< p_flags
    std::uint64_t offset;  ///< p_offset
    std::uint64_t vaddr;   ///< p_vaddr
    std::uint64_t paddr;   ///< p_paddr
    std::uint64_t filesz;  ///< p_filesz
    std::uint64_t memsz;   ///< p_memsz
    std::uint64_t align;   ///< p_align
};
static_assert(sizeof(Ehdr) == 64 && sizeof(Phdr) == 56);

constexpr std::uint16_t kEtExec = 2;              ///< e_type of an executable
constexpr std::uint16_t kEtDyn = 3;               ///< e_type of a shared object / PIE
constexpr std::uint16_t kEmRiscv = 243;           ///< e_machine of RISC-V
constexpr std::uint16_t kEmX86_64 = 62;           ///< e_machine of x86-64
constexpr std::uint32_t kPtLoad = 1;              ///< a loadable segment
constexpr std::uint32_t kPtNote = 4;              ///< a note segment
constexpr std::uint32_t kPfX = 1;                 ///< executable
constexpr std::uint32_t kPfW = 2;                 ///< writable
constexpr std::uint32_t kPfR = 4;                 ///< readable
constexpr std::uint64_t kHeaders = sizeof(Ehdr);  ///< where the program headers start

/// Where programs go in these tests: user space of the kit.
constexpr LoadRange kRange{0x1'0000'0000, 1ULL << 38};
/// The text segment's address.
constexpr std::uint64_t kText = kRange.lo;
/// The data segment's address (the page after the text).
constexpr std::uint64_t kData = kRange.lo + 0x1000;

/// One program header to build.
struct SegmentSpec {
    std::uint32_t type = kPtLoad;  ///< p_type
    std::uint32_t flags = kPfR;    ///< p_flags
    std::uint64_t vaddr = 0;       ///< p_vaddr
    std::uint64_t filesz = 0;      ///< bytes in the file (the builder writes them)
    std::uint64_t memsz = 0;       ///< bytes in memory
};

/// The byte the builder puts at position @p j of segment @p i.
std::byte pattern(std::size_t i, std::size_t j) { return static_cast<std::byte>((i + 1) * 0x31 + j); }

/// An executable image: the header, the program headers right after it, then each
/// segment's file bytes in order. The vector is exactly as long as the file.
std::vector<std::byte> build_elf(std::uint64_t entry, const std::vector<SegmentSpec>& segments) {
    Ehdr h{};
    h.ident[0] = 0x7f;
    h.ident[1] = 'E';
    h.ident[2] = 'L';
    h.ident[3] = 'F';
    h.ident[4] = 2;  // ELFCLASS64
    h.ident[5] = 1;  // ELFDATA2LSB
    h.ident[6] = 1;  // EV_CURRENT
    h.type = kEtExec;
    h.machine = kEmRiscv;
    h.version = 1;
    h.entry = entry;
    h.phoff = kHeaders;
    h.ehsize = sizeof(Ehdr);
    h.phentsize = sizeof(Phdr);
    h.phnum = static_cast<std::uint16_t>(segments.size());

    std::uint64_t offset = kHeaders + segments.size() * sizeof(Phdr);
    std::vector<Phdr> phdrs;
    for (const SegmentSpec& s : segments) {
        phdrs.push_back(Phdr{s.type, s.flags, offset, s.vaddr, s.vaddr, s.filesz, s.memsz, 0x1000});
        offset += s.filesz;
    }
    std::vector<std::byte> file(offset);
    std::memcpy(file.data(), &h, sizeof h);
    for (std::size_t i = 0; i < phdrs.size(); ++i) {
        std::memcpy(file.data() + kHeaders + i * sizeof(Phdr), &phdrs[i], sizeof(Phdr));
        for (std::uint64_t j = 0; j < phdrs[i].filesz; ++j) {
            file[phdrs[i].offset + j] = pattern(i, j);
        }
    }
    return file;
}

/// A good executable: RX text (0x180 bytes) and RW data (0x40 bytes in the file, 0x2000 in memory).
std::vector<std::byte> valid_elf() {
    return build_elf(kText + 0x10, {
                                       {kPtLoad, kPfR | kPfX, kText, 0x180, 0x180},
                                       {kPtLoad, kPfR | kPfW, kData, 0x40, 0x2000},
                                   });
}

/// Lets @p edit change the file header of @p file.
template <class F>
void edit_header(std::vector<std::byte>& file, F edit) {
    Ehdr h;
    std::memcpy(&h, file.data(), sizeof h);
    edit(h);
    std::memcpy(file.data(), &h, sizeof h);
}

/// Lets @p edit change program header @p i of @p file.
template <class F>
void edit_phdr(std::vector<std::byte>& file, std::size_t i, F edit) {
    Phdr p;
    std::memcpy(&p, file.data() + kHeaders + i * sizeof p, sizeof p);
    edit(p);
    std::memcpy(file.data() + kHeaders + i * sizeof p, &p, sizeof p);
}

/// What parse_elf() said about a file.
struct Outcome {
    bool ok;          ///< it parsed
    Error error;      ///< the error, if not
    const char* why;  ///< the reason it gave (nullptr if none)
    ElfImage image;   ///< the image, if it parsed
};

/// Parses @p file against @p range.
Outcome parse(std::span<const std::byte> file, LoadRange range = kRange) {
    const char* why = nullptr;
    const auto r = parse_elf(file, range, &why);
    Outcome o{r.ok(), Error{}, why, {}};
    if (r.ok()) {
        o.image = r.value();
    } else {
        o.error = r.error();
    }
    return o;
}

}  // namespace

// A failed parse must be Error::Malformed with a reason; CHECK_MALFORMED states it once.
#define CHECK_MALFORMED(file_expr)                     \
    do {                                               \
        const Outcome o_ = parse(file_expr);           \
        INFO("why: " << (o_.why ? o_.why : "(null)")); \
        REQUIRE_FALSE(o_.ok);                          \
        REQUIRE(o_.error == Error::Malformed);         \
        REQUIRE(o_.why != nullptr);                    \
    } while (false)

// ---------------------------------------------------------------------------------------
// Valid images
// ---------------------------------------------------------------------------------------

TEST_CASE("elf: a two-segment executable parses into its segments", "[elf]") {
    const auto file = valid_elf();
    const Outcome o = parse(file);
    INFO("why: " << (o.why ? o.why : "(null)"));
    REQUIRE(o.ok);
    const ElfImage& img = o.image;
    REQUIRE(img.entry == kText + 0x10);
    REQUIRE(img.segment_count == 2);

    const ElfSegment& text = img.segments[0];
    REQUIRE(text.address == kText);
    REQUIRE(text.memory_size == 0x180);
    REQUIRE(text.file_offset == kHeaders + 2 * sizeof(Phdr));
    REQUIRE(text.file_size == 0x180);
    REQUIRE(text.perms.bits == (PteFlag::Read | PteFlag::Execute).bits);

    const ElfSegment& data = img.segments[1];
    REQUIRE(data.address == kData);
    REQUIRE(data.memory_size == 0x2000);
    REQUIRE(data.file_offset == text.file_offset + 0x180);
    REQUIRE(data.file_size == 0x40);
    REQUIRE(data.perms.bits == (PteFlag::Read | PteFlag::Write).bits);

    // The offsets name the segments' own bytes.
    REQUIRE(file[text.file_offset] == pattern(0, 0));
    REQUIRE(file[text.file_offset + 0x17f] == pattern(0, 0x17f));
    REQUIRE(file[data.file_offset] == pattern(1, 0));
    REQUIRE(file[data.file_offset + 0x3f] == pattern(1, 0x3f));

    // The reason pointer is optional.
    const auto r = parse_elf(file, kRange);
    REQUIRE(r.ok());
    REQUIRE(r.value().segment_count == 2);
}

TEST_CASE("elf: permissions come from p_flags, and W implies R", "[elf]") {
    const auto file = build_elf(kText, {
                                           {kPtLoad, kPfX, kText, 0x10, 0x10},
                                           {kPtLoad, kPfW, kText + 0x1000, 0x10, 0x10},
                                           {kPtLoad, kPfR, kText + 0x2000, 0x10, 0x10},
                                           {kPtLoad, kPfR | kPfW | kPfX, kText + 0x3000, 0x10, 0x10},
                                           {kPtLoad, kPfW | kPfX, kText + 0x4000, 0x10, 0x10},
                                       });
    const Outcome o = parse(file);
    REQUIRE(o.ok);
    REQUIRE(o.image.segment_count == 5);
    const auto rwx = PteFlag::Read | PteFlag::Write | PteFlag::Execute;
    REQUIRE(o.image.segments[0].perms.bits == PteFlags{PteFlag::Execute}.bits);
    REQUIRE(o.image.segments[1].perms.bits == (PteFlag::Read | PteFlag::Write).bits);
    REQUIRE(o.image.segments[2].perms.bits == PteFlags{PteFlag::Read}.bits);
    REQUIRE(o.image.segments[3].perms.bits == rwx.bits);
    REQUIRE(o.image.segments[4].perms.bits == rwx.bits);
    for (unsigned i = 0; i < o.image.segment_count; ++i) {
        const PteFlags p = o.image.segments[i].perms;
        REQUIRE((!p.has(PteFlag::Write) || p.has(PteFlag::Read)));
        REQUIRE_FALSE(p.has(PteFlag::User));  // the loader adds U, not the parser
        REQUIRE_FALSE(p.has(PteFlag::Valid));
    }
}

TEST_CASE("elf: segments may fill the load range to its edges", "[elf]") {
    const auto file = build_elf(kRange.lo, {
                                               {kPtLoad, kPfR | kPfX, kRange.lo, 0x100, 0x1000},
                                               {kPtLoad, kPfR | kPfW, kRange.hi - 0x2000, 0x10, 0x2000},
                                           });
    const Outcome o = parse(file);
    INFO("why: " << (o.why ? o.why : "(null)"));
    REQUIRE(o.ok);
    REQUIRE(o.image.segments[1].address + o.image.segments[1].memory_size == kRange.hi);
}

TEST_CASE("elf: a segment of exactly kMaxSegmentBytes is allowed", "[elf]") {
    const auto file = build_elf(kText, {
                                           {kPtLoad, kPfR | kPfX, kText, 0x10, 0x10},
                                           {kPtLoad, kPfR | kPfW, kData, 0x10, kMaxSegmentBytes},
                                       });
    const Outcome o = parse(file);
    REQUIRE(o.ok);
    REQUIRE(o.image.segments[1].memory_size == kMaxSegmentBytes);
}

TEST_CASE("elf: program headers other than PT_LOAD are ignored", "[elf]") {
    auto file = build_elf(kText + 0x10, {
                                            {kPtLoad, kPfR | kPfX, kText, 0x180, 0x180},
                                            {kPtNote, 0, 0, 0x20, 0x20},
                                            {kPtLoad, kPfR | kPfW, kData, 0x40, 0x2000},
                                        });
    // Nonsense that would fail every check of a PT_LOAD.
    edit_phdr(file, 1, [](Phdr& p) {
        p.offset = ~0ULL - 4;
        p.filesz = ~0ULL;
        p.memsz = 1;
        p.vaddr = 0;
    });
    const Outcome o = parse(file);
    INFO("why: " << (o.why ? o.why : "(null)"));
    REQUIRE(o.ok);
    REQUIRE(o.image.segment_count == 2);
    REQUIRE(o.image.segments[0].address == kText);
    REQUIRE(o.image.segments[1].address == kData);
}

TEST_CASE("elf: up to kMaxSegments loadable segments are accepted", "[elf]") {
    std::vector<SegmentSpec> segs;
    for (unsigned i = 0; i < kMaxSegments; ++i) {
        segs.push_back({kPtLoad, i == 0 ? kPfR | kPfX : kPfR, kText + i * 0x1000ULL, 0x8, 0x8});
    }
    const Outcome o = parse(build_elf(kText, segs));
    REQUIRE(o.ok);
    REQUIRE(o.image.segment_count == kMaxSegments);
    REQUIRE(o.image.segments[kMaxSegments - 1].address == kText + (kMaxSegments - 1) * 0x1000ULL);
}

// ---------------------------------------------------------------------------------------
// The file header
// ---------------------------------------------------------------------------------------

TEST_CASE("elf: rejects an empty file", "[elf]") { CHECK_MALFORMED(std::span<const std::byte>{}); }

TEST_CASE("elf: rejects a file shorter than the header", "[elf]") {
    auto file = valid_elf();
    file.resize(63);
    CHECK_MALFORMED(file);
}

TEST_CASE("elf: rejects a bad magic number", "[elf]") {
    for (std::size_t i = 0; i < 4; ++i) {
        auto file = valid_elf();
        edit_header(file, [i](Ehdr& h) { h.ident[i] ^= 0x20; });
        CAPTURE(i);
        CHECK_MALFORMED(file);
    }
}

TEST_CASE("elf: rejects a 32-bit file", "[elf]") {
    auto file = valid_elf();
    edit_header(file, [](Ehdr& h) { h.ident[4] = 1; });  // ELFCLASS32
    CHECK_MALFORMED(file);
}

TEST_CASE("elf: rejects a big-endian file", "[elf]") {
    auto file = valid_elf();
    edit_header(file, [](Ehdr& h) { h.ident[5] = 2; });  // ELFDATA2MSB
    CHECK_MALFORMED(file);
}

TEST_CASE("elf: rejects another machine", "[elf]") {
    auto file = valid_elf();
    edit_header(file, [](Ehdr& h) { h.machine = kEmX86_64; });
    CHECK_MALFORMED(file);
}

TEST_CASE("elf: rejects a file that is not ET_EXEC", "[elf]") {
    auto file = valid_elf();
    edit_header(file, [](Ehdr& h) { h.type = kEtDyn; });
    CHECK_MALFORMED(file);
    edit_header(file, [](Ehdr& h) { h.type = 1; });  // ET_REL
    CHECK_MALFORMED(file);
}

TEST_CASE("elf: rejects a wrong program-header entry size", "[elf]") {
    for (std::uint16_t size : {std::uint16_t{0}, std::uint16_t{32}, std::uint16_t{55}, std::uint16_t{64}}) {
        auto file = valid_elf();
        edit_header(file, [size](Ehdr& h) { h.phentsize = size; });
        CAPTURE(size);
        CHECK_MALFORMED(file);
    }
}

TEST_CASE("elf: rejects a file without program headers", "[elf]") {
    auto file = valid_elf();
    edit_header(file, [](Ehdr& h) { h.phnum = 0; });
    CHECK_MALFORMED(file);
}

TEST_CASE("elf: rejects program headers past the end of the file", "[elf]") {
    SECTION("the table sticks out") {
        auto file = valid_elf();
        edit_header(file, [&file](Ehdr& h) { h.phoff = file.size() - sizeof(Phdr) - 1; });  // 2 headers
        CHECK_MALFORMED(file);
    }
    SECTION("the file ends inside the table") {
        auto file = valid_elf();
        file.resize(kHeaders + sizeof(Phdr) + 10);
        CHECK_MALFORMED(file);
    }
    SECTION("more headers than the file holds") {
        auto file = valid_elf();
        edit_header(file, [](Ehdr& h) { h.phnum = 60; });
        CHECK_MALFORMED(file);
    }
}

TEST_CASE("elf: rejects a program-header offset that overflows", "[elf]") {
    auto file = valid_elf();
    edit_header(file, [](Ehdr& h) { h.phoff = ~0ULL - 10; });
    CHECK_MALFORMED(file);
    edit_header(file, [](Ehdr& h) { h.phoff = 0ULL - 2 * sizeof(Phdr); });  // phoff + size wraps to 0
    CHECK_MALFORMED(file);
}

TEST_CASE("elf: rejects more than 64 program headers", "[elf]") {
    std::vector<SegmentSpec> segs = {
        {kPtLoad, kPfR | kPfX, kText, 0x10, 0x10},
        {kPtLoad, kPfR | kPfW, kData, 0x10, 0x10},
    };
    while (segs.size() < 64) {
        segs.push_back({kPtNote, 0, 0, 0, 0});
    }
    const Outcome ok = parse(build_elf(kText, segs));
    REQUIRE(ok.ok);  // 64 is the limit
    segs.push_back({kPtNote, 0, 0, 0, 0});
    CHECK_MALFORMED(build_elf(kText, segs));
}

// ---------------------------------------------------------------------------------------
// Segments
// ---------------------------------------------------------------------------------------

TEST_CASE("elf: rejects a segment whose bytes lie beyond the file", "[elf]") {
    SECTION("offset + filesz past the end") {
        auto file = valid_elf();
        const std::uint64_t size = file.size();
        edit_phdr(file, 1, [size](Phdr& p) { p.offset = size - 0x20; });  // filesz 0x40
        CHECK_MALFORMED(file);
    }
    SECTION("offset past the end") {
        auto file = valid_elf();
        const std::uint64_t size = file.size();
        edit_phdr(file, 1, [size](Phdr& p) { p.offset = size + 1; });
        CHECK_MALFORMED(file);
    }
    SECTION("filesz longer than the file") {
        auto file = valid_elf();
        const std::uint64_t size = file.size();
        edit_phdr(file, 0, [size](Phdr& p) {
            p.filesz = size;
            p.memsz = size;
        });
        CHECK_MALFORMED(file);
    }
    SECTION("the last byte missing") {
        auto file = valid_elf();
        file.pop_back();
        CHECK_MALFORMED(file);
    }
}

TEST_CASE("elf: rejects a segment offset that overflows", "[elf]") {
    auto file = valid_elf();
    edit_phdr(file, 1, [](Phdr& p) { p.offset = ~0ULL - 0x10; });  // + filesz 0x40 wraps
    CHECK_MALFORMED(file);
    edit_phdr(file, 1, [](Phdr& p) { p.offset = 0ULL - 0x40; });  // + filesz wraps to exactly 0
    CHECK_MALFORMED(file);
}

TEST_CASE("elf: rejects a file size larger than the memory size", "[elf]") {
    auto file = valid_elf();
    edit_phdr(file, 1, [](Phdr& p) { p.memsz = 0x20; });  // filesz 0x40
    CHECK_MALFORMED(file);
}

TEST_CASE("elf: rejects an absurdly large segment", "[elf]") {
    auto file = valid_elf();
    edit_phdr(file, 1, [](Phdr& p) { p.memsz = kMaxSegmentBytes + 1; });
    CHECK_MALFORMED(file);
    edit_phdr(file, 1, [](Phdr& p) { p.memsz = ~0ULL; });
    CHECK_MALFORMED(file);
}

TEST_CASE("elf: rejects a segment below the load range", "[elf]") {
    auto file = build_elf(kRange.lo - 0x1000, {
                                                  {kPtLoad, kPfR | kPfX, kRange.lo - 0x1000, 0x10, 0x10},
                                                  {kPtLoad, kPfR | kPfW, kData, 0x10, 0x10},
                                              });
    CHECK_MALFORMED(file);
    edit_phdr(file, 0, [](Phdr& p) { p.vaddr = 0; });
    edit_header(file, [](Ehdr& h) { h.entry = 0; });
    CHECK_MALFORMED(file);
    edit_phdr(file, 0, [](Phdr& p) {
        p.vaddr = kRange.lo - 8;  // starts below, ends inside
        p.memsz = 0x100;
    });
    edit_header(file, [](Ehdr& h) { h.entry = kRange.lo; });
    CHECK_MALFORMED(file);
}

TEST_CASE("elf: rejects a segment that ends beyond the load range", "[elf]") {
    auto file = valid_elf();
    edit_phdr(file, 1, [](Phdr& p) { p.vaddr = kRange.hi - 0x1000; });  // memsz 0x2000
    CHECK_MALFORMED(file);
    edit_phdr(file, 1, [](Phdr& p) { p.vaddr = kRange.hi; });
    CHECK_MALFORMED(file);
    edit_phdr(file, 1, [](Phdr& p) { p.vaddr = kRange.hi + 0x1000; });
    CHECK_MALFORMED(file);
}

TEST_CASE("elf: rejects a segment whose end wraps around 2^64", "[elf]") {
    auto file = valid_elf();
    edit_phdr(file, 1, [](Phdr& p) { p.vaddr = ~0ULL - 0xfff; });  // + memsz 0x2000 wraps to 0x1000
    CHECK_MALFORMED(file);
    // Also when the range itself reaches the top, so that only the wrap-around is wrong.
    const Outcome o = parse(file, LoadRange{kRange.lo, ~0ULL});
    INFO("why: " << (o.why ? o.why : "(null)"));
    REQUIRE_FALSE(o.ok);
    REQUIRE(o.error == Error::Malformed);
    REQUIRE(o.why != nullptr);
}

TEST_CASE("elf: rejects overlapping segments", "[elf]") {
    SECTION("bytes overlap") {
        auto file = valid_elf();
        edit_phdr(file, 0, [](Phdr& p) { p.memsz = 0x1100; });  // text runs into data
        CHECK_MALFORMED(file);
    }
    SECTION("bytes overlap, later segment first in memory") {
        const auto file = build_elf(kText + 0x10, {
                                                      {kPtLoad, kPfR | kPfW, kData, 0x10, 0x2000},
                                                      {kPtLoad, kPfR | kPfX, kText, 0x10, 0x1800},
                                                  });
        CHECK_MALFORMED(file);
    }
    SECTION("the same address") {
        const auto file = build_elf(kText, {
                                               {kPtLoad, kPfR | kPfX, kText, 0x10, 0x10},
                                               {kPtLoad, kPfR | kPfW, kText, 0x10, 0x10},
                                           });
        CHECK_MALFORMED(file);
    }
    SECTION("one inside the other") {
        const auto file = build_elf(kText, {
                                               {kPtLoad, kPfR | kPfX, kText, 0x10, 0x10000},
                                               {kPtLoad, kPfR | kPfW, kText + 0x4000, 0x10, 0x10},
                                           });
        CHECK_MALFORMED(file);
    }
}

TEST_CASE("elf: rejects two segments sharing a page", "[elf]") {
    auto file = valid_elf();
    edit_phdr(file, 1, [](Phdr& p) { p.vaddr = kText + 0x800; });  // text ends at +0x180
    CHECK_MALFORMED(file);
    edit_phdr(file, 1, [](Phdr& p) { p.vaddr = kText + 0xfff; });
    CHECK_MALFORMED(file);
}

TEST_CASE("elf: rejects a file without a loadable segment", "[elf]") {
    auto file = valid_elf();
    edit_phdr(file, 0, [](Phdr& p) { p.type = kPtNote; });
    edit_phdr(file, 1, [](Phdr& p) { p.type = kPtNote; });
    CHECK_MALFORMED(file);
}

TEST_CASE("elf: rejects more than kMaxSegments loadable segments", "[elf]") {
    std::vector<SegmentSpec> segs;
    for (unsigned i = 0; i <= kMaxSegments; ++i) {
        segs.push_back({kPtLoad, i == 0 ? kPfR | kPfX : kPfR, kText + i * 0x1000ULL, 0x8, 0x8});
    }
    CHECK_MALFORMED(build_elf(kText, segs));
}

TEST_CASE("elf: rejects an entry point outside every executable segment", "[elf]") {
    auto file = valid_elf();
    SECTION("in the data segment") {
        edit_header(file, [](Ehdr& h) { h.entry = kData + 0x10; });
        CHECK_MALFORMED(file);
    }
    SECTION("one past the end of the text") {
        edit_header(file, [](Ehdr& h) { h.entry = kText + 0x180; });
        CHECK_MALFORMED(file);
    }
    SECTION("nowhere") {
        edit_header(file, [](Ehdr& h) { h.entry = 0; });
        CHECK_MALFORMED(file);
    }
    SECTION("in a segment that is not executable") {
        edit_phdr(file, 0, [](Phdr& p) { p.flags = kPfR; });
        CHECK_MALFORMED(file);
    }
}

TEST_CASE("elf: rejects a segment without R, W or X", "[elf]") {
    auto file = valid_elf();
    edit_phdr(file, 1, [](Phdr& p) { p.flags = 0; });
    CHECK_MALFORMED(file);
    edit_phdr(file, 1, [](Phdr& p) { p.flags = 0xf000'0000; });  // only processor-specific bits
    CHECK_MALFORMED(file);
}

TEST_CASE("elf: a rejection without a reason pointer is still Malformed", "[elf]") {
    auto file = valid_elf();
    edit_header(file, [](Ehdr& h) { h.machine = kEmX86_64; });
    const auto r = parse_elf(file, kRange);
    REQUIRE_FALSE(r.ok());
    REQUIRE(r.error() == Error::Malformed);
}
