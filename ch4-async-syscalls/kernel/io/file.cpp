/// @file file.cpp
/// @brief Open files: the console's two, pipe ends, the disk, later layers' kinds.
#include "cops/io/file.hpp"

#include <new>

namespace cops::io {

namespace {
File g_console_in{FileKind::ConsoleIn, nullptr, {1}, {0}};
File g_console_out{FileKind::ConsoleOut, nullptr, {1}, {0}};
std::atomic<std::uint32_t> g_open_pipes{0};

bool is_console(const File& f) { return f.kind == FileKind::ConsoleIn || f.kind == FileKind::ConsoleOut; }
}  // namespace

File& console_in() { return g_console_in; }
File& console_out() { return g_console_out; }

Status open_pipe(File** reader, File** writer) {
    auto* pipe = new (std::nothrow) Pipe;
    auto* r = new (std::nothrow) File{FileKind::PipeRead, pipe, {1}, {0}};
    auto* w = new (std::nothrow) File{FileKind::PipeWrite, pipe, {1}, {0}};
    if (pipe == nullptr || r == nullptr || w == nullptr) {
        delete pipe;
        delete r;
        delete w;
        return Error::OutOfMemory;
    }
    g_open_pipes.fetch_add(1, std::memory_order_relaxed);
    *reader = r;
    *writer = w;
    return {};
}

Status open_disk_file(File** f) {
    *f = new (std::nothrow) File{FileKind::Disk, nullptr, {1}, {0}};
    return *f != nullptr ? Status{} : Status{Error::OutOfMemory};
}

Status open_extension_file(const FileOps& ops, void* object, File** f) {
    *f = new (std::nothrow) File{FileKind::Extension, nullptr, {1}, {0}, &ops, object};
    return *f != nullptr ? Status{} : Status{Error::OutOfMemory};
}

void retain(File& f) {
    if (!is_console(f)) {
        f.refs.fetch_add(1, std::memory_order_relaxed);
    }
}

void release(File& f) {
    if (is_console(f) || f.refs.fetch_sub(1, std::memory_order_acq_rel) != 1) {
        return;
    }
    if (f.kind == FileKind::Extension) {
        f.ops->close(f);
        delete &f;
        return;
    }
    if (f.kind == FileKind::Disk) {
        delete &f;
        return;
    }
    Pipe* pipe = f.pipe;
    const bool last = pipe->close_end(f.kind == FileKind::PipeRead ? PipeEnd::Read : PipeEnd::Write);
    delete &f;
    if (last) {
        delete pipe;
        g_open_pipes.fetch_sub(1, std::memory_order_relaxed);
    }
}

std::uint32_t open_pipes() { return g_open_pipes.load(std::memory_order_relaxed); }

}  // namespace cops::io
