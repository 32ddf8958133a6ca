// Catch2's main for the host unit tests, with the TAP reporter the harness reads.
#define CATCH_CONFIG_MAIN
#include <catch2/catch.hpp>
#include <catch2/catch_reporter_tap.hpp>
