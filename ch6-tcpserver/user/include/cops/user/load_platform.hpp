/// @file load_platform.hpp
/// @brief What the matrix load client (user/programs/matrix_client.cpp) needs from the
/// place it runs in — here, a COPS guest program: one user coroutine per connection,
/// async system calls, the guest's own clock.
///
/// The same client source is also built as a host program against
/// ch6-tcpserver/host/host_load_platform.hpp, which offers these names with POSIX
/// sockets and one host thread per connection. Keep the two in step: every name here
/// has its twin there.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "cops/abi/net_abi.hpp"
#include "cops/sched/task.hpp"
#include "cops/user/async_sys.hpp"
#include "cops/user/coro.hpp"
#include "cops/user/net.hpp"
#include "cops/user/print.hpp"

namespace cops::user::load {

/// A step of a connection that may wait: a user coroutine.
template <class T = void>
using Task = sched::Task<T>;

/// Where this build runs (printed in the report's first line).
inline constexpr std::string_view kPlace = "guest";
/// The server's address when the command line names none: this guest's loopback.
inline constexpr std::uint32_t kDefaultServer = abi::kLoopback;
/// With `nics`: the client binds to NIC 0 and connects to NIC 1, so frames cross the driver.
inline constexpr std::uint32_t kNicClient = abi::nic_address(0);
/// See kNicClient.
inline constexpr std::uint32_t kNicServer = abi::nic_address(1);
/// This place has the `nics` option (two NICs on one hub).
inline constexpr bool kHasNics = true;

/// A new TCP socket, bound to @p local_address unless it is 0; an fd or a negative errno.
inline long open_socket(std::uint32_t local_address) {
    const long fd = user::socket();
    if (fd >= 0 && local_address != 0) {
        (void)user::bind(static_cast<int>(fd), local_address, 0);
    }
    if (fd >= 0) {
        (void)user::set_no_delay(static_cast<int>(fd), true);
    }
    return fd;
}
/// Connects @p fd to @p address : @p port (host order); 0 or a negative errno.
inline Task<long> connect(int fd, std::uint32_t address, std::uint16_t port) {
    return async_sys::connect(fd, address, port);
}
/// The server was not listening (yet): worth trying again on a new socket.
inline bool refused(long result) { return result == abi::error_return(abi::kErrConnRefused); }
/// Sends @p bytes bytes; the count sent or a negative errno.
inline Task<long> send(int fd, const void* data, std::size_t bytes) { return async_sys::send(fd, data, bytes); }
/// Receives up to @p room bytes; the count (0: the peer closed) or a negative errno.
inline Task<long> recv(int fd, void* into, std::size_t room) { return async_sys::recv(fd, into, room); }
/// Waits @p ticks kernel ticks (1 ms each).
inline Task<long> sleep_ticks(std::uint64_t ticks) { return async_sys::sleep(ticks); }
/// Closes @p fd.
inline void close(int fd) { (void)user::close(fd); }

/// The guest's clock in virtual microseconds (the 10 MHz timebase; under -icount
/// shift=0 one instruction is one virtual ns, and all harts share that one clock).
inline std::uint64_t now_us() {
    std::uint64_t t;
    asm volatile("rdtime %0" : "=r"(t));
    return t / 10;
}
/// The clock in the kernel's 1 ms ticks.
inline std::uint64_t now_ticks() { return now_us() / 1000; }

/// The one level of every connection's coroutine: the client must not favour any
/// priority itself (the paper's client ran on another machine); only the server may.
inline constexpr sched::Priority kConnectionLevel{16};
/// Starts @p task as a coroutine of this process; false if there is no room for it.
inline bool spawn(Task<void> task) { return user::spawn(static_cast<Task<void>&&>(task), kConnectionLevel) >= 0; }
/// Moves the calling coroutine (the client's main) to the connections' level. The
/// runtime starts it at 32, below them: on one hart by the wall clock, 64 connected
/// coroutines that poll every tick for the start could then keep it from running at
/// all, and it is the one that starts the run (the demo's old one-hart KTUT hang).
inline void join_connections_level() { (void)user::set_priority(user::current(), kConnectionLevel); }
/// Waits until every spawned task has ended and been reclaimed (the executor already did).
inline void join_spawned() {}

/// Formats @p fmt with @p args (cops/lib/format.hpp) and prints it with a newline.
template <class... Args>
void println(std::string_view fmt, const Args&... args) {
    user::println(fmt, args...);
}

}  // namespace cops::user::load
