/// @file io_models.hpp
/// @brief The kernel side of the server experiment's models (the COPS paper, §5):
/// how a process's socket calls that must wait are carried, picked per process
/// with set_io_model() (abi::IoModel).
///
///     Coroutines       ch4's way: a kernel coroutine per waiting call, woken by
///                      the socket (KCUC with async calls, KCUT with sync calls)
///     RetryingThreads  the calling thread tries its call again each time it gets
///                      its CPU back: it never sleeps (KTUT, as the paper built it)
///     SleepingThreads  the calling thread sleeps on the socket itself and tries
///                      again when woken: no coroutine (the fair thread baseline)
///     Polled           waiting calls are woken by one polling kernel thread's
///                      sweeps, not by their sockets (KTUC)
///
/// Only socket calls (read, write, accept, connect on a socket) follow the thread
/// models; every other call keeps ch4's way.
#pragma once

#include <cstdint>

#include "cops/io/readiness.hpp"

namespace cops::net {

/// The event count that the polling kernel thread moves at every sweep: what a call
/// of a Polled process waits on instead of its socket.
io::Readiness& polled_sweep();

/// Counters of the models.
struct IoModelCounters {
    std::uint64_t retries = 0;  ///< tries again by threads (RetryingThreads, SleepingThreads)
    std::uint64_t sweeps = 0;   ///< sweeps of the polling kernel thread
};
/// The counters now.
IoModelCounters io_model_counters();

}  // namespace cops::net
