/// @file spinner.cpp
/// @brief Loops for ever without a system call; only a tick or kill() stops it.
int main() {
    for (;;) {
        asm volatile("" ::: "memory");
    }
}
