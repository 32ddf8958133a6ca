/// @file socket.cpp
/// @brief TCP sockets on lwIP's raw API: the callbacks that record what happened and
/// wake waiting calls, and the one try of each call (ch4's FileOps).
#include "cops/net/socket.hpp"

#include <new>

#include "cops/io/process_io.hpp"
#include "cops/net/io_models.hpp"
#include "cops/net/stack.hpp"

extern "C" {
#include "lwip/ip_addr.h"
#include "lwip/pbuf.h"
#include "lwip/priv/tcp_priv.h"
#include "lwip/tcp.h"
}

namespace cops::net {

namespace {
using abi::Errno;
using io::kWouldBlock;

/// Bytes copied from the user per tcp_write() (a kernel-stack bounce buffer).
constexpr std::size_t kWriteChunk = 1024;

std::int64_t fail(Errno e) { return abi::error_return(e); }

/// What an lwIP error means for a socket's calls.
Errno errno_of(err_t err, bool connecting) {
    switch (err) {
        case ERR_RST: return connecting ? abi::kErrConnRefused : abi::kErrConnReset;
        case ERR_ABRT: return connecting ? abi::kErrTimedOut : abi::kErrConnAborted;
        case ERR_CLSD: return abi::kErrConnReset;
        case ERR_USE: return abi::kErrAddressInUse;
        case ERR_RTE: return abi::kErrUnreachable;
        case ERR_ISCONN: return abi::kErrIsConnected;
        case ERR_MEM:
        case ERR_BUF: return Errno::NoMemory;
        default: return Errno::Invalid;
    }
}

// ---- lwIP's callbacks (the stack lock is held) -------------------------------

err_t on_receive(void* arg, tcp_pcb* pcb, pbuf* p, err_t err) {
    auto* s = static_cast<Socket*>(arg);
    if (s == nullptr) {  // the socket is gone: take nothing
        if (p != nullptr) {
            tcp_recved(pcb, p->tot_len);
            pbuf_free(p);
        }
        return ERR_OK;
    }
    (void)err;  // lwIP passes ERR_OK here
    // LAB(ch6): from lwIP's callback to the waiting coroutine
    // lwIP hands over received data as a pbuf chain (p), or p == nullptr once the
    // peer has closed its side. Record it in the socket: keep p at the end of
    // s->received (pbuf_cat; the socket owns it now, read() frees it and calls
    // tcp_recved), or set s->peer_closed. Then signal the socket's event count, so
    // a read waiting for data (or for end of file) tries again.
    if (p == nullptr) {
        s->peer_closed = true;
    } else if (s->received == nullptr) {
        s->received = p;
    } else {
        pbuf_cat(s->received, p);
    }
    s->ready.signal();
    // LAB-STUB: (void)p;
    // END-LAB
    return ERR_OK;
}

err_t on_sent(void* arg, tcp_pcb* pcb, u16_t length) {
    (void)pcb;
    (void)length;
    if (auto* s = static_cast<Socket*>(arg); s != nullptr) {
        s->ready.signal();  // room in the send buffer: a blocked write goes on
    }
    return ERR_OK;
}

void on_error(void* arg, err_t err) {
    auto* s = static_cast<Socket*>(arg);
    if (s == nullptr) {
        return;
    }
    // lwIP has freed the pcb already.
    s->error = errno_of(err, s->state == SocketState::Connecting);
    s->pcb = nullptr;
    s->state = SocketState::Failed;
    s->ready.signal();
}

err_t on_connected(void* arg, tcp_pcb* pcb, err_t err) {
    (void)pcb;
    (void)err;  // always ERR_OK in lwIP 2.1 (failures come through on_error)
    if (auto* s = static_cast<Socket*>(arg); s != nullptr) {
        s->state = SocketState::Connected;
        s->ready.signal();
    }
    return ERR_OK;
}

void attach(Socket& s, tcp_pcb* pcb) {
    s.pcb = pcb;
    tcp_arg(pcb, &s);
    tcp_recv(pcb, on_receive);
    tcp_sent(pcb, on_sent);
    tcp_err(pcb, on_error);
}

err_t on_accept(void* arg, tcp_pcb* pcb, err_t err) {
    auto* listener = static_cast<Socket*>(arg);
    if (err != ERR_OK || pcb == nullptr) {
        return ERR_VAL;
    }
    Socket* child =
        listener != nullptr && listener->backlog_count < listener->backlog_limit ? new (std::nothrow) Socket : nullptr;
    if (child == nullptr) {
        tcp_abort(pcb);  // the backlog is full (or no memory): the peer sees a reset
        return ERR_ABRT;
    }
    attach(*child, pcb);
    child->state = SocketState::Connected;
    count_socket(+1);
    const unsigned tail = (listener->backlog_head + listener->backlog_count) % abi::kMaxBacklog;
    listener->backlog[tail] = child;
    ++listener->backlog_count;
    listener->ready.signal();
    return ERR_OK;
}

/// Lets go of the socket's pcb: no more callbacks; a graceful close, else a reset.
void drop_pcb(Socket& s) {
    if (s.pcb == nullptr) {
        return;
    }
    tcp_arg(s.pcb, nullptr);
    if (s.state == SocketState::Listening) {
        tcp_accept(s.pcb, nullptr);
        (void)tcp_close(s.pcb);  // never fails for a listening pcb
    } else {
        tcp_recv(s.pcb, nullptr);
        tcp_sent(s.pcb, nullptr);
        tcp_err(s.pcb, nullptr);
        if (tcp_close(s.pcb) != ERR_OK) {
            tcp_abort(s.pcb);
        }
    }
    s.pcb = nullptr;
}

/// Frees everything of @p s but the object (the stack lock is held).
void tear_down(Socket& s) {
    drop_pcb(s);
    s.state = SocketState::Closed;
    if (s.received != nullptr) {
        pbuf_free(s.received);
        s.received = nullptr;
    }
    while (s.backlog_count > 0) {
        Socket* child = s.backlog[s.backlog_head];
        s.backlog_head = static_cast<std::uint8_t>((s.backlog_head + 1) % abi::kMaxBacklog);
        --s.backlog_count;
        tear_down(*child);
        delete child;
        count_socket(-1);
    }
}

// ---- one try of each call ----------------------------------------------------

std::int64_t read_once(io::Call& c, Socket& s) {
    StackGuard g;
    if (s.received != nullptr) {
        // Copy what fits, pbuf by pbuf; free what was read; open the window by as much.
        std::uint64_t copied = 0;
        const std::uint64_t want = c.length < 0xffff ? c.length : 0xffff;
        for (const pbuf* q = s.received; q != nullptr && copied < want; q = q->next) {
            const std::uint64_t n = q->len < want - copied ? q->len : want - copied;
            if (!io::copy_to_caller(c, c.buffer + copied, q->payload, n)) {
                return copied > 0 ? static_cast<std::int64_t>(copied) : fail(Errno::Fault);  // keep the rest
            }
            copied += n;
        }
        s.received = pbuf_free_header(s.received, static_cast<u16_t>(copied));
        if (s.pcb != nullptr) {
            tcp_recved(s.pcb, static_cast<u16_t>(copied));
        }
        return static_cast<std::int64_t>(copied);
    }
    if (c.length == 0) {
        return 0;
    }
    switch (s.state) {
        case SocketState::Connected: return s.peer_closed ? 0 : kWouldBlock;
        case SocketState::Connecting: return kWouldBlock;
        case SocketState::Failed: return s.peer_closed ? 0 : fail(s.error);
        default: return fail(abi::kErrNotConnected);
    }
}

std::int64_t write_once(io::Call& c, Socket& s) {
    StackGuard g;
    if (s.write_shut) {
        return fail(abi::kErrBrokenPipe);
    }
    if (s.state == SocketState::Failed) {
        return c.done > 0 ? static_cast<std::int64_t>(c.done) : fail(s.error);
    }
    if (s.state != SocketState::Connected) {
        return fail(abi::kErrNotConnected);
    }
    char chunk[kWriteChunk];
    while (c.done < c.length) {
        std::uint64_t n = tcp_sndbuf(s.pcb);
        if (tcp_sndqueuelen(s.pcb) >= TCP_SND_QUEUELEN - 1) {
            n = 0;
        }
        n = n < c.length - c.done ? n : c.length - c.done;
        n = n < kWriteChunk ? n : kWriteChunk;
        if (n == 0) {
            break;  // the send buffer is full: wait for on_sent
        }
        if (!io::copy_from_caller(c, chunk, c.buffer + c.done, n)) {
            return c.done > 0 ? static_cast<std::int64_t>(c.done) : fail(Errno::Fault);
        }
        const err_t err = tcp_write(s.pcb, chunk, static_cast<u16_t>(n), TCP_WRITE_FLAG_COPY);
        if (err == ERR_MEM) {
            break;  // lwIP is short of segments: wait until some are acknowledged
        }
        if (err != ERR_OK) {
            return c.done > 0 ? static_cast<std::int64_t>(c.done) : fail(errno_of(err, false));
        }
        c.done += n;
    }
    (void)tcp_output(s.pcb);
    return c.done == c.length ? static_cast<std::int64_t>(c.length) : kWouldBlock;
}

std::int64_t accept_once(io::Call& c, Socket& s);

std::int64_t connect_once(io::Call& c, Socket& s) {
    StackGuard g;
    switch (s.state) {
        case SocketState::Fresh: {
            if (c.length == 0 || c.length > 0xffff) {
                return fail(Errno::Invalid);
            }
            ip_addr_t to;
            ip_addr_set_ip4_u32(&to, lwip_htonl(static_cast<u32_t>(c.buffer)));
            const err_t err = tcp_connect(s.pcb, &to, static_cast<u16_t>(c.length), on_connected);
            if (err != ERR_OK) {
                return fail(errno_of(err, true));
            }
            s.state = SocketState::Connecting;
            c.done = 1;  // this call started it: it reports how it ends
            return kWouldBlock;
        }
        case SocketState::Connecting: return c.done == 1 ? kWouldBlock : fail(Errno::Again);
        case SocketState::Connected: return c.done == 1 ? 0 : fail(abi::kErrIsConnected);
        case SocketState::Failed: return fail(s.error);
        case SocketState::Listening: return fail(abi::kErrIsConnected);
        case SocketState::Closed: return fail(Errno::BadFd);
    }
    return fail(Errno::Invalid);
}

std::int64_t attempt(io::Call& c) {
    verify_not_holding("a socket call");
    Socket& s = *static_cast<Socket*>(c.file->object);
    if (c.kind == io::CallKind::Read) {
        return read_once(c, s);
    }
    if (c.kind == io::CallKind::Write) {
        return write_once(c, s);
    }
    switch (static_cast<SocketOp>(c.op)) {
        case SocketOp::Accept: return accept_once(c, s);
        case SocketOp::Connect: return connect_once(c, s);
    }
    return fail(Errno::Invalid);
}

io::Readiness& readiness(io::Call& c) {
    // A process in the polling model (KTUC, io_models.hpp) waits for the poller's next
    // sweep instead of this socket's own signal.
    if (c.io->wait_model.load(std::memory_order_relaxed) == static_cast<std::uint8_t>(abi::IoModel::Polled)) {
        return polled_sweep();
    }
    return static_cast<Socket*>(c.file->object)->ready;
}

void close(io::File& f) {
    auto* s = static_cast<Socket*>(f.object);
    {
        StackGuard g;
        tear_down(*s);
    }
    delete s;
    count_socket(-1);
}

constexpr io::FileOps kSocketOps{"socket", attempt, readiness, close};

std::int64_t accept_once(io::Call& c, Socket& s) {
    Socket* child = nullptr;
    // LAB(ch6): accept, in both forms
    // Under a StackGuard: a socket that is not Listening fails with EINVAL; an
    // empty backlog means kWouldBlock (the call's kernel coroutine waits for
    // on_accept's signal; an async accept's user coroutine is woken by its
    // completion). Otherwise take the oldest connection off the backlog (a ring:
    // backlog_head, backlog_count). Then, with the lock released (install_file
    // may close the file, which takes it), wrap the child in a File with
    // io::open_extension_file(kSocketOps, ...) and install it in the caller's
    // process (io::install_file): its fd is the result. No File: close the child
    // (tear_down under a StackGuard, delete, count_socket(-1)) and fail with ENOMEM.
    {
        StackGuard g;
        if (s.state != SocketState::Listening) {
            return fail(Errno::Invalid);
        }
        if (s.backlog_count == 0) {
            return kWouldBlock;
        }
        child = s.backlog[s.backlog_head];
        s.backlog_head = static_cast<std::uint8_t>((s.backlog_head + 1) % abi::kMaxBacklog);
        --s.backlog_count;
    }
    io::File* f = nullptr;
    if (!io::open_extension_file(kSocketOps, child, &f)) {
        {
            StackGuard g;
            tear_down(*child);
        }
        delete child;
        count_socket(-1);
        return fail(Errno::NoMemory);
    }
    return io::install_file(*c.io, *f);
    // LAB-STUB: (void)c; (void)s; (void)child;
    // LAB-STUB: return fail(Errno::NoSys);
    // END-LAB
}
}  // namespace

Status open_socket(io::File** f) {
    auto* s = new (std::nothrow) Socket;
    if (s == nullptr) {
        return Error::OutOfMemory;
    }
    {
        StackGuard g;
        tcp_pcb* pcb = tcp_new();
        if (pcb == nullptr) {
            delete s;
            return Error::OutOfMemory;
        }
        ip_set_option(pcb, SOF_REUSEADDR);  // a server may listen again while old connections linger
        attach(*s, pcb);
    }
    if (!io::open_extension_file(kSocketOps, s, f)) {
        {
            StackGuard g;
            tear_down(*s);
        }
        delete s;
        return Error::OutOfMemory;
    }
    count_socket(+1);
    return {};
}

Socket* socket_of(io::File& f) {
    return f.kind == io::FileKind::Extension && f.ops == &kSocketOps ? static_cast<Socket*>(f.object) : nullptr;
}

std::int64_t bind(Socket& s, std::uint32_t address, std::uint16_t port) {
    StackGuard g;
    // A socket binds once (EINVAL after, as on Linux). lwIP's tcp_bind does not check
    // it: a bound pcb would be linked into tcp_bound_pcbs a second time, a cycle that
    // every later bind and listen would walk for ever under the stack lock.
    if (s.state != SocketState::Fresh || s.pcb == nullptr || s.pcb->local_port != 0) {
        return fail(Errno::Invalid);
    }
    ip_addr_t at;
    ip_addr_set_ip4_u32(&at, lwip_htonl(address));
    // SOF_REUSEADDR lets a port be bound while old connections on it sit in
    // TIME_WAIT; a port someone listens on stays taken (as on Linux).
    for (const tcp_pcb_listen* l = tcp_listen_pcbs.listen_pcbs; port != 0 && l != nullptr; l = l->next) {
        if (l->local_port == port &&
            (ip_addr_isany(&l->local_ip) || ip_addr_isany(&at) || ip_addr_cmp(&l->local_ip, &at))) {
            return fail(abi::kErrAddressInUse);
        }
    }
    const err_t err = tcp_bind(s.pcb, &at, port);
    return err == ERR_OK ? 0 : fail(errno_of(err, false));
}

std::int64_t listen(Socket& s, unsigned backlog) {
    if (backlog == 0 || backlog > abi::kMaxBacklog) {
        return fail(Errno::Invalid);
    }
    StackGuard g;
    if (s.state != SocketState::Fresh || s.pcb == nullptr) {
        return fail(Errno::Invalid);
    }
    err_t err = ERR_OK;
    tcp_pcb* listening = tcp_listen_with_backlog_and_err(s.pcb, static_cast<u8_t>(backlog), &err);
    if (listening == nullptr) {
        return fail(errno_of(err, false));  // the old pcb is kept
    }
    s.pcb = listening;  // lwIP freed the old one
    s.state = SocketState::Listening;
    s.backlog_limit = static_cast<std::uint8_t>(backlog);
    tcp_arg(listening, &s);
    tcp_accept(listening, on_accept);
    return 0;
}

std::int64_t shutdown(Socket& s) {
    StackGuard g;
    if (s.state != SocketState::Connected || s.pcb == nullptr) {
        return fail(abi::kErrNotConnected);
    }
    if (!s.write_shut) {
        s.write_shut = true;
        (void)tcp_shutdown(s.pcb, 0, 1);
    }
    return 0;
}

std::int64_t set_option(Socket& s, abi::SocketOption option, std::uint64_t value) {
    StackGuard g;
    if (s.pcb == nullptr || s.state == SocketState::Listening) {
        return fail(Errno::Invalid);
    }
    switch (option) {
        case abi::SocketOption::NoDelay:
            if (value != 0) {
                tcp_nagle_disable(s.pcb);
            } else {
                tcp_nagle_enable(s.pcb);
            }
            return 0;
    }
    return fail(Errno::Invalid);
}

std::int64_t address(Socket& s, unsigned which) {
    StackGuard g;
    if (s.pcb == nullptr) {
        return fail(abi::kErrNotConnected);
    }
    const bool peer = which >= 2;
    if (peer && s.state != SocketState::Connected) {
        return fail(abi::kErrNotConnected);
    }
    switch (which) {
        case 0: return lwip_ntohl(ip4_addr_get_u32(ip_2_ip4(&s.pcb->local_ip)));
        case 1: return s.pcb->local_port;
        case 2: return lwip_ntohl(ip4_addr_get_u32(ip_2_ip4(&s.pcb->remote_ip)));
        case 3: return s.pcb->remote_port;
        default: return fail(Errno::Invalid);
    }
}

}  // namespace cops::net
