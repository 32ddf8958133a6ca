/// @file net.hpp
/// @brief TCP sockets for user programs (net_abi.hpp). Calls that may wait come in
/// both forms from one declaration each (ch4's COPS_IO_CALL):
///
///     long fd = user::socket();
///     user::bind(fd, 0, 7); user::listen(fd, 8);
///     long c = co_await async_sys::accept(fd);          // blocks only this coroutine
///     long n = co_await async_sys::recv(c, buf, len);   // = async_sys::read
///     co_await async_sys::send(c, buf, n);              // = async_sys::write
///     user::close(c);
///
/// Every call returns its result or a negative errno (cops::abi::Errno, net_abi.hpp).
#pragma once

#include <cstddef>
#include <cstdint>

#include "cops/abi/net_abi.hpp"
#include "cops/user/async_sys.hpp"

/// @cond IO_CALLS
COPS_IO_CALL(accept, ::cops::abi::kSysAccept, int)
COPS_IO_CALL(connect, ::cops::abi::kSysConnect, int, std::uint32_t, std::uint16_t)
COPS_IO_CALL(recv, ::cops::abi::Sys::Read, int, void*, std::size_t)
COPS_IO_CALL(send, ::cops::abi::Sys::Write, int, const void*, std::size_t)
/// @endcond

namespace cops::user {

/// socket(): an fd of a new TCP socket, or -ENOMEM.
inline long socket() { return syscall(abi::kSysSocket); }
/// bind(fd, addr, port): 0 or -errno (addr 0: every interface).
inline long bind(int fd, std::uint32_t address, std::uint16_t port) {
    return syscall(abi::kSysBind, static_cast<std::uint64_t>(fd), address, port);
}
/// listen(fd, backlog): 0 or -errno.
inline long listen(int fd, unsigned backlog) {
    return syscall(abi::kSysListen, static_cast<std::uint64_t>(fd), backlog);
}
/// shutdown(fd): this side sends no more; 0 or -ENOTCONN.
inline long shutdown(int fd) { return syscall(abi::kSysShutdown, static_cast<std::uint64_t>(fd)); }
/// set_no_delay(fd, on): Nagle's algorithm off (on) or on; 0 or -errno.
inline long set_no_delay(int fd, bool on) {
    return syscall(abi::kSysSocketOption, static_cast<std::uint64_t>(fd),
                   static_cast<std::uint64_t>(abi::SocketOption::NoDelay), on ? 1 : 0);
}
/// set_io_model(model): how the kernel carries this process's waiting calls; 0 or -EINVAL.
inline long set_io_model(abi::IoModel model) { return syscall(abi::kSysSetIoModel, static_cast<std::uint64_t>(model)); }
/// model_memory(which): bytes this process holds now (abi::ModelMemory).
inline long model_memory(abi::ModelMemory which) {
    return syscall(abi::kSysModelMemory, static_cast<std::uint64_t>(which));
}
/// net_info(which): a counter of the kernel's stack.
inline long net_info(abi::NetInfo which) { return syscall(abi::kSysNetInfo, static_cast<std::uint64_t>(which)); }
/// local_port(fd): the port the socket is bound to, or -errno.
inline long local_port(int fd) { return syscall(abi::kSysSocketAddress, static_cast<std::uint64_t>(fd), 1); }
/// peer_address(fd): the peer's IPv4 address (host order), or -errno.
inline long peer_address(int fd) { return syscall(abi::kSysSocketAddress, static_cast<std::uint64_t>(fd), 2); }

}  // namespace cops::user
