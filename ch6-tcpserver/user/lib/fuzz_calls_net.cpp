/// @file fuzz_calls_net.cpp
/// @brief Chapter 6's socket calls in the system-call fuzzer's table
/// (cops/user/fuzz_calls.hpp).
///
/// accept and connect are made in the async form with made-up cids, so they block
/// nothing; recv and send are ch4's read and write, which the fuzzer already makes on
/// its pool of fds (sockets among them once one is open). Left out: set_io_model (it
/// changes how the fuzzer's own calls wait: a run would no longer test one model).
#include "cops/abi/net_abi.hpp"
#include "cops/user/fuzz_calls.hpp"
#include "cops/user/sys.hpp"

namespace {
using cops::user::fuzz::Pools;
namespace abi = cops::abi;

// The sync forms of accept and connect wait for a peer that may never come; the
// async forms are in the table below. set_io_model would change the run's model.
COPS_FUZZ_AVOID(accept, abi::kSysAccept)
COPS_FUZZ_AVOID(connect, abi::kSysConnect)
COPS_FUZZ_AVOID(set_io_model, abi::kSysSetIoModel)

long socket(const Pools&) { return cops::user::syscall(abi::kSysSocket); }
COPS_FUZZ_CALL(socket)

long shutdown(const Pools& p) { return cops::user::syscall(abi::kSysShutdown, p.fd()); }
COPS_FUZZ_CALL(shutdown)

long socket_option(const Pools& p) { return cops::user::syscall(abi::kSysSocketOption, p.fd(), p.word(), p.word()); }
COPS_FUZZ_CALL(socket_option)

long socket_address(const Pools& p) { return cops::user::syscall(abi::kSysSocketAddress, p.fd(), p.word()); }
COPS_FUZZ_CALL(socket_address)

long net_info(const Pools& p) { return cops::user::syscall(abi::kSysNetInfo, p.word()); }
COPS_FUZZ_CALL(net_info)

long model_memory(const Pools& p) { return cops::user::syscall(abi::kSysModelMemory, p.word()); }
COPS_FUZZ_CALL(model_memory)

/// An IPv4 address: every interface, this guest's own, a NIC's, or anything.
std::uint64_t address(const Pools& p) {
    const std::uint64_t pool[] = {0, abi::kLoopback, abi::nic_address(0), abi::nic_address(1), p.word()};
    return pool[p.next() % (sizeof pool / sizeof pool[0])];
}
/// A port: a few real ones, 0, and anything.
std::uint64_t port(const Pools& p) {
    const std::uint64_t pool[] = {0, 7, 80, 8000, 65535, 65536, p.word()};
    return pool[p.next() % (sizeof pool / sizeof pool[0])];
}

// bind found a kernel hang: a second bind of one socket linked lwIP's pcb into its
// bound list twice, and the next bind walked the cycle for ever under the stack lock
// (now EINVAL; net_check errors, "bind twice").
long bind(const Pools& p) { return cops::user::syscall(abi::kSysBind, p.fd(), address(p), port(p)); }
COPS_FUZZ_CALL(bind)

long listen(const Pools& p) { return cops::user::syscall(abi::kSysListen, p.fd(), p.word()); }
COPS_FUZZ_CALL(listen)

long accept_async(const Pools& p) {
    return cops::user::syscall(abi::kSysAccept, p.fd(), 0, 0, 0, p.word(), p.fake_cid());
}
COPS_FUZZ_CALL(accept_async)

long connect_async(const Pools& p) {
    return cops::user::syscall(abi::kSysConnect, p.fd(), address(p), port(p), 0, p.word(), p.fake_cid());
}
COPS_FUZZ_CALL(connect_async)

}  // namespace
