/// @file exit_with.cpp
/// @brief `exit_with N`: exits with status N (tests read it back through wait/reap).
#include "cops/user/sys.hpp"

int main(int argc, char** argv) {
    int status = 0;
    if (argc > 1) {
        for (const char* p = argv[1]; *p >= '0' && *p <= '9'; ++p) {
            status = status * 10 + (*p - '0');
        }
    }
    return status;
}
