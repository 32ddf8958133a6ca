/// @file file_ops.hpp
/// @brief How a later layer adds its own kind of file (chapter 6's sockets) to the
/// calls of this chapter, without changing them: a table of three functions.
///
/// A File of kind FileKind::Extension carries a `const FileOps*` and the layer's own
/// object. read() and write() on it, and the layer's own calls (CallKind::Extension,
/// told apart by Call::op), go through the same entry as every other call: the one
/// try on the spot is `attempt`; when it says kWouldBlock the call's kernel
/// coroutine waits on the file's `readiness` (readiness.hpp) and tries again.
#pragma once

#include <cstdint>

namespace cops::io {

struct Call;
struct File;
class Readiness;

/// The functions of one extension kind of file.
struct FileOps {
    /// The kind's name (for messages).
    const char* name;
    /// One try of @p call (Read, Write or one of the kind's Extension ops): the result,
    /// or kWouldBlock. Called without any lock held; user memory is reached only
    /// through copy_to_caller() / copy_from_caller(), which are safe while the
    /// caller's process ends.
    std::int64_t (*attempt)(Call& call);
    /// The event count that moves when another try of @p call may succeed: normally
    /// its file's; the layer may pick another per call (ch6: a polling model's sweep).
    Readiness& (*readiness)(Call& call);
    /// The last reference to @p file went: free the layer's object (the File itself
    /// is freed by the caller afterwards).
    void (*close)(File& file);
};

}  // namespace cops::io
