// Unit tests: the board's device tree (fpga/board/cops-zcu102.dts) read the way the
// kernel reads it at boot, so what the drivers find on the board is checked here.
#include <catch2/catch.hpp>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "cops/dev/placement.hpp"
#include "cops/fpga/board_tree.hpp"

using namespace cops;

namespace {
std::vector<std::uint8_t> load(const std::string& name) {
    std::ifstream in(std::string(COPS_FIXTURE_DIR) + "/" + name, std::ios::binary);
    REQUIRE(in.good());
    return {std::istreambuf_iterator<char>(in), {}};
}

lib::FdtReader board(const std::vector<std::uint8_t>& blob) {
    auto r = lib::FdtReader::open(blob.data(), blob.size());
    REQUIRE(r.ok());
    return r.value();
}
}  // namespace

TEST_CASE("board tree: four rocket harts with the N extension, 10 MHz, 2 GiB from 0x80000000", "[board]") {
    const auto blob = load("cops-zcu102.dtb");
    const auto fdt = board(blob);
    const auto cpus = fdt.find_path("/cpus");
    REQUIRE(cpus.ok());
    CHECK(fdt.property_u32(cpus.value(), "timebase-frequency") == 10'000'000U);
    const auto cpu = fdt.find_device_type("cpu");
    REQUIRE(cpu.ok());
    CHECK(fdt.property_string(cpu.value(), "riscv,isa") == std::string_view("rv64imafdcn"));
    const auto memory = fdt.find_device_type("memory");
    REQUIRE(memory.ok());
    CHECK(fdt.reg(memory.value()).value().address == 0x80000000);
    CHECK(fdt.reg(memory.value()).value().size == 0x80000000);
    CHECK(fdt.find_compatible("cops,uintc").ok());  // with `n`: ch5's native backend
}

TEST_CASE("board tree: the AXI UART16550's 32-bit registers, 4 bytes apart from +0x1000", "[board]") {
    const auto blob = load("cops-zcu102.dtb");
    const auto uart = dev::find_uart(board(blob));
    REQUIRE(uart.ok());
    CHECK(uart.value().registers == 0x60001000);
    CHECK(uart.value().stride == 4);
    CHECK(uart.value().io_width == 4);
    CHECK(uart.value().irq == 1);
}

TEST_CASE("board tree: each hart's S-mode PLIC context is hart * 3 + 1 (M, S, U per hart)", "[board]") {
    const auto blob = load("cops-zcu102.dtb");
    const auto plic = dev::find_plic(board(blob));
    REQUIRE(plic.ok());
    CHECK(plic.value().base == 0x0c000000);
    for (unsigned hart = 0; hart < 4; ++hart) {
        INFO("hart " << hart);
        CHECK(plic.value().context_of_hart_id[hart] == hart * 3 + 1);
    }
    CHECK(plic.value().context_of_hart_id[4] == dev::kNoPlicContext);
}

TEST_CASE("board tree: the Ethernet, its DMA behind axistream-connected, interrupts, MAC and PHY", "[board]") {
    const auto blob = load("cops-zcu102.dtb");
    const auto nic = fpga::find_axi_nic(board(blob));
    REQUIRE(nic.ok());
    CHECK(nic.value().mac_registers == 0x60140000);
    CHECK(nic.value().dma_registers == 0x60100000);
    CHECK(nic.value().mac_irq == 2);
    CHECK(nic.value().send_irq == 3);
    CHECK(nic.value().receive_irq == 4);
    CHECK(nic.value().phy == 3);
    const std::uint8_t mac[6] = {0x00, 0x0a, 0x35, 0x00, 0x1e, 0x53};
    CHECK(std::equal(mac, mac + 6, nic.value().address));
}

TEST_CASE("board tree: QEMU virt has no AXI Ethernet, so the same kernel leaves it alone", "[board]") {
    const auto blob = load("qemu-virt.dtb");
    CHECK(fpga::find_axi_nic(board(blob)).error() == Error::NotFound);
}

TEST_CASE("board tree: an Ethernet node whose DMA link is broken is malformed, not a wild read", "[board]") {
    auto blob = load("cops-zcu102.dtb");
    // Rename the DMA's property "axistream-connected" so the MAC names no DMA.
    const std::string name = "axistream-connected";
    auto at = std::search(blob.begin(), blob.end(), name.begin(), name.end());
    REQUIRE(at != blob.end());
    *at = 'X';
    CHECK(fpga::find_axi_nic(board(blob)).error() == Error::Malformed);
}
