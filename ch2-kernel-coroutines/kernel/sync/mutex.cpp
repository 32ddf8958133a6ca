/// @file mutex.cpp
/// @brief The mutex is a semaphore of one unit that refuses a second unlock.
#include "cops/sync/mutex.hpp"

namespace cops::sync {

Status Mutex::unlock() {
    LockGuard guard(unlock_lock_);
    // Locked means no unit is free (the unit is held, or handed to a waiter).
    if (units_.available() != 0) {
        return Error::BadState;
    }
    units_.release();
    return {};
}

}  // namespace cops::sync
