/// @file net_abi.hpp
/// @brief Chapter 6's system-call ABI: TCP sockets over the kernel's lwIP stack.
///
/// A socket is a file descriptor. read()/write() (ch4's calls: `recv` and `send` are
/// the same two) move bytes on a connected socket in both forms, and accept() and
/// connect() are calls that may wait, in both forms too:
///
///     sys::accept(fd)                    co_await async_sys::accept(fd)
///     sys::connect(fd, addr, port)       co_await async_sys::connect(fd, addr, port)
///
/// The others never wait. Addresses are IPv4 in host byte order (ipv4(10,0,2,15)).
///
///     read     bytes > 0; 0 once the peer closed its side; -ECONNRESET
///     write    all bytes (blocks only the caller while the send buffer is full);
///              -EPIPE after shutdown() or once the peer reset
///     accept   a new fd of the connection; -EINVAL if not listening
///     connect  0; -ECONNREFUSED, -ETIMEDOUT, -EISCONN
#pragma once

#include <cstdint>

#include "cops/abi/io_abi.hpp"
#include "cops/abi/syscall_numbers.hpp"

namespace cops::abi {

/// socket() -> an fd of a new TCP socket.
inline constexpr Sys kSysSocket{50};
/// bind(fd, addr, port) -> 0; addr 0: every interface; port 0: one chosen by the stack.
inline constexpr Sys kSysBind{51};
/// listen(fd, backlog) -> 0; connections wait for accept() (at most @p backlog, 1..kMaxBacklog).
inline constexpr Sys kSysListen{52};
/// accept(fd) -> an fd of the next connection (sync and async forms).
inline constexpr Sys kSysAccept{53};
/// connect(fd, addr, port) -> 0 once connected (sync and async forms).
inline constexpr Sys kSysConnect{54};
/// shutdown(fd) -> 0: this side sends no more (the peer reads end of file).
inline constexpr Sys kSysShutdown{55};
/// set_socket_option(fd, option, value) -> 0 (SocketOption).
inline constexpr Sys kSysSocketOption{56};
/// net_info(which) -> a counter of the stack (NetInfo).
inline constexpr Sys kSysNetInfo{57};
/// socket_address(fd, which) -> 0: the local address, 1: the local port, 2: the peer's
/// address, 3: the peer's port.
inline constexpr Sys kSysSocketAddress{58};
/// set_io_model(model) -> 0, or -EINVAL: how this process's calls that must wait are
/// carried from now on (IoModel; the server experiment's kernel side).
inline constexpr Sys kSysSetIoModel{59};

/// model_memory(which) -> bytes the calling process holds now (ModelMemory), for the
/// server experiment's memory table.
inline constexpr Sys kSysModelMemory{60};

/// What model_memory() measures, for the calling process.
enum class ModelMemory : std::uint32_t {
    MappedBytes = 0,  ///< user memory mapped (pages × 4 KiB: code, data, heap arena, stacks, rings)
    StackBytes = 1,   ///< of those, its threads' user stacks
    CallBytes = 2,    ///< kernel: its calls that wait now (record, pooled frame, control block each)
    ThreadBytes = 3,  ///< kernel: its threads (thread record, its coroutine's frame and control block)
    WaitBytes = 4,    ///< kernel: frames of sleeping threads' waits in use (all processes)
};

/// How a process's calls that must wait are carried in the kernel (set_io_model()).
/// The user side picks threads (sync calls) or coroutines (async calls) itself.
enum class IoModel : std::uint8_t {
    Coroutines = 0,       ///< a kernel coroutine per call waits on the socket (ch4; KCUC, KCUT)
    RetryingThreads = 1,  ///< sync calls: the thread retries its call, yielding between tries (KTUT)
    SleepingThreads = 2,  ///< sync calls: the thread sleeps on the socket itself, then retries
    Polled = 3,           ///< calls wait for one polling kernel thread's next sweep (KTUC)
};

/// Options of set_socket_option().
enum class SocketOption : std::uint32_t {
    NoDelay = 1,  ///< value 1: send at once (Nagle's algorithm off), 0: coalesce
};

/// Counters of net_info().
enum class NetInfo : std::uint32_t {
    Sockets = 0,        ///< sockets open in the whole kernel
    TcpPcbs = 1,        ///< lwIP's TCP control blocks in use (TIME_WAIT included)
    TimeWait = 2,       ///< of those, in TIME_WAIT
    Pbufs = 3,          ///< lwIP's packet buffers in use (pool and heap)
    Nics = 4,           ///< virtio-net interfaces found
    FramesIn = 5,       ///< frames the NICs received
    FramesOut = 6,      ///< frames the NICs sent
    FramesDropped = 7,  ///< frames the driver refused (malformed, or no room)
    Retries = 8,        ///< tries again of calls in the RetryingThreads and SleepingThreads models
    Sweeps = 9,         ///< sweeps of the polling kernel thread (Polled)
};

/// EADDRINUSE: the address and port are taken.
inline constexpr Errno kErrAddressInUse{98};
/// ECONNABORTED: the stack ended the connection (out of memory, too many retries).
inline constexpr Errno kErrConnAborted{103};
/// ECONNRESET: the peer reset the connection.
inline constexpr Errno kErrConnReset{104};
/// EISCONN: the socket is connected (or listening) already.
inline constexpr Errno kErrIsConnected{106};
/// ENOTCONN: the socket is not connected.
inline constexpr Errno kErrNotConnected{107};
/// ETIMEDOUT: the peer did not answer.
inline constexpr Errno kErrTimedOut{110};
/// EHOSTUNREACH: no interface leads to that address.
inline constexpr Errno kErrUnreachable{113};
/// ENOTSOCK: the fd is not a socket.
inline constexpr Errno kErrNotSocket{88};
/// ECONNREFUSED: nobody listens on that port.
inline constexpr Errno kErrConnRefused{111};

/// Most connections one listening socket keeps waiting for accept().
inline constexpr unsigned kMaxBacklog = 128;

/// An IPv4 address in host byte order.
constexpr std::uint32_t ipv4(unsigned a, unsigned b, unsigned c, unsigned d) {
    return (std::uint32_t{a & 255} << 24) | (std::uint32_t{b & 255} << 16) | (std::uint32_t{c & 255} << 8) |
           std::uint32_t{d & 255};
}
/// 127.0.0.1: the loopback interface.
inline constexpr std::uint32_t kLoopback = ipv4(127, 0, 0, 1);
/// The address of NIC @p i: 10.0.2.15 + i (QEMU user networking gives the guest 10.0.2.15).
constexpr std::uint32_t nic_address(unsigned i) { return ipv4(10, 0, 2, 15 + i); }
/// The gateway of QEMU user networking (the host, as the guest sees it).
inline constexpr std::uint32_t kGateway = ipv4(10, 0, 2, 2);

}  // namespace cops::abi
