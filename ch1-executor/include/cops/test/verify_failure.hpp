/// @file verify_failure.hpp
/// @brief What a failed COPS_VERIFY throws in the host unit tests.
#pragma once

#include <stdexcept>

namespace cops {

/// Thrown by the host build's verify_failed(): the message, condition, file and line.
struct VerifyFailure : std::logic_error {
    using std::logic_error::logic_error;
};

}  // namespace cops
