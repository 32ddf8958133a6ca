/// @file placement.cpp
/// @brief Reading the UART's and the PLIC's placement from the device tree.
#include "cops/dev/placement.hpp"

namespace cops::dev {

namespace {
constexpr std::uint32_t kCauseSupervisorExternal = 9;

std::uint32_t be32(const std::uint8_t* p) {
    return (std::uint32_t{p[0]} << 24) | (std::uint32_t{p[1]} << 16) | (std::uint32_t{p[2]} << 8) | p[3];
}

/// phandle of each cpu's interrupt controller -> that cpu's hart id, from a walk.
struct IntcMap {
    const lib::FdtReader* fdt;
    std::uint32_t phandle[boot::kMaxHarts];
    unsigned hart_id[boot::kMaxHarts];
    unsigned count = 0;
    unsigned cpu_depth = 0;
    unsigned cpu_hart = ~0U;
};

bool visit(const lib::FdtNode& n, void* p) {
    auto& m = *static_cast<IntcMap*>(p);
    if (m.fdt->property_string(n, "device_type") == std::string_view("cpu")) {
        auto r = m.fdt->reg(n);
        m.cpu_hart = r ? static_cast<unsigned>(r.value().address) : ~0U;
        m.cpu_depth = n.depth;
        return true;
    }
    if (m.cpu_hart != ~0U && n.depth == m.cpu_depth + 1 && m.count < boot::kMaxHarts) {
        if (auto ph = m.fdt->property_u32(n, "phandle")) {
            m.phandle[m.count] = *ph;
            m.hart_id[m.count] = m.cpu_hart;
            ++m.count;
        }
    } else if (n.depth <= m.cpu_depth) {
        m.cpu_hart = ~0U;
    }
    return true;
}
}  // namespace

Result<UartPlacement> find_uart(const lib::FdtReader& fdt) {
    auto node = fdt.find_compatible("ns16550a");
    if (!node) {
        return Error::NotFound;
    }
    auto r = fdt.reg(node.value());
    auto irq = fdt.property_u32(node.value(), "interrupts");
    if (!r || !irq) {
        return Error::Malformed;
    }
    const unsigned shift = fdt.property_u32(node.value(), "reg-shift").value_or(0);
    const unsigned width = fdt.property_u32(node.value(), "reg-io-width").value_or(1);
    const std::uint64_t offset = fdt.property_u32(node.value(), "reg-offset").value_or(0);
    if (shift > 4 || (width != 1 && width != 4)) {
        return Error::Malformed;
    }
    // The eight registers, the last one width bytes long, inside the node's reg.
    const std::uint64_t span = offset + (std::uint64_t{7} << shift) + width;
    if (r.value().size != 0 && span > r.value().size) {
        return Error::Malformed;
    }
    return UartPlacement{static_cast<std::uintptr_t>(r.value().address + offset), 1U << shift, width, *irq};
}

Result<PlicPlacement> find_plic(const lib::FdtReader& fdt) {
    auto node = fdt.find_compatible("riscv,plic0");
    if (!node) {
        node = fdt.find_compatible("sifive,plic-1.0.0");
    }
    if (!node) {
        return Error::NotFound;
    }
    auto r = fdt.reg(node.value());
    auto ext = fdt.property(node.value(), "interrupts-extended");
    if (!r || !ext || ext->size() % 8 != 0) {
        return Error::Malformed;
    }
    PlicPlacement placed;
    placed.base = static_cast<std::uintptr_t>(r.value().address);
    placed.context_of_hart_id.fill(kNoPlicContext);
    IntcMap map{&fdt, {}, {}};
    if (!fdt.walk(visit, &map)) {
        return Error::Malformed;
    }
    // interrupts-extended: (phandle, cause) per context, in context order.
    const auto cells = *ext;
    for (std::size_t i = 0; i + 8 <= cells.size(); i += 8) {
        const std::uint32_t phandle = be32(&cells[i]);
        const std::uint32_t cause = be32(&cells[i + 4]);
        if (cause != kCauseSupervisorExternal) {
            continue;
        }
        for (unsigned k = 0; k < map.count; ++k) {
            if (map.phandle[k] == phandle && map.hart_id[k] < boot::kMaxHarts) {
                placed.context_of_hart_id[map.hart_id[k]] = static_cast<unsigned>(i / 8);
            }
        }
    }
    return placed;
}

}  // namespace cops::dev
