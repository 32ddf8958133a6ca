/// @file fault.cpp
/// @brief `fault KIND`: does something a user program may not do. The kernel must
/// kill it (status kStatusFault) and keep running.
///   kernel-read   load from the kernel image     kernel-write  store into it
///   null          load from address 0            unmapped      load from unmapped user space
///   illegal       an illegal instruction         csr           read a supervisor CSR
///   text-write    store into its own code        stack-overflow run past its stack's guard page
///   data-exec     jump into its own data
#include <cstdint>
#include <string_view>

#include "cops/user/print.hpp"

using namespace cops::user;

namespace {
volatile std::uint64_t* at(std::uint64_t address) { return reinterpret_cast<volatile std::uint64_t*>(address); }

volatile std::uint64_t g_depth_limit = ~std::uint64_t{0};  // volatile: the compiler cannot see the end

[[gnu::noinline]] std::uint64_t recurse(std::uint64_t n) {
    volatile char pad[512];
    pad[0] = static_cast<char>(n);
    if (n == g_depth_limit) {
        return 0;
    }
    return recurse(n + 1) + pad[0];
}
}  // namespace

int main(int argc, char** argv) {
    const std::string_view kind = argc > 1 ? argv[1] : "";
    std::uint64_t sink = 0;
    if (kind == "kernel-read") {
        sink = *at(0x8020'0000);
    } else if (kind == "kernel-write") {
        *at(0x8020'0000) = 0;
    } else if (kind == "null") {
        sink = *at(0);
    } else if (kind == "unmapped") {
        sink = *at(0x20'0000'0000);
    } else if (kind == "illegal") {
        asm volatile(".word 0");  // all-zero is defined to be illegal
    } else if (kind == "csr") {
        asm volatile("csrr %0, sstatus" : "=r"(sink));
    } else if (kind == "text-write") {
        *at(reinterpret_cast<std::uint64_t>(&main)) = 0;
    } else if (kind == "stack-overflow") {
        sink = recurse(0);
    } else if (kind == "data-exec") {
        // A `ret` (0x8082, compressed) in a writable global: data pages are not
        // executable, so the jump is an instruction page fault.
        static volatile std::uint16_t code[2] = {0x8082, 0x8082};
        reinterpret_cast<void (*)()>(const_cast<std::uint16_t*>(code))();
    } else {
        println("fault: unknown kind '{}'", kind);
        return 2;
    }
    println("fault: survived '{}' (read {})", kind, sink);
    return 1;
}
