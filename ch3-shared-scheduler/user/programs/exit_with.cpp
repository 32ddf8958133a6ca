/// @file exit_with.cpp
/// @brief `exit_with N`: exits with status N (tests read it back through wait/reap).
#include "cops/lib/parse.hpp"

int main(int argc, char** argv) { return static_cast<int>(cops::lib::parse_u64(argc > 1 ? argv[1] : "", 0)); }
