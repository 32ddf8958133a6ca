/// @file virtio_mmio.cpp
/// @brief Finding virtio-mmio devices in the device tree; the legacy split virtqueue.
#include "cops/dev/virtio_mmio.hpp"

#include <cstring>
#include <new>

#include "cops/boot/boot_info.hpp"
#include "cops/lib/fdt.hpp"

namespace cops::dev::virtio {

namespace {
constexpr std::uint32_t kMagic = 0x74726976;  // "virt"
constexpr std::uint32_t kPage = 4096;

struct Search {
    DeviceType type;
    Result<Found> found = Error::NotFound;
};
}  // namespace

Result<Found> find_device(DeviceType type) {
    Search s{type};
    const lib::FdtReader& fdt = boot::fdt();
    const Status walked = fdt.walk(
        [](const lib::FdtNode& n, void* ctx) {
            auto& s = *static_cast<Search*>(ctx);
            const lib::FdtReader& fdt = boot::fdt();
            if (!fdt.is_compatible(n, "virtio,mmio")) {
                return true;
            }
            const auto reg = fdt.reg(n);
            const auto irq = fdt.property_u32(n, "interrupts");
            if (!reg || !irq) {
                s.found = Error::Malformed;
                return false;
            }
            const Mmio m{static_cast<std::uintptr_t>(reg.value().address)};
            if (m.read(Reg::Magic) != kMagic || m.read(Reg::DeviceId) != static_cast<std::uint32_t>(s.type)) {
                return true;  // an empty slot (DeviceID 0) or another kind of device
            }
            s.found = m.read(Reg::Version) == 1 ? Result<Found>{Found{m, *irq}} : Result<Found>{Error::BadState};
            return false;
        },
        &s);
    if (!walked) {
        return walked.error();
    }
    return s.found;
}

Status SplitQueue::setup(const Mmio& regs, std::uint32_t index, std::uint16_t size) {
    regs.write(Reg::QueueSel, index);
    if (regs.read(Reg::QueuePfn) != 0 || regs.read(Reg::QueueNumMax) < size || size == 0 || size > 256 ||
        (size & (size - 1)) != 0) {
        return Error::BadState;
    }
    const std::size_t used_offset = (16U * size + 4U + 2U * size + 2U + kPage - 1) & ~std::size_t{kPage - 1};
    const std::size_t bytes = used_offset + ((4U + 8U * size + 2U + kPage - 1) & ~std::size_t{kPage - 1});
    auto* raw = static_cast<unsigned char*>(::operator new(bytes + kPage, std::nothrow));
    if (raw == nullptr) {
        return Error::OutOfMemory;
    }
    // The kernel maps RAM one to one, so this address is the physical one the device uses.
    auto* area = reinterpret_cast<unsigned char*>((reinterpret_cast<std::uintptr_t>(raw) + kPage - 1) &
                                                  ~std::uintptr_t{kPage - 1});
    std::memset(area, 0, bytes);
    desc_ = reinterpret_cast<Descriptor*>(area);
    avail_ = reinterpret_cast<volatile std::uint16_t*>(area + 16U * size);
    used_ = reinterpret_cast<volatile std::uint16_t*>(area + used_offset);
    size_ = size;
    last_used_ = 0;
    regs.write(Reg::QueueNum, size);
    regs.write(Reg::QueueAlign, kPage);
    regs.write(Reg::QueuePfn, static_cast<std::uint32_t>(reinterpret_cast<std::uintptr_t>(area) / kPage));
    return {};
}

void SplitQueue::offer(std::uint16_t head) {
    const std::uint16_t idx = avail_[1];
    avail_[2 + idx % size_] = head;
    __sync_synchronize();  // the descriptors and the ring entry before the index
    avail_[1] = static_cast<std::uint16_t>(idx + 1);
    __sync_synchronize();
}

bool SplitQueue::take_used(std::uint16_t* head, std::uint32_t* length) {
    __sync_synchronize();
    if (used_[1] == last_used_) {
        return false;
    }
    const auto* elem = reinterpret_cast<const volatile std::uint32_t*>(used_ + 2) + 2U * (last_used_ % size_);
    *head = static_cast<std::uint16_t>(elem[0]);
    *length = elem[1];
    ++last_used_;
    return true;
}

}  // namespace cops::dev::virtio
