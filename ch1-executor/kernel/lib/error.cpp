/// @file error.cpp
/// @brief Names of the kit's error codes.
#include "cops/lib/result.hpp"

namespace cops {

const char* error_name(Error e) {
    switch (e) {
        case Error::UnknownCid: return "unknown cid";
        case Error::Finished: return "coroutine has finished";
        case Error::BadPriority: return "priority out of range 0..63";
        case Error::OutOfSlots: return "executor is full";
        case Error::OutOfMemory: return "out of memory";
        case Error::InvalidTask: return "empty task";
        case Error::NotFound: return "not found";
        case Error::Malformed: return "malformed data";
        case Error::BadState: return "not in a state that allows this";
        case Error::Busy: return "busy";
        case Error::BadAddress: return "bad address";
    }
    return "unknown error";
}

}  // namespace cops
