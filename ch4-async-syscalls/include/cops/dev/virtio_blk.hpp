/// @file virtio_blk.hpp
/// @brief A virtio-blk disk: sector read, write and flush, interrupt-driven.
///
/// One request is on the device at a time; it owns the driver's bounce buffer from
/// acquire() until release(). A request is a node in the frame of the coroutine that
/// waits for it, and the two waits are awaitables (no allocation):
///
///     DiskRequest r{...};  r.op = DiskOp::Read; r.sector = s; r.bytes = n;
///     disk.acquire(r);
///     for (bool owns = false; !owns;) owns = co_await disk.until(r, DiskWait::Until::Owns);
///     disk.submit(r);
///     for (bool done = false; !done;) done = co_await disk.until(r, DiskWait::Until::Done);
///     ... copy from disk.buffer() ...
///     disk.release();                                             // the next one's turn
///
/// (A stray wake resumes the coroutine early; the awaiter then says false. The result is
/// stored in a variable, not tested in the `if`/`while` itself: GCC 12 miscompiled a
/// `co_await` inside a condition in this kit, see docs/architecture.md.)
///
/// Data goes through the bounce buffer, never straight into a process's frames, so a
/// process that ends while its request is on the device loses nothing but the result.
#pragma once

#include <coroutine>
#include <cstdint>

#include "cops/dev/virtio_mmio.hpp"
#include "cops/lib/intrusive_list.hpp"
#include "cops/sched/ccb.hpp"
#include "cops/sync/spinlock.hpp"

namespace cops::dev {

/// Bytes of a sector.
inline constexpr std::uint32_t kSectorBytes = 512;
/// Most bytes one request moves (the bounce buffer).
inline constexpr std::uint32_t kMaxTransfer = 4096;

/// What a request does (virtio-blk request types).
enum class DiskOp : std::uint32_t {
    Read = 0,   ///< sectors to memory
    Write = 1,  ///< memory to sectors
    Flush = 4,  ///< written sectors to stable storage
};

/// How a request ended (the device's status byte).
enum class DiskStatus : std::uint8_t {
    Ok = 0,           ///< done
    IoError = 1,      ///< the device failed (or the sectors are past its end)
    Unsupported = 2,  ///< the device does not do this
};

/// Tag of the hook that queues requests waiting for the device.
struct DiskQueueTag {};

/// One request, in its coroutine's frame.
struct DiskRequest : lib::ListHook<DiskQueueTag> {
    DiskOp op = DiskOp::Read;            ///< what to do
    std::uint64_t sector = 0;            ///< the first sector
    std::uint32_t bytes = 0;             ///< how many bytes (a multiple of kSectorBytes)
    DiskStatus status = DiskStatus::Ok;  ///< how it ended (valid once done)
    bool owns = false;                   ///< it holds the device and the buffer
    bool done = false;                   ///< the device has finished it
    sched::Ccb* waiter = nullptr;        ///< the coroutine blocked on it
};

class Disk;

/// Awaiter of Disk::acquire() and Disk::submit(): blocks until the request owns the
/// device, or until the device has finished it.
class [[nodiscard]] DiskWait {
public:
    /// Which condition to wait for.
    enum class Until : std::uint8_t {
        Owns,  ///< the request holds the device
        Done,  ///< the device has finished the request
    };
    /// A wait on @p disk for @p r to reach @p until.
    DiskWait(Disk& disk, DiskRequest& r, Until until) : disk_(disk), request_(r), until_(until) {}
    /// Decided under the driver's lock in await_suspend.
    bool await_ready() const noexcept { return false; }
    /// Blocks unless the condition holds already.
    template <class P>
    bool await_suspend(std::coroutine_handle<P> h) noexcept {
        return suspend(*h.promise().ccb, h);
    }
    /// True if the condition holds (false after a stray wake: wait again).
    bool await_resume() const noexcept;

private:
    bool suspend(sched::Ccb& ccb, std::coroutine_handle<> h);
    Disk& disk_;
    DiskRequest& request_;
    Until until_;
};

/// The disk.
class Disk {
public:
    /// Resets and sets up the device found at @p where. Errors: BadState (the device
    /// refused), OutOfMemory.
    Status start(const virtio::Found& where);
    /// Sectors the disk holds.
    std::uint64_t sectors() const { return sectors_; }

    /// Asks for the device for @p r: it holds it at once if free, else it queues (FIFO).
    void acquire(DiskRequest& r);
    /// Awaitable: blocks until @p r has reached @p until; says whether it has.
    DiskWait until(DiskRequest& r, DiskWait::Until until) { return DiskWait{*this, r, until}; }
    /// The bounce buffer (kMaxTransfer bytes); only the request that holds the device may use it.
    std::uint8_t* buffer() { return buffer_; }
    /// Puts @p r (which holds the device) on the device; until(r, Done) waits for the end.
    void submit(DiskRequest& r);
    /// The holder is done with the device and the buffer: the next waiting request gets them.
    void release();

    /// Requests finished so far, and of those, ended with an error.
    std::uint64_t finished() const { return finished_; }
    /// Requests that ended with an error.
    std::uint64_t errors() const { return errors_; }

    /// The interrupt handler (called by the PLIC driver).
    static void on_interrupt(void* self);

private:
    friend class DiskWait;
    /// The header the device reads first.
    struct Header {
        std::uint32_t type;
        std::uint32_t reserved;
        std::uint64_t sector;
    };
    void put_on_device_locked(DiskRequest& r);

    virtio::Mmio regs_;
    virtio::SplitQueue queue_;
    sync::SpinLock lock_;
    std::uint64_t sectors_ = 0;
    std::uint8_t* buffer_ = nullptr;
    Header* header_ = nullptr;
    std::uint8_t* status_ = nullptr;
    bool busy_ = false;
    DiskRequest* on_device_ = nullptr;
    lib::IntrusiveList<DiskRequest, DiskQueueTag> waiting_;
    std::uint64_t finished_ = 0;
    std::uint64_t errors_ = 0;
};

/// The disk found at boot, or nullptr (no virtio-blk device attached).
Disk* disk();

}  // namespace cops::dev
