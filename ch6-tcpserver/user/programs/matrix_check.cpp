/// @file matrix_check.cpp
/// @brief `matrix_check CASE PORT`: checks of the matrix server's framing, from one
/// connection over 127.0.0.1 (sync calls; the server runs in another process).
///
///     pieces     the handshake and a 15×15 request, each sent in several pieces with
///                pauses (the request in PIECES pieces, 5 unless a third argument says);
///                then two requests in one send: three right answers, in order
///     malformed  a right request, then a malformed one: the first is answered, then
///                the server closes the connection (it counts one malformed request)
///     http       two HTTP/1.1 GETs on one kept-alive connection, the second asking to
///                close: two 200 answers with the right squares, then the server closes
///
/// Exits with the number of failed checks.
#include <cstdint>
#include <string_view>

#include "cops/lib/format.hpp"
#include "cops/lib/parse.hpp"
#include "cops/user/matrix_http.hpp"
#include "cops/user/matrix_protocol.hpp"
#include "cops/user/net.hpp"
#include "cops/user/print.hpp"
#include "cops/user/sys.hpp"

using namespace cops;
namespace matrix = cops::user::matrix;
namespace http = cops::user::matrix::http;

namespace {
int g_failed = 0;

void expect(bool ok, std::string_view what) {
    if (!ok) {
        ++g_failed;
        user::println("matrix_check: FAILED: {}", what);
    }
}

matrix::LineReader g_reader;
matrix::Matrix g_request;
matrix::Matrix g_expected;
matrix::Matrix g_answer;
char g_out[2 * matrix::kMaxLine];

/// Sends @p n bytes at @p p in full (sync calls).
bool send_all(int fd, const char* p, std::size_t n) {
    while (n > 0) {
        const long w = user::sys::send(fd, p, n);
        if (w <= 0) {
            return false;
        }
        p += w;
        n -= static_cast<std::size_t>(w);
    }
    return true;
}

/// Sends @p n bytes in @p pieces pieces, a tick apart.
bool send_in_pieces(int fd, const char* p, std::size_t n, unsigned pieces) {
    const std::size_t step = n / pieces + 1;
    for (std::size_t at = 0; at < n; at += step) {
        if (!send_all(fd, p + at, n - at < step ? n - at : step)) {
            return false;
        }
        (void)user::sleep(1);
    }
    return true;
}

/// The next whole line, or false at the end of the connection.
bool read_line(int fd, std::string_view* line) {
    for (;;) {
        bool too_long = false;
        if (g_reader.next_line(line, &too_long)) {
            return true;
        }
        const long n = too_long ? -1 : user::sys::recv(fd, g_reader.space(), g_reader.room());
        if (n <= 0) {
            return false;
        }
        g_reader.took(static_cast<std::size_t>(n));
    }
}

/// Fills the request with values from @p seed and the expected answer.
void make_request(unsigned seed) {
    g_request.n = 15;
    for (unsigned i = 0; i < 15 * 15; ++i) {
        g_request.v[i] = static_cast<std::int32_t>((i * 37 + seed * 11) % 100);
    }
    matrix::square(g_request, g_expected);
}

/// Reads one answer and checks it against the expected square.
bool answer_is_right(int fd) {
    std::string_view line;
    if (!read_line(fd, &line) || !matrix::parse(line, g_answer) || g_answer.n != g_expected.n) {
        return false;
    }
    for (unsigned i = 0; i < g_answer.n * g_answer.n; ++i) {
        if (g_answer.v[i] != g_expected.v[i]) {
            return false;
        }
    }
    return true;
}

/// A connected socket, or -1. A refused connect is tried again, a tick apart, for a
/// while: the server may not be listening yet (the test starts both at once).
int connect_to(std::uint16_t port) {
    for (unsigned attempt = 0; attempt < 200; ++attempt) {
        const long fd = user::socket();
        if (fd < 0) {
            return -1;
        }
        if (user::sys::connect(static_cast<int>(fd), abi::kLoopback, port) == 0) {
            return static_cast<int>(fd);
        }
        user::close(static_cast<int>(fd));
        (void)user::sleep(1);
    }
    return -1;
}

void case_pieces(int fd, unsigned pieces) {
    expect(send_in_pieces(fd, "HELLO 3\n", 8, 4), "the handshake goes out in four pieces");
    std::string_view line;
    expect(read_line(fd, &line) && line == "OK", "the server says OK to a handshake in pieces");
    make_request(1);
    std::size_t n = matrix::format(g_request, g_out);
    expect(send_in_pieces(fd, g_out, n, pieces), "a request goes out in pieces");
    expect(answer_is_right(fd), "a request sent in pieces is answered right");
    // Two requests in one send: the server must see two messages in one read.
    make_request(2);
    n = matrix::format(g_request, g_out);
    const std::size_t first = n;
    n += matrix::format(g_request, g_out + n);
    expect(n == 2 * first && send_all(fd, g_out, n), "two requests go out in one send");
    expect(answer_is_right(fd), "the first of two requests in one send is answered right");
    expect(answer_is_right(fd), "the second of two requests in one send is answered right");
}

void case_malformed(int fd) {
    std::string_view line;
    expect(send_all(fd, "HELLO 0\n", 8) && read_line(fd, &line) && line == "OK", "the handshake");
    make_request(3);
    const std::size_t n = matrix::format(g_request, g_out);
    expect(send_all(fd, g_out, n), "a right request goes out");
    expect(answer_is_right(fd), "the right request is answered");
    expect(send_all(fd, "15 1 2 x\n", 9), "a malformed request goes out");
    expect(!read_line(fd, &line), "after a malformed request the server closes the connection");
}
/// Sends a GET for the square of the (n, seed) matrix and checks the answer: status
/// line, Content-Length, the Connection header @p connection, the body's square.
void http_get(int fd, unsigned n, unsigned seed, std::string_view connection) {
    char request[128];
    const auto text =
        lib::format_buffer(request, sizeof request, "GET /square?n={}&seed={} HTTP/1.1\r\nHost: cops\r\n{}\r\n", n,
                           seed, connection == "close" ? "Connection: close\r\n" : "");
    expect(send_all(fd, text.data(), text.size()), "an HTTP request goes out");
    http::Request r;
    r.status = http::Status::Ok;
    r.n = n;
    r.seed = seed;
    http::request_matrix(r, g_request);
    matrix::square(g_request, g_expected);
    char body[matrix::kMaxLine + 1];
    const std::size_t body_len = matrix::format(g_expected, body);
    std::string_view line;
    expect(read_line(fd, &line) && http::without_cr(line) == "HTTP/1.1 200 OK", "the answer's status is 200 OK");
    bool length_ok = false;
    bool connection_ok = false;
    while (read_line(fd, &line) && !http::without_cr(line).empty()) {
        const std::string_view header = http::without_cr(line);
        length_ok = length_ok || header == lib::format_buffer(request, sizeof request, "Content-Length: {}", body_len);
        connection_ok =
            connection_ok || header == lib::format_buffer(request, sizeof request, "Connection: {}", connection);
    }
    expect(length_ok, "the answer's Content-Length is its body's");
    expect(connection_ok, "the answer's Connection header says what the request asked");
    expect(answer_is_right(fd), "the body is the square of the matrix the GET asked for");
}

void case_http(int fd) {
    http_get(fd, 3, 5, "keep-alive");
    http_get(fd, 15, 2, "close");
    std::string_view line;
    expect(!read_line(fd, &line), "after `Connection: close` the server closes the connection");
}
}  // namespace

int main(int argc, char** argv) {
    const std::string_view which = argc > 1 ? argv[1] : "";
    const auto port = static_cast<std::uint16_t>(lib::parse_u64(argc > 2 ? argv[2] : "", 0));
    const std::uint64_t pieces = argc > 3 ? lib::parse_u64(argv[3], 0) : 5;
    if ((which != "pieces" && which != "malformed" && which != "http") || port == 0 || pieces < 1 || pieces > 64) {
        user::println("matrix_check: usage: matrix_check pieces|malformed|http PORT [PIECES (1-64), for pieces]");
        return 2;
    }
    const int fd = connect_to(port);
    expect(fd >= 0, "connect to the server");
    if (fd >= 0) {
        (void)user::set_no_delay(fd, true);
        if (which == "pieces") {
            case_pieces(fd, static_cast<unsigned>(pieces));
        } else if (which == "http") {
            case_http(fd);
        } else {
            case_malformed(fd);
        }
        user::close(fd);
    }
    user::println("matrix_check {}: {} failed", which, g_failed);
    return g_failed;
}
