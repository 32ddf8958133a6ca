/// @file syscalls_net.cpp
/// @brief Chapter 6's system calls: socket, bind, listen, accept, connect, shutdown,
/// set_socket_option, net_info, socket_address. read/write/close are ch4's.
#include "cops/abi/net_abi.hpp"
#include "cops/init/initcall.hpp"
#include "cops/io/call.hpp"
#include "cops/io/process_io.hpp"
#include "cops/net/io_models.hpp"
#include "cops/net/socket.hpp"
#include "cops/net/stack.hpp"
#include "cops/proc/syscall.hpp"

namespace cops::proc {

namespace {
using abi::Errno;

/// Runs @p fn on the socket that fd args[0] names (EBADF: no fd; ENOTSOCK: not a socket).
template <class Fn>
std::int64_t on_socket(SyscallContext& c, Fn fn) {
    io::File* f = io::take_file(*c.thread.process->io, c.args[0]);
    if (f == nullptr) {
        return abi::error_return(Errno::BadFd);
    }
    net::Socket* s = net::socket_of(*f);
    const std::int64_t r = s != nullptr ? fn(*s) : abi::error_return(abi::kErrNotSocket);
    io::release(*f);
    return r;
}

std::int64_t sys_socket(SyscallContext& c) {
    io::File* f = nullptr;
    if (!net::open_socket(&f)) {
        return abi::error_return(Errno::NoMemory);
    }
    return io::install_file(*c.thread.process->io, *f);
}

std::int64_t sys_bind(SyscallContext& c) {
    if (c.args[1] > 0xffffffffULL || c.args[2] > 0xffff) {
        return abi::error_return(Errno::Invalid);
    }
    return on_socket(c, [&](net::Socket& s) {
        return net::bind(s, static_cast<std::uint32_t>(c.args[1]), static_cast<std::uint16_t>(c.args[2]));
    });
}

std::int64_t sys_listen(SyscallContext& c) {
    const unsigned backlog = c.args[1] > abi::kMaxBacklog ? 0 : static_cast<unsigned>(c.args[1]);
    return on_socket(c, [&](net::Socket& s) { return net::listen(s, backlog); });
}

// accept and connect may wait: ch4's one entry gives them both forms.
std::int64_t sys_accept(SyscallContext& c) {
    return io_call(c, io::CallKind::Extension, static_cast<std::uint32_t>(net::SocketOp::Accept));
}
std::int64_t sys_connect(SyscallContext& c) {
    return io_call(c, io::CallKind::Extension, static_cast<std::uint32_t>(net::SocketOp::Connect));
}

std::int64_t sys_shutdown(SyscallContext& c) {
    return on_socket(c, [](net::Socket& s) { return net::shutdown(s); });
}

std::int64_t sys_socket_option(SyscallContext& c) {
    return on_socket(
        c, [&](net::Socket& s) { return net::set_option(s, static_cast<abi::SocketOption>(c.args[1]), c.args[2]); });
}

std::int64_t sys_socket_address(SyscallContext& c) {
    const unsigned which = c.args[1] > 3 ? 4 : static_cast<unsigned>(c.args[1]);
    return on_socket(c, [&](net::Socket& s) { return net::address(s, which); });
}

std::int64_t sys_net_info(SyscallContext& c) {
    const net::NetCounters n = net::counters();
    switch (static_cast<abi::NetInfo>(c.args[0])) {
        case abi::NetInfo::Sockets: return n.sockets;
        case abi::NetInfo::TcpPcbs: return n.tcp_pcbs;
        case abi::NetInfo::TimeWait: return n.time_wait;
        case abi::NetInfo::Pbufs: return n.pbufs;
        case abi::NetInfo::Nics: return n.nics;
        case abi::NetInfo::FramesIn: return static_cast<std::int64_t>(n.frames_in);
        case abi::NetInfo::FramesOut: return static_cast<std::int64_t>(n.frames_out);
        case abi::NetInfo::FramesDropped: return static_cast<std::int64_t>(n.frames_dropped);
        case abi::NetInfo::Retries: return static_cast<std::int64_t>(net::io_model_counters().retries);
        case abi::NetInfo::Sweeps: return static_cast<std::int64_t>(net::io_model_counters().sweeps);
    }
    return abi::error_return(Errno::Invalid);
}

void register_net_calls() {
    register_syscall(abi::kSysSocket, {"socket", sys_socket, nullptr});
    register_syscall(abi::kSysBind, {"bind", sys_bind, nullptr});
    register_syscall(abi::kSysListen, {"listen", sys_listen, nullptr});
    register_syscall(abi::kSysAccept, {"accept", sys_accept, nullptr});
    register_syscall(abi::kSysConnect, {"connect", sys_connect, nullptr});
    register_syscall(abi::kSysShutdown, {"shutdown", sys_shutdown, nullptr});
    register_syscall(abi::kSysSocketOption, {"set_socket_option", sys_socket_option, nullptr});
    register_syscall(abi::kSysNetInfo, {"net_info", sys_net_info, nullptr});
    register_syscall(abi::kSysSocketAddress, {"socket_address", sys_socket_address, nullptr});
}
COPS_INITCALL(late, register_net_calls);
}  // namespace

}  // namespace cops::proc
