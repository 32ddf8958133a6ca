/// @file syscall_errors.hpp
/// @brief Turning kernel errors into the a0 values user programs see.
#pragma once

#include "cops/abi/syscall_numbers.hpp"
#include "cops/lib/result.hpp"

namespace cops::proc {

/// The errno a system call reports for kernel error @p e.
constexpr abi::Errno to_errno(Error e) {
    switch (e) {
        case Error::BadAddress: return abi::Errno::Fault;
        case Error::OutOfMemory: return abi::Errno::NoMemory;
        case Error::OutOfSlots:
        case Error::Busy: return abi::Errno::Again;
        case Error::NotFound: return abi::Errno::NoEntry;
        case Error::Malformed: return abi::Errno::NotExecutable;
        case Error::UnknownCid:
        case Error::Finished: return abi::Errno::NoProcess;
        case Error::BadPriority:
        case Error::InvalidTask:
        case Error::BadState: return abi::Errno::Invalid;
    }
    return abi::Errno::Invalid;
}

/// The a0 value for kernel error @p e.
constexpr std::int64_t error_return(Error e) { return abi::error_return(to_errno(e)); }

}  // namespace cops::proc
