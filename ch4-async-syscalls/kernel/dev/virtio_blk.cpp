/// @file virtio_blk.cpp
/// @brief The virtio-blk driver: setup, one request on the device at a time, and the
/// interrupt that ends it.
#include "cops/dev/virtio_blk.hpp"

#include <new>

#include "cops/dev/plic.hpp"
#include "cops/init/initcall.hpp"
#include "cops/lib/console.hpp"
#include "cops/sched/executor.hpp"

namespace cops::dev {

namespace {
alignas(Disk) unsigned char g_storage[sizeof(Disk)];
Disk* g_disk = nullptr;
constexpr std::uint16_t kQueueSize = 8;

/// Wakes the coroutine blocked on a request (outside the driver's lock).
void wake(sched::Ccb* waiter, sched::Cid cid) {
    if (waiter != nullptr && waiter->owner != nullptr) {
        (void)waiter->owner->wake(cid);
    }
}

void probe_disk() {
    const auto found = virtio::find_device(virtio::DeviceType::Block);
    if (!found) {
        if (found.error() == Error::BadState) {
            console::println("virtio-blk: the device is not the legacy interface (drop force-legacy=false); no disk");
        }
        return;  // no disk attached: the block device calls say ENODEV
    }
    auto* disk = new (g_storage) Disk;
    if (const Status s = disk->start(found.value()); !s) {
        console::println("virtio-blk: cannot start the disk at {:#x}: {}", found.value().regs.base(),
                         error_name(s.error()));
        return;
    }
    if (!plic::attach(found.value().irq, Disk::on_interrupt, disk, 0)) {
        console::println("virtio-blk: cannot attach interrupt {}", found.value().irq);
        return;
    }
    g_disk = disk;
}
COPS_INITCALL(device, probe_disk);
}  // namespace

Status Disk::start(const virtio::Found& where) {
    using virtio::Reg;
    using virtio::StatusBit;
    regs_ = where.regs;
    regs_.write(Reg::Status, 0);  // reset
    regs_.set_status(StatusBit::Acknowledge);
    regs_.set_status(StatusBit::Driver);
    regs_.write(Reg::GuestFeatures, 0);  // none: plain sectors
    regs_.write(Reg::GuestPageSize, 4096);
    if (const Status s = queue_.setup(regs_, 0, kQueueSize); !s) {
        regs_.set_status(StatusBit::Failed);
        return s;
    }
    buffer_ = static_cast<std::uint8_t*>(::operator new(kMaxTransfer, std::nothrow));
    header_ = static_cast<Header*>(::operator new(sizeof(Header), std::nothrow));
    status_ = static_cast<std::uint8_t*>(::operator new(16, std::nothrow));
    if (buffer_ == nullptr || header_ == nullptr || status_ == nullptr) {
        regs_.set_status(StatusBit::Failed);
        return Error::OutOfMemory;
    }
    sectors_ = regs_.read(Reg::Config) | (std::uint64_t{regs_.read(Reg::Config, 4)} << 32);
    regs_.set_status(StatusBit::DriverOk);
    return {};
}

void Disk::acquire(DiskRequest& r) {
    sync::LockGuard g(lock_);
    r.owns = false;
    r.done = false;
    r.waiter = nullptr;
    if (!busy_) {
        busy_ = true;
        r.owns = true;
    } else {
        waiting_.push_back(r);
    }
}

void Disk::put_on_device_locked(DiskRequest& r) {
    header_->type = static_cast<std::uint32_t>(r.op);
    header_->reserved = 0;
    header_->sector = r.sector;
    *status_ = 0xff;
    // The kernel maps RAM one to one: these addresses are the physical ones.
    queue_.desc(0) = {reinterpret_cast<std::uintptr_t>(header_), sizeof(Header), virtio::kDescNext, 1};
    if (r.op == DiskOp::Flush) {
        queue_.desc(0).next = 2;
    } else {
        const std::uint16_t flags = r.op == DiskOp::Read ? (virtio::kDescNext | virtio::kDescWrite) : virtio::kDescNext;
        queue_.desc(1) = {reinterpret_cast<std::uintptr_t>(buffer_), r.bytes, flags, 2};
    }
    queue_.desc(2) = {reinterpret_cast<std::uintptr_t>(status_), 1, virtio::kDescWrite, 0};
    on_device_ = &r;
    queue_.offer(0);
    regs_.write(virtio::Reg::QueueNotify, 0);
}

void Disk::submit(DiskRequest& r) {
    sync::LockGuard g(lock_);
    r.done = false;
    put_on_device_locked(r);
}

void Disk::release() {
    sched::Ccb* waiter = nullptr;
    sched::Cid cid{};
    {
        sync::LockGuard g(lock_);
        DiskRequest* next = waiting_.pop_front();
        if (next == nullptr) {
            busy_ = false;
            return;
        }
        next->owns = true;
        waiter = next->waiter;
        cid = waiter != nullptr ? waiter->cid : sched::Cid{};
    }
    wake(waiter, cid);
}

void Disk::on_interrupt(void* self) {
    auto& d = *static_cast<Disk*>(self);
    sched::Ccb* waiter = nullptr;
    sched::Cid cid{};
    {
        sync::LockGuard g(d.lock_);
        d.regs_.write(virtio::Reg::InterruptAck, d.regs_.read(virtio::Reg::InterruptStatus) & 3U);
        std::uint16_t head;
        std::uint32_t length;
        while (d.queue_.take_used(&head, &length)) {
            DiskRequest* r = d.on_device_;
            d.on_device_ = nullptr;
            if (r == nullptr) {
                continue;  // nothing of ours was on the device
            }
            r->status = *d.status_ <= 2 ? static_cast<DiskStatus>(*d.status_) : DiskStatus::IoError;
            r->done = true;
            ++d.finished_;
            d.errors_ += r->status != DiskStatus::Ok ? 1 : 0;
            waiter = r->waiter;
            cid = waiter != nullptr ? waiter->cid : sched::Cid{};
        }
    }
    wake(waiter, cid);
}

bool DiskWait::suspend(sched::Ccb& ccb, std::coroutine_handle<> h) {
    sync::LockGuard g(disk_.lock_);
    if (until_ == Until::Owns ? request_.owns : request_.done) {
        return false;
    }
    request_.waiter = &ccb;
    ccb.resume_point = h;
    ccb.request = sched::Suspension::Block;
    return true;
}

bool DiskWait::await_resume() const noexcept {
    sync::LockGuard g(disk_.lock_);
    return until_ == Until::Owns ? request_.owns : request_.done;
}

Disk* disk() { return g_disk; }

}  // namespace cops::dev
