/// @file heap.cpp
/// @brief operator new/delete for user programs.
#include "cops/user/heap.hpp"

#include <new>

#include "cops/user/print.hpp"
#include "cops/user/sys.hpp"

namespace cops::user {

namespace {
alignas(16) unsigned char g_arena[kHeapBytes];
constinit mm::SizeClassHeap g_heap;
}  // namespace

}  // namespace cops::user

/// The default arena; a program's COPS_USER_HEAP_BYTES defines the strong one instead.
extern "C" [[gnu::weak]] const cops::user::HeapArena cops_user_heap_arena{cops::user::g_arena, cops::user::kHeapBytes};

namespace cops::user {

void init_heap() { g_heap.init(cops_user_heap_arena.bytes, cops_user_heap_arena.size); }

mm::SizeClassHeap& heap() { return g_heap; }

}  // namespace cops::user

namespace std {
/// The tag of `new (std::nothrow) T`, which returns nullptr when the heap is full.
const nothrow_t nothrow{};
}  // namespace std

void* operator new(std::size_t bytes) {
    void* p = cops::user::heap().allocate(bytes);
    if (p == nullptr) {
        cops::user::println(
            "user heap: out of memory allocating {} bytes (the heap has {} bytes; "
            "COPS_USER_HEAP_BYTES gives a program more)",
            bytes, cops_user_heap_arena.size);
        cops::user::exit(static_cast<int>(cops::abi::Errno::NoMemory));
    }
    return p;
}
void* operator new[](std::size_t bytes) { return operator new(bytes); }
void* operator new(std::size_t bytes, const std::nothrow_t&) noexcept { return cops::user::heap().allocate(bytes); }
void operator delete(void* p) noexcept { (void)cops::user::heap().free(p); }
void operator delete[](void* p) noexcept { (void)cops::user::heap().free(p); }
void operator delete(void* p, std::size_t) noexcept { (void)cops::user::heap().free(p); }
void operator delete[](void* p, std::size_t) noexcept { (void)cops::user::heap().free(p); }

// Coroutine frames and the executor's control blocks come from the same heap.
namespace cops::mm {
void* allocate_frame(std::size_t bytes) noexcept { return cops::user::heap().allocate(bytes); }
void free_frame(void* frame, std::size_t) noexcept { (void)cops::user::heap().free(frame); }
}  // namespace cops::mm
