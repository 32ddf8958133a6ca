// Unit tests: where the UART's registers and each hart's PLIC context are, read from
// QEMU virt's own device tree and from trees with UARTs that must be refused.
#include <algorithm>
#include <catch2/catch.hpp>
#include <cstring>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "cops/dev/placement.hpp"

using namespace cops;
using namespace cops::dev;

namespace {
std::vector<std::uint8_t> load(const std::string& name) {
    std::ifstream in(std::string(COPS_FIXTURE_DIR) + "/" + name, std::ios::binary);
    REQUIRE(in.good());
    return {std::istreambuf_iterator<char>(in), {}};
}

/// @p blob with the compatible string @p from renamed to "ns16550a" (same length
/// padded with NULs), so that node is the first UART of the tree.
std::vector<std::uint8_t> as_uart(std::vector<std::uint8_t> blob, const std::string& from) {
    REQUIRE(from.size() >= 8);
    auto at = std::search(blob.begin(), blob.end(), from.begin(), from.end());
    REQUIRE(at != blob.end());
    std::memset(&*at, 0, from.size());
    std::memcpy(&*at, "ns16550a", 8);
    return blob;
}
}  // namespace

TEST_CASE("placement: QEMU virt's UART has byte registers one byte apart", "[placement]") {
    const auto blob = load("qemu-virt.dtb");
    const auto fdt = lib::FdtReader::open(blob.data(), blob.size()).value();
    const auto uart = find_uart(fdt);
    REQUIRE(uart.ok());
    CHECK(uart.value().registers == 0x10000000);
    CHECK(uart.value().stride == 1);
    CHECK(uart.value().io_width == 1);
    CHECK(uart.value().irq == 10);
}

TEST_CASE("placement: QEMU virt's PLIC gives hart 0 context 1 (M is 0, S is 1)", "[placement]") {
    const auto blob = load("qemu-virt.dtb");
    const auto fdt = lib::FdtReader::open(blob.data(), blob.size()).value();
    const auto plic = find_plic(fdt);
    REQUIRE(plic.ok());
    CHECK(plic.value().base == 0x0c000000);
    CHECK(plic.value().context_of_hart_id[0] == 1);
    CHECK(plic.value().context_of_hart_id[1] == kNoPlicContext);  // dumped with one hart
}

TEST_CASE("placement: a UART the drivers cannot drive is refused as malformed", "[placement]") {
    const auto blob = load("bad-uarts.dtb");
    for (const char* name : {"test,wide", "test,overrun", "test,noirq"}) {
        INFO(name);
        const auto patched = as_uart(blob, name);
        const auto fdt = lib::FdtReader::open(patched.data(), patched.size()).value();
        CHECK(find_uart(fdt).error() == Error::Malformed);
    }
    const auto fdt = lib::FdtReader::open(blob.data(), blob.size()).value();
    CHECK(find_uart(fdt).error() == Error::NotFound);
    CHECK(find_plic(fdt).error() == Error::NotFound);
}
