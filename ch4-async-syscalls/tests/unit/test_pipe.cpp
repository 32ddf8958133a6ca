// Unit tests: the pipe's buffer and ends (kernel/io/pipe.cpp), through a real user
// address space built from host frames, as the kernel's calls use it.
#include <catch2/catch.hpp>
#include <cstring>

#include "../../../ch3-shared-scheduler/tests/unit/host_frames.hpp"
#include "cops/abi/io_abi.hpp"
#include "cops/io/pipe.hpp"
#include "cops/mm/address_space.hpp"

using namespace cops;
using namespace cops::mm;
using cops::io::kWouldBlock;
using cops::io::Pipe;
using cops::io::PipeEnd;

namespace {
constexpr std::uint64_t kBuf = kUserBase;  // one user page: the caller's buffer
constexpr std::int64_t kEfault = abi::error_return(abi::Errno::Fault);
constexpr std::int64_t kEpipe = abi::error_return(abi::kErrBrokenPipe);

/// A user space with one read-write page at kBuf.
struct User {
    test::HostFrames frames;
    PageTable kernel;
    AddressSpace space;
    User() {
        auto t = PageTable::create(frames);
        REQUIRE(t.ok());
        kernel = t.value();
        REQUIRE(space.init(frames, kernel));
        REQUIRE(space.map_zeroed(kBuf, kPageSize, PteFlag::Read | PteFlag::Write));
    }
    ~User() {
        space.destroy();
        kernel.destroy();
    }
    /// Puts @p text at kBuf + @p offset.
    void put(const char* text, std::uint64_t offset = 0) {
        REQUIRE(space.write(kBuf + offset, text, std::strlen(text)));
    }
    /// The @p n bytes at kBuf + @p offset.
    std::string get(std::size_t n, std::uint64_t offset = 0) {
        std::string s(n, '\0');
        REQUIRE(copy_in(space, s.data(), kBuf + offset, n));
        return s;
    }
};
}  // namespace

TEST_CASE("pipe: bytes come out in the order they went in") {
    User u;
    Pipe p;
    u.put("hello pipe");
    CHECK(p.write(u.space, kBuf, 10) == 10);
    CHECK(p.buffered() == 10);
    CHECK(p.read(u.space, kBuf + 100, 5) == 5);
    CHECK(u.get(5, 100) == "hello");
    CHECK(p.read(u.space, kBuf + 100, 64) == 5);  // what is there, not what was asked for
    CHECK(u.get(5, 100) == " pipe");
    CHECK(p.buffered() == 0);
}

TEST_CASE("pipe: empty with a writer is would-block, full with a reader is would-block") {
    User u;
    Pipe p;
    CHECK(p.read(u.space, kBuf, 1) == kWouldBlock);
    std::uint64_t in = 0;
    while (in < Pipe::kBytes) {
        const auto n = p.write(u.space, kBuf, kPageSize);
        REQUIRE(n > 0);
        in += static_cast<std::uint64_t>(n);
    }
    CHECK(in == Pipe::kBytes);  // a write takes only what fits
    CHECK(p.write(u.space, kBuf, 1) == kWouldBlock);
    CHECK(p.read(u.space, kBuf, 1) == 1);
    CHECK(p.write(u.space, kBuf, 8) == 1);  // one byte of room
}

TEST_CASE("pipe: the buffer wraps around its end without losing order") {
    User u;
    Pipe p;
    for (int round = 0; round < 5; ++round) {
        u.put("0123456789abcdefghijklmnopqrstuvwxyz0123456789abcdefghijklmnopq");  // 63 bytes
        std::uint64_t in = 0;
        while (in < 300) {
            const auto n = p.write(u.space, kBuf, 63);
            REQUIRE(n == 63);
            in += 63;
            REQUIRE(p.read(u.space, kBuf + 1024, 63) == 63);
            CHECK(u.get(63, 1024) == u.get(63));
        }
    }
    CHECK(p.buffered() == 0);
}

TEST_CASE("pipe: end of file once the write end is closed, EPIPE once the read end is") {
    User u;
    SECTION("reader side") {
        Pipe p;
        u.put("ab");
        REQUIRE(p.write(u.space, kBuf, 2) == 2);
        CHECK_FALSE(p.close_end(PipeEnd::Write));   // the read end is still open
        CHECK(p.read(u.space, kBuf + 10, 8) == 2);  // what was written still comes out
        CHECK(p.read(u.space, kBuf + 10, 8) == 0);  // then end of file
        CHECK(p.close_end(PipeEnd::Read));          // last end: the caller deletes it
    }
    SECTION("writer side") {
        Pipe p;
        CHECK_FALSE(p.close_end(PipeEnd::Read));
        CHECK(p.write(u.space, kBuf, 2) == kEpipe);
        CHECK(p.close_end(PipeEnd::Write));
    }
}

TEST_CASE("pipe: a bad user buffer is EFAULT and a failed write buffers nothing") {
    User u;
    Pipe p;
    CHECK(p.write(u.space, kBuf + kPageSize - 2, 4) == kEfault);  // runs off the mapped page
    CHECK(p.buffered() == 0);
    CHECK(p.write(u.space, 0x8020'0000, 4) == kEfault);  // not user memory
    CHECK(p.buffered() == 0);
    u.put("xyz");
    REQUIRE(p.write(u.space, kBuf, 3) == 3);
    CHECK(p.read(u.space, 0x20'0000'0000, 3) == kEfault);  // unmapped
}

TEST_CASE("pipe: zero-length calls do nothing") {
    User u;
    Pipe p;
    CHECK(p.read(u.space, kBuf, 0) == 0);
    CHECK(p.write(u.space, kBuf, 0) == 0);
    CHECK(p.buffered() == 0);
}
