/// @file bench_loop.cpp
/// @brief Workloads for `make bench` (the kernel times them from outside):
///   bench_loop getpid N    N getpid() calls (a system-call round trip)
///   bench_loop yield N     N yield() calls (with a partner: a switch each)
///   bench_loop threads N   two threads of this process yielding N times each
#include <string_view>

#include "cops/lib/parse.hpp"
#include "cops/user/sys.hpp"
#include "cops/user/thread.hpp"

using namespace cops::user;

namespace {
long g_rounds = 0;

long yielder(void*) {
    for (long i = 0; i < g_rounds; ++i) {
        yield();
    }
    return 0;
}
}  // namespace

int main(int argc, char** argv) {
    if (argc < 3) {
        return 2;
    }
    const std::string_view what = argv[1];
    g_rounds = static_cast<long>(cops::lib::parse_u64(argv[2], 0));
    if (what == "getpid") {
        for (long i = 0; i < g_rounds; ++i) {
            getpid();
        }
    } else if (what == "yield") {
        yielder(nullptr);
    } else if (what == "threads") {
        const long tid = thread_create(yielder, nullptr);
        yielder(nullptr);
        thread_join(tid);
    } else {
        return 2;
    }
    return 0;
}
