/// @file file.hpp
/// @brief An open file: what a file descriptor names (the console, a pipe end, the
/// disk, or a later layer's kind of file, see file_ops.hpp).
///
/// Files are shared: dup() gives a second descriptor for the same File, and a call
/// in flight holds its own reference, so closing a descriptor while a call uses it
/// is safe. The last release closes the pipe end.
#pragma once

#include <atomic>
#include <cstdint>

#include "cops/io/file_ops.hpp"
#include "cops/io/pipe.hpp"

namespace cops::io {

/// What an open file is.
enum class FileKind : std::uint8_t {
    ConsoleIn,   ///< fd 0 at spawn: lines typed on the UART
    ConsoleOut,  ///< fds 1 and 2 at spawn: the kernel console
    PipeRead,    ///< the read end of a pipe
    PipeWrite,   ///< the write end of a pipe
    Disk,        ///< the virtio-blk disk (reads and writes whole sectors at its position)
    Extension,   ///< a later layer's kind: its FileOps decide (chapter 6's sockets)
};

/// One open file.
struct File {
    FileKind kind = FileKind::ConsoleOut;    ///< what it is
    Pipe* pipe = nullptr;                    ///< the pipe (pipe ends only)
    std::atomic<std::uint32_t> refs{1};      ///< descriptors and calls holding it
    std::atomic<std::uint64_t> position{0};  ///< byte offset of the next transfer (disk only)
    const FileOps* ops = nullptr;            ///< what it does (Extension only)
    void* object = nullptr;                  ///< the layer's own object (Extension only)
};

/// The console's input file (shared by every process; never freed).
File& console_in();
/// The console's output file (shared by every process; never freed).
File& console_out();

/// Opens a new pipe: its read end in *@p reader, its write end in *@p writer, each
/// with one reference. Error::OutOfMemory.
Status open_pipe(File** reader, File** writer);

/// Opens the disk: a File with one reference in *@p f. Error::OutOfMemory.
Status open_disk_file(File** f);

/// Opens a file of a later layer's kind: a File with one reference in *@p f that
/// @p ops serve and that carries @p object. Error::OutOfMemory.
Status open_extension_file(const FileOps& ops, void* object, File** f);

/// Takes one more reference on @p f.
void retain(File& f);
/// Drops a reference on @p f; the last one closes it (and its pipe end).
void release(File& f);

/// Pipes open now (for tests: they must all be gone once their processes end).
std::uint32_t open_pipes();

}  // namespace cops::io
