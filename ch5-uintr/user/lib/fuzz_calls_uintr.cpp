/// @file fuzz_calls_uintr.cpp
/// @brief Chapter 5's calls in the system-call fuzzer's table (cops/user/fuzz_calls.hpp).
///
/// Left out: uintr_wait (it blocks the fuzzer's only thread when it is a receiver)
/// and use_for_completions with a vector (the fuzzer's completions would then come by
/// an interrupt it has no handler for); it is made only with -1, back to the default.
#include "cops/abi/uintr_abi.hpp"
#include "cops/user/fuzz_calls.hpp"
#include "cops/user/sys.hpp"

namespace {
using cops::user::fuzz::Pools;
namespace abi = cops::abi::uintr;

long register_receiver(const Pools&) { return cops::user::syscall(abi::kSysRegisterReceiver); }
COPS_FUZZ_CALL(register_receiver)

long allow_sender(const Pools& p) { return cops::user::syscall(abi::kSysAllowSender, p.word(), p.pid()); }
COPS_FUZZ_CALL(allow_sender)

long register_sender(const Pools& p) { return cops::user::syscall(abi::kSysRegisterSender, p.word(), p.word()); }
COPS_FUZZ_CALL(register_sender)

long uipi_send(const Pools& p) { return cops::user::syscall(abi::kSysUipiSend, p.word()); }
COPS_FUZZ_CALL(uipi_send)

long completions_by_default(const Pools&) { return cops::user::syscall(abi::kSysUseForCompletions, ~std::uint64_t{0}); }
COPS_FUZZ_CALL(completions_by_default)

// uintr_wait blocks a receiver until an interrupt comes; use_for_completions with a
// vector would leave the fuzzer's completions to a handler it does not have.
COPS_FUZZ_AVOID(uintr_wait, abi::kSysUintrWait)
COPS_FUZZ_AVOID(use_for_completions, abi::kSysUseForCompletions)

long uintr_info(const Pools& p) { return cops::user::syscall(abi::kSysUintrInfo, p.word()); }
COPS_FUZZ_CALL(uintr_info)
}  // namespace
