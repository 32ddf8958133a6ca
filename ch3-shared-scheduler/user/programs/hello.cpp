/// @file hello.cpp
/// @brief The smallest user program: greets, shows its arguments, exits 0.
#include "cops/user/print.hpp"
#include "cops/user/sys.hpp"

using namespace cops::user;

int main(int argc, char** argv) {
    println("hello from user mode: pid {}, {} argument(s)", getpid(), argc);
    for (int i = 0; i < argc; ++i) {
        println("  argv[{}] = {}", i, argv[i]);
    }
    return 0;
}
