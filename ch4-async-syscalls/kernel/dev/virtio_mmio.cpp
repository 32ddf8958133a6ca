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

/// Most virtio-mmio slots looked at (QEMU virt has 8).
constexpr unsigned kMaxSlots = 16;

struct Search {
    DeviceType type = DeviceType::Network;
    Found devices[kMaxSlots];
    unsigned count = 0;
    Error error = Error::NotFound;  // kept if no device is found
    bool malformed = false;
};
}  // namespace

Result<Found> find_device(DeviceType type, unsigned nth) {
    Search s;
    s.type = type;
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
                s.malformed = true;
                return false;
            }
            const Mmio m{static_cast<std::uintptr_t>(reg.value().address)};
            if (m.read(Reg::Magic) != kMagic || m.read(Reg::DeviceId) != static_cast<std::uint32_t>(s.type)) {
                return true;  // an empty slot (DeviceID 0) or another kind of device
            }
            if (m.read(Reg::Version) != 1) {
                s.error = Error::BadState;  // the modern interface: not driven here
                return true;
            }
            if (s.count < kMaxSlots) {
                s.devices[s.count++] = Found{m, *irq};
            }
            return true;
        },
        &s);
    if (!walked) {
        return walked.error();
    }
    if (s.malformed) {
        return Error::Malformed;
    }
    // Highest address first: the order of QEMU's -device options.
    for (unsigned i = 1; i < s.count; ++i) {
        for (unsigned j = i; j > 0 && s.devices[j - 1].regs.base() < s.devices[j].regs.base(); --j) {
            const Found t = s.devices[j];
            s.devices[j] = s.devices[j - 1];
            s.devices[j - 1] = t;
        }
    }
    if (nth < s.count) {
        return s.devices[nth];
    }
    return s.count > 0 ? Error::NotFound : s.error;
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
