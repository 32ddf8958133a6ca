// Unit tests: the size-class heap and its accounting.
#include <catch2/catch.hpp>
#include <cstdint>
#include <vector>

#include "cops/mm/size_class_heap.hpp"

using namespace cops::mm;

namespace {
struct Arena {
    std::vector<std::uint8_t> memory;
    SizeClassHeap heap;
    explicit Arena(std::size_t bytes) : memory(bytes) { heap.init(memory.data(), memory.size()); }
};
}  // namespace

TEST_CASE("heap: requests map to power-of-two classes", "[heap]") {
    REQUIRE(SizeClassHeap::class_of(0) == 0);
    REQUIRE(SizeClassHeap::class_of(1) == 0);
    REQUIRE(SizeClassHeap::class_of(16) == 0);
    REQUIRE(SizeClassHeap::class_of(17) == 1);
    REQUIRE(SizeClassHeap::class_of(4096) == 8);
    REQUIRE(SizeClassHeap::class_of(SizeClassHeap::kMaxBlock) == SizeClassHeap::kClasses - 1);
    REQUIRE(SizeClassHeap::class_of(SizeClassHeap::kMaxBlock + 1) == SizeClassHeap::kClasses);
}

TEST_CASE("heap: blocks are aligned, distinct and reused after free", "[heap]") {
    Arena a(1 << 16);
    void* p = a.heap.allocate(100);
    void* q = a.heap.allocate(100);
    REQUIRE(p != nullptr);
    REQUIRE(q != nullptr);
    REQUIRE(p != q);
    REQUIRE(reinterpret_cast<std::uintptr_t>(p) % 16 == 0);
    REQUIRE(a.heap.free(p) == FreeError::None);
    REQUIRE(a.heap.allocate(120) == p);  // same class (128): the freed block comes back
}

TEST_CASE("heap: accounting tracks requested bytes and peak", "[heap]") {
    Arena a(1 << 16);
    void* p = a.heap.allocate(100);
    void* q = a.heap.allocate(30);
    auto s = a.heap.stats();
    REQUIRE(s.bytes_in_use == 130);
    REQUIRE(s.bytes_reserved == (16 + 128) + (16 + 32));
    REQUIRE(s.allocations == 2);
    REQUIRE(a.heap.size_of(p) == 100);
    REQUIRE(a.heap.free(p) == FreeError::None);
    REQUIRE(a.heap.free(q) == FreeError::None);
    s = a.heap.stats();
    REQUIRE(s.bytes_in_use == 0);
    REQUIRE(s.bytes_reserved == 0);
    REQUIRE(s.peak_in_use == 130);
    REQUIRE(s.frees == 2);
    REQUIRE(a.heap.live_in_class(3) == 0);
}

TEST_CASE("heap: double free and foreign pointers are caught", "[heap]") {
    Arena a(1 << 16);
    void* p = a.heap.allocate(64);
    REQUIRE(a.heap.free(p) == FreeError::None);
    REQUIRE(a.heap.free(p) == FreeError::DoubleFree);
    int local = 0;
    REQUIRE(a.heap.free(&local) == FreeError::NotFromHeap);
    REQUIRE(a.heap.free(static_cast<char*>(a.heap.allocate(64)) + 8) == FreeError::NotFromHeap);
    REQUIRE(a.heap.free(nullptr) == FreeError::None);
    REQUIRE(a.heap.stats().bad_frees == 3);
}

TEST_CASE("heap: an overwritten header is reported as corrupt", "[heap]") {
    Arena a(1 << 16);
    auto* p = static_cast<std::uint8_t*>(a.heap.allocate(32));
    p[-16] ^= 0xff;  // clobber the magic word
    REQUIRE(a.heap.free(p) == FreeError::Corrupt);
}

TEST_CASE("heap: running out returns nullptr and counts the failure", "[heap]") {
    Arena a(4096);
    std::vector<void*> blocks;
    while (void* p = a.heap.allocate(256)) {
        blocks.push_back(p);
    }
    REQUIRE(blocks.size() == 4096 / (256 + 16));
    REQUIRE(a.heap.stats().failures == 1);
    REQUIRE(a.heap.allocate(SizeClassHeap::kMaxBlock + 1) == nullptr);
    for (void* p : blocks) {
        REQUIRE(a.heap.free(p) == FreeError::None);
    }
    REQUIRE(a.heap.allocate(256) != nullptr);  // reuse works after exhaustion
}
