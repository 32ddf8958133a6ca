/// @file socket.hpp
/// @brief A TCP socket: what a socket file descriptor names, on top of one lwIP pcb.
///
/// lwIP's raw API calls back (with the stack lock held) when data arrives, when
/// sent data is acknowledged, when a connection is accepted or connected, and when
/// the connection fails. Each callback records what happened in the Socket and
/// signals the socket's event count (io::Readiness); a call waiting on it in a
/// kernel coroutine then tries again. That wake is the lab region here:
///
///     NIC interrupt -> network coroutine -> lwIP input -> on_receive() (queue the
///     pbuf, signal) -> the read's kernel coroutine wakes -> copies to the user,
///     tcp_recved() -> completion to the user coroutine
///
/// A Socket is owned by its File (ch4's file_ops.hpp); the File's last reference
/// closes it. Every field is guarded by the stack lock.
#pragma once

#include <cstdint>

#include "cops/abi/net_abi.hpp"
#include "cops/io/call.hpp"
#include "cops/io/file.hpp"
#include "cops/io/readiness.hpp"
#include "cops/lib/result.hpp"

struct tcp_pcb;
struct pbuf;

namespace cops::net {

/// Where a socket is in its life.
enum class SocketState : std::uint8_t {
    Fresh,       ///< created (maybe bound), neither listening nor connected
    Listening,   ///< accepts connections
    Connecting,  ///< connect() sent its SYN, no answer yet
    Connected,   ///< data flows (the peer may have closed its side: peer_closed)
    Failed,      ///< the connection ended in an error (`error`); lwIP freed the pcb
    Closed,      ///< closed by this side (no pcb)
};

/// The calls on a socket that are not read or write (io::Call::op).
enum class SocketOp : std::uint32_t {
    Accept = 1,   ///< accept(): the next connection as a new fd
    Connect = 2,  ///< connect(addr, port): Call::buffer is the address, Call::length the port
};

/// One TCP socket.
struct Socket {
    tcp_pcb* pcb = nullptr;                  ///< lwIP's control block, or nullptr (Failed, Closed)
    SocketState state = SocketState::Fresh;  ///< see SocketState
    abi::Errno error{};                      ///< why it failed (Failed)
    pbuf* received = nullptr;                ///< data not read yet (a pbuf chain)
    std::uint16_t received_offset = 0;       ///< bytes of the first pbuf read already
    bool peer_closed = false;                ///< the peer sends no more: read() returns 0 when empty
    bool write_shut = false;                 ///< shutdown(): this side sends no more
    Socket* backlog[abi::kMaxBacklog] = {};  ///< connections accepted by lwIP, not yet by accept()
    std::uint8_t backlog_head = 0;           ///< first of them
    std::uint8_t backlog_count = 0;          ///< how many
    std::uint8_t backlog_limit = 0;          ///< listen()'s backlog
    io::Readiness ready;                     ///< signalled at every change
};

/// Opens a new socket with its lwIP pcb: a File with one reference in *@p f.
/// Errors: OutOfMemory (no Socket, or lwIP has no free pcb).
Status open_socket(io::File** f);
/// The socket of @p f, or nullptr if @p f is not a socket.
Socket* socket_of(io::File& f);

/// bind(): 0 or -errno (EINVAL if not Fresh, EADDRINUSE).
std::int64_t bind(Socket& s, std::uint32_t address, std::uint16_t port);
/// listen(): 0 or -errno.
std::int64_t listen(Socket& s, unsigned backlog);
/// shutdown() of the sending side: 0 or -ENOTCONN.
std::int64_t shutdown(Socket& s);
/// set_socket_option(): 0 or -EINVAL.
std::int64_t set_option(Socket& s, abi::SocketOption option, std::uint64_t value);
/// socket_address(): see net_abi.hpp; -ENOTCONN for the peer of an unconnected socket.
std::int64_t address(Socket& s, unsigned which);

}  // namespace cops::net
