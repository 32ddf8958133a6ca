/// @file host_death.hpp
/// @brief Host unit tests only: run code that must stop the program (a failed
/// COPS_VERIFY in a destructor ends in std::terminate), and read what it said.
#pragma once

#include <sys/wait.h>
#include <unistd.h>

#include <csignal>
#include <cstdio>
#include <string>

namespace cops::test {

/// Runs @p fn in a forked child. Returns what the child wrote to stderr if it ended
/// abnormally (a signal or a non-zero status), or "" if @p fn returned normally.
template <class Fn>
std::string death_message(Fn fn) {
    int pipe_fds[2];
    if (pipe(pipe_fds) != 0) {
        return "death_message: pipe() failed";
    }
    std::fflush(nullptr);
    const pid_t pid = fork();
    if (pid == 0) {
        close(pipe_fds[0]);
        dup2(pipe_fds[1], 2);
        // The test framework's handlers would report (and write its report file) from
        // the child too: the child dies the plain way instead.
        for (int sig : {SIGABRT, SIGSEGV, SIGILL, SIGFPE, SIGBUS, SIGTRAP}) {
            std::signal(sig, SIG_DFL);
        }
        fn();
        _exit(0);
    }
    close(pipe_fds[1]);
    std::string said;
    char buf[256];
    for (ssize_t n; (n = read(pipe_fds[0], buf, sizeof buf)) > 0;) {
        said.append(buf, static_cast<std::size_t>(n));
    }
    close(pipe_fds[0]);
    int status = 0;
    waitpid(pid, &status, 0);
    const bool died = WIFSIGNALED(status) || (WIFEXITED(status) && WEXITSTATUS(status) != 0);
    return died ? (said.empty() ? std::string("(died without a message)") : said) : std::string();
}

}  // namespace cops::test
