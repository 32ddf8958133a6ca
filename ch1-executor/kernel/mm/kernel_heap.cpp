/// @file kernel_heap.cpp
/// @brief operator new/delete and coroutine frames, served by the kernel heap.
#include "cops/mm/kernel_heap.hpp"

#include <cstddef>
#include <new>

#include "cops/lib/panic.hpp"
#include "cops/sched/task.hpp"

namespace cops::mm {

namespace {
constinit SizeClassHeap g_heap;

void free_or_panic(void* p) {
    switch (g_heap.free(p)) {
        case FreeError::None: return;
        case FreeError::NotFromHeap: panic("kernel heap: free of {} which the heap never handed out", p);
        case FreeError::DoubleFree: panic("kernel heap: double free of {}", p);
        case FreeError::Corrupt: panic("kernel heap: the header of block {} was overwritten (buffer overflow?)", p);
    }
}
}  // namespace

SizeClassHeap& kernel_heap() { return g_heap; }

void* allocate_frame(std::size_t bytes) noexcept { return g_heap.allocate(bytes); }
void free_frame(void* frame, std::size_t) noexcept { free_or_panic(frame); }

}  // namespace cops::mm

// Plain `new` must not return nullptr (no exceptions to throw): running out is fatal.
void* operator new(std::size_t bytes) {
    void* p = cops::mm::kernel_heap().allocate(bytes);
    if (p == nullptr) {
        cops::panic("kernel heap: out of memory allocating {} bytes", bytes);
    }
    return p;
}
void* operator new[](std::size_t bytes) { return operator new(bytes); }
void* operator new(std::size_t bytes, const std::nothrow_t&) noexcept {
    return cops::mm::kernel_heap().allocate(bytes);
}
void* operator new[](std::size_t bytes, const std::nothrow_t&) noexcept {
    return cops::mm::kernel_heap().allocate(bytes);
}
void operator delete(void* p) noexcept { cops::mm::free_frame(p, 0); }
void operator delete[](void* p) noexcept { cops::mm::free_frame(p, 0); }
void operator delete(void* p, std::size_t) noexcept { cops::mm::free_frame(p, 0); }
void operator delete[](void* p, std::size_t) noexcept { cops::mm::free_frame(p, 0); }
