/// @file isolation.cpp
/// @brief `isolation hold` stores a secret and sleeps; `isolation peek` runs the same
/// program in another process and must not see the secret at the same address.
#include <cstdint>
#include <string_view>

#include "cops/user/print.hpp"
#include "cops/user/sys.hpp"

using namespace cops::user;

namespace {
constexpr std::uint64_t kSecret = 0x5ec7'e7c0'ffee'0001;
volatile std::uint64_t g_secret = 0;
}  // namespace

int main(int argc, char** argv) {
    const std::string_view role = argc > 1 ? argv[1] : "";
    if (role == "hold") {
        g_secret = kSecret;
        sleep(1'000'000);
        return g_secret == kSecret ? 0 : 1;
    }
    if (role == "peek") {
        // Same program, same address, another address space.
        println("isolation: peek sees {:#x} at {}", g_secret,
                const_cast<const void*>(static_cast<const volatile void*>(&g_secret)));
        return g_secret == kSecret ? 1 : 0;
    }
    return 2;
}
