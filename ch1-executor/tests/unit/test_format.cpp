// Unit tests: the console formatter.
#include <catch2/catch.hpp>
#include <string>

#include "cops/lib/format.hpp"
#include "cops/sched/ccb.hpp"

using cops::lib::format_buffer;

namespace {
template <class... Args>
std::string fmt(std::string_view f, const Args&... args) {
    char buf[256];
    return std::string(format_buffer(buf, sizeof buf, f, args...));
}
}  // namespace

TEST_CASE("format: integers in decimal and hex", "[format]") {
    REQUIRE(fmt("{} {} {}", 0, -42, 18446744073709551615ULL) == "0 -42 18446744073709551615");
    REQUIRE(fmt("{:x} {:#x}", 255, 255) == "ff 0xff");
    REQUIRE(fmt("{}", std::int64_t{-9223372036854775807LL - 1}) == "-9223372036854775808");
}

TEST_CASE("format: width, alignment and zero padding", "[format]") {
    REQUIRE(fmt("[{:5}]", 42) == "[   42]");
    REQUIRE(fmt("[{:<5}]", 42) == "[42   ]");
    REQUIRE(fmt("[{:05}]", -42) == "[-0042]");
    REQUIRE(fmt("[{:#010x}]", 0xbeef) == "[0x0000beef]");
    REQUIRE(fmt("[{:<6}]", "ab") == "[ab    ]");
}

TEST_CASE("format: strings, chars, bools, pointers and ids", "[format]") {
    REQUIRE(fmt("{} {} {}", "str", 'c', true) == "str c true");
    REQUIRE(fmt("{}", static_cast<const char*>(nullptr)) == "(null)");
    REQUIRE(fmt("{}", reinterpret_cast<const void*>(0x1000)) == "0x1000");
    REQUIRE(fmt("cid {}", cops::sched::Cid{7}) == "cid 7");
    REQUIRE(fmt("{:d}", 'A') == "65");
}

TEST_CASE("format: braces, missing arguments and bad specs do not crash", "[format]") {
    REQUIRE(fmt("{{}} {}", 1) == "{} 1");
    REQUIRE(fmt("{} {}", 1) == "1 {?}");
    REQUIRE(fmt("{:q}", 1) == "{?}");
    REQUIRE(fmt("{name}", 1) == "{?}");
    REQUIRE(fmt("open {", 1) == "open {");
    REQUIRE(fmt("a } b") == "a } b");
}

TEST_CASE("format: output is truncated to the buffer, NUL-terminated", "[format]") {
    char small[8];
    cops::lib::BufferWriter w(small, sizeof small);
    cops::lib::format_to(w, "{}", "0123456789");
    REQUIRE(w.truncated());
    REQUIRE(w.view() == "0123456");
    REQUIRE(small[7] == '\0');
}
