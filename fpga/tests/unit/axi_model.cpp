// The AXI DMA and MAC models (axi_model.hpp).
#include "axi_model.hpp"

#include <cstring>

using namespace cops::fpga::dma;
namespace eth = cops::fpga::ethernet;

namespace model {

namespace {
Descriptor& at(std::uint64_t address) { return *reinterpret_cast<Descriptor*>(static_cast<std::uintptr_t>(address)); }
std::uint64_t join(std::uint32_t msb, std::uint32_t low) { return (std::uint64_t{msb} << 32) | low; }
}  // namespace

std::uint32_t AxiDma::read(std::uint32_t offset) {
    Channel& c = channel(offset);
    switch (offset % kS2mm) {
        case kCr: return c.cr;
        case kSr: return c.sr;
        case kCurdesc: return static_cast<std::uint32_t>(c.current);
        case kCurdescMsb: return static_cast<std::uint32_t>(c.current >> 32);
        case kTaildesc: return static_cast<std::uint32_t>(c.tail);
        case kTaildescMsb: return static_cast<std::uint32_t>(c.tail >> 32);
        default: return 0;
    }
}

void AxiDma::reset() {
    ++resets;
    mm2s_ = Channel{};
    s2mm_ = Channel{};
    gathering_.clear();
    if (reset_stuck) {
        mm2s_.cr = kCrReset;
    }
}

void AxiDma::write(std::uint32_t offset, std::uint32_t value) {
    Channel& c = channel(offset);
    const std::string name = offset < kS2mm ? "MM2S" : "S2MM";
    switch (offset % kS2mm) {
        case kCr:
            if ((value & kCrReset) != 0) {
                reset();
                return;
            }
            c.cr = value;
            if ((value & kCrRunStop) != 0) {
                c.sr &= ~kSrHalted;
            } else {
                c.sr |= kSrHalted;
            }
            return;
        case kSr:
            c.sr &= ~(value & kSrIrqs);  // write 1 to clear
            return;
        case kCurdescMsb: c.current_msb = value; return;
        case kCurdesc:
            if ((c.sr & kSrHalted) == 0) {
                violations.push_back(name + ": CURDESC written while running (ignored by the DMA)");
                return;
            }
            if (value % 64 != 0) {
                violations.push_back(name + ": CURDESC not 64-byte aligned");
            }
            c.current = join(c.current_msb, value);
            return;
        case kTaildescMsb: c.tail_msb = value; return;
        case kTaildesc:
            if ((c.sr & kSrHalted) != 0) {
                violations.push_back(name + ": TAILDESC written while halted (the DMA does not start)");
                return;
            }
            c.tail = join(c.tail_msb, value);
            c.at_tail = false;
            c.sr &= ~kSrIdle;
            if (offset < kS2mm) {
                run_mm2s();
            } else {
                run_s2mm();
            }
            return;
        default: return;
    }
}

bool AxiDma::halt_on_fault(Channel& c, Descriptor& d) {
    if ((d.status & kStatusCmplt) != 0) {
        // PG021: a fetched descriptor that is already complete is an SG internal error.
        c.sr |= (1U << 8) | kSrHalted | kSrErrIrq;
        violations.push_back("a descriptor handed to the DMA was still marked complete");
        return true;
    }
    if (c.fail_with != 0) {
        d.status = kStatusCmplt | c.fail_with;
        c.fail_with = 0;
        c.sr |= (1U << 5) | kSrHalted | kSrErrIrq;  // DMASlvErr
        return true;
    }
    return false;
}

void AxiDma::complete(Channel& c, Descriptor& d, std::uint32_t status) {
    d.status = status;
    c.sr |= (c.cr & kCrIocIrqEn) != 0 ? kSrIocIrq : 0;
    if (c.current == c.tail) {
        c.at_tail = true;
        c.sr |= kSrIdle;
    }
    c.current = join(d.next_msb, d.next);
}

void AxiDma::run_mm2s() {
    Channel& c = mm2s_;
    while (!hold_sends && (c.sr & kSrHalted) == 0 && !c.at_tail) {
        Descriptor& d = at(c.current);
        if (halt_on_fault(c, d)) {
            return;
        }
        const std::uint32_t length = d.control & kCtrlLength;
        const auto* bytes =
            reinterpret_cast<const std::uint8_t*>(static_cast<std::uintptr_t>(join(d.buffer_msb, d.buffer)));
        if ((d.control & kCtrlSof) != 0) {
            gathering_.clear();
        }
        gathering_.insert(gathering_.end(), bytes, bytes + length);
        if ((d.control & kCtrlEof) != 0) {
            sent.push_back(gathering_);
            gathering_.clear();
        }
        complete(c, d, kStatusCmplt | length);
    }
}

void AxiDma::release_sends() {
    hold_sends = false;
    run_mm2s();
}

void AxiDma::run_s2mm() {
    Channel& c = s2mm_;
    while (!waiting.empty() && (c.sr & kSrHalted) == 0 && !c.at_tail) {
        std::vector<std::uint8_t>& frame = waiting.front();
        bool first = true;
        std::size_t done = 0;
        // Fill descriptors until the frame is in; a stall mid-frame keeps the rest waiting.
        while ((c.sr & kSrHalted) == 0 && !c.at_tail) {
            Descriptor& d = at(c.current);
            const bool injected = c.fail_with != 0;
            if (halt_on_fault(c, d)) {
                if (injected) {
                    waiting.pop_front();  // the bus fault lost the frame
                }
                return;
            }
            const std::size_t room = d.control & kCtrlLength;
            const std::size_t n = std::min(room, frame.size() - done);
            std::memcpy(reinterpret_cast<void*>(static_cast<std::uintptr_t>(join(d.buffer_msb, d.buffer))),
                        frame.data() + done, n);
            done += n;
            const bool last = done == frame.size();
            complete(
                c, d,
                kStatusCmplt | static_cast<std::uint32_t>(n) | (first ? kStatusRxSof : 0) | (last ? kStatusRxEof : 0));
            first = false;
            if (last) {
                break;
            }
        }
        if (done != frame.size()) {
            frame.erase(frame.begin(), frame.begin() + static_cast<std::ptrdiff_t>(done));
            return;  // the rest when descriptors come back
        }
        waiting.pop_front();
    }
}

void AxiDma::arrive(std::vector<std::uint8_t> frame) {
    waiting.push_back(std::move(frame));
    run_s2mm();
}

void AxiDma::fail_next(std::uint32_t channel_offset, std::uint32_t status_error) {
    channel(channel_offset).fail_with = status_error;
}

bool AxiDma::interrupt(std::uint32_t channel_offset) const {
    const Channel& c = channel_offset < kS2mm ? mm2s_ : s2mm_;
    const std::uint32_t enabled =
        ((c.cr & kCrIocIrqEn) != 0 ? kSrIocIrq : 0) | ((c.cr & kCrErrIrqEn) != 0 ? kSrErrIrq : 0);
    return (c.sr & enabled) != 0;
}

bool AxiDma::running(std::uint32_t channel_offset) const {
    const Channel& c = channel_offset < kS2mm ? mm2s_ : s2mm_;
    return (c.sr & kSrHalted) == 0;
}

unsigned AxiDma::posted() const {
    if (s2mm_.at_tail || (s2mm_.sr & kSrHalted) != 0) {
        return 0;
    }
    unsigned n = 1;
    for (std::uint64_t d = s2mm_.current; d != s2mm_.tail && n < 4096; ++n) {
        d = join(at(d).next_msb, at(d).next);
    }
    return n;
}

std::uint32_t AxiMac::read(std::uint32_t offset) {
    if (offset == eth::kMdioMcr) {
        return mdio_stuck ? 0 : eth::kMdioReady;
    }
    const auto found = regs.find(offset);
    return found == regs.end() ? 0 : found->second;
}

void AxiMac::write(std::uint32_t offset, std::uint32_t value) {
    if (offset == eth::kMdioMcr) {
        if ((value & eth::kMdioInitiate) != 0 && !mdio_stuck) {
            ++mdio_accesses;
            const unsigned address = (value >> 24) & 0x1f;
            const unsigned reg = (value >> 16) & 0x1f;
            const auto found = phy.find(reg);
            if ((value & eth::kMdioRead) != 0) {
                regs[eth::kMdioMrd] = address != phy_address ? 0xffff : found == phy.end() ? 0 : found->second;
            }
        }
        return;
    }
    if (offset == eth::kIs) {
        regs[offset] &= ~value;  // write 1 to clear
        return;
    }
    regs[offset] = value;
}

}  // namespace model
