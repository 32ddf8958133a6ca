// Unit tests: the device tree reader, on a compiled sample, QEMU's own DTB, and corrupt blobs.
#include <catch2/catch.hpp>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "cops/lib/fdt.hpp"

using namespace cops;
using namespace cops::lib;

#ifndef COPS_FIXTURE_DIR
#error "COPS_FIXTURE_DIR must name the folder with the compiled .dtb fixtures"
#endif

namespace {
std::vector<std::uint8_t> load(const std::string& name) {
    std::ifstream in(std::string(COPS_FIXTURE_DIR) + "/" + name, std::ios::binary);
    REQUIRE(in.good());
    return {std::istreambuf_iterator<char>(in), {}};
}
}  // namespace

TEST_CASE("fdt: reads memory, bootargs, timebase from a sample tree", "[fdt]") {
    const auto blob = load("sample.dtb");
    auto r = FdtReader::open(blob.data(), blob.size());
    REQUIRE(r.ok());
    const FdtReader& fdt = r.value();
    auto mem = fdt.find_device_type("memory");
    REQUIRE(mem.ok());
    auto reg = fdt.reg(mem.value());
    REQUIRE(reg.ok());
    REQUIRE(reg.value().address == 0x80000000);
    REQUIRE(reg.value().size == 0x8000000);
    auto chosen = fdt.find_path("/chosen");
    REQUIRE(chosen.ok());
    REQUIRE(fdt.property_string(chosen.value(), "bootargs") == std::string_view("nonce=abc123 ktest.from=3"));
    auto cpus = fdt.find_path("/cpus");
    REQUIRE(fdt.property_u32(cpus.value(), "timebase-frequency") == 10000000U);
}

TEST_CASE("fdt: paths match unit names with and without the address", "[fdt]") {
    const auto blob = load("sample.dtb");
    const FdtReader fdt = FdtReader::open(blob.data(), blob.size()).value();
    REQUIRE(fdt.find_path("/memory").ok());
    REQUIRE(fdt.find_path("/memory@80000000").ok());
    REQUIRE(fdt.find_path("/cpus/cpu@1").ok());
    REQUIRE(fdt.find_path("/soc/narrow/dev@2000").ok());
    REQUIRE(fdt.find_path("/").value().depth == 0);
    REQUIRE(fdt.find_path("/nope").error() == Error::NotFound);
    REQUIRE(fdt.find_path("/cpus/nope").error() == Error::NotFound);
    REQUIRE(fdt.find_path("relative").error() == Error::NotFound);
}

TEST_CASE("fdt: compatible lists and reg with the parent's cell sizes", "[fdt]") {
    const auto blob = load("sample.dtb");
    const FdtReader fdt = FdtReader::open(blob.data(), blob.size()).value();
    auto test = fdt.find_compatible("sifive,test0");
    REQUIRE(test.ok());
    REQUIRE(test.value().name == "test@100000");
    REQUIRE(fdt.reg(test.value()).value().address == 0x100000);
    auto dev = fdt.find_path("/soc/narrow/dev@2000").value();
    REQUIRE(dev.address_cells == 1);
    REQUIRE(fdt.reg(dev, 1).value().address == 0x3000);
    REQUIRE(fdt.reg(dev, 1).value().size == 0x200);
    REQUIRE(fdt.reg(dev, 2).error() == Error::NotFound);
    REQUIRE(fdt.find_compatible("no,such").error() == Error::NotFound);
}

TEST_CASE("fdt: QEMU virt's own device tree", "[fdt]") {
    const auto blob = load("qemu-virt.dtb");
    const FdtReader fdt = FdtReader::open(blob.data(), blob.size()).value();
    auto mem = fdt.find_device_type("memory");
    REQUIRE(mem.ok());
    REQUIRE(fdt.reg(mem.value()).value().address == 0x80000000);
    REQUIRE(fdt.reg(mem.value()).value().size == 128ULL << 20);
    auto finisher = fdt.find_compatible("sifive,test0");
    REQUIRE(finisher.ok());
    REQUIRE(fdt.reg(finisher.value()).value().address == 0x100000);
    REQUIRE(fdt.find_compatible("ns16550a").ok());
}

TEST_CASE("fdt: corrupt blobs are rejected, never read out of bounds", "[fdt]") {
    auto blob = load("sample.dtb");
    REQUIRE(FdtReader::open(nullptr, 100).error() == Error::Malformed);
    REQUIRE(FdtReader::open(blob.data(), 20).error() == Error::Malformed);               // shorter than a header
    REQUIRE(FdtReader::open(blob.data(), blob.size() - 1).error() == Error::Malformed);  // truncated
    auto bad_magic = blob;
    bad_magic[0] = 0;
    REQUIRE(FdtReader::open(bad_magic.data(), bad_magic.size()).error() == Error::Malformed);
    auto bad_offset = blob;
    bad_offset[8] = 0x7f;  // structure block offset far outside the blob
    REQUIRE(FdtReader::open(bad_offset.data(), bad_offset.size()).error() == Error::Malformed);
    // Garbage inside the structure block: every lookup fails cleanly.
    auto garbage = blob;
    const std::uint32_t off = (std::uint32_t{garbage[8]} << 24) | (garbage[9] << 16) | (garbage[10] << 8) | garbage[11];
    for (std::size_t i = off + 8; i < off + 64; ++i) {
        garbage[i] = 0xee;
    }
    const FdtReader fdt = FdtReader::open(garbage.data(), garbage.size()).value();
    REQUIRE(fdt.find_path("/chosen").error() == Error::Malformed);
    REQUIRE_FALSE(fdt.find_compatible("sifive,test0").ok());
}

TEST_CASE("fdt: bootarg finds key=value words", "[fdt]") {
    REQUIRE(bootarg("nonce=ab12 ktest.from=3", "nonce") == std::string_view("ab12"));
    REQUIRE(bootarg("nonce=ab12 ktest.from=3", "ktest.from") == std::string_view("3"));
    REQUIRE_FALSE(bootarg("nonce=ab12", "non").has_value());
    REQUIRE_FALSE(bootarg("", "nonce").has_value());
    REQUIRE(bootarg("  a=1   b=", "b") == std::string_view(""));
}
