/// @file matrix_http.hpp
/// @brief The matrix server's HTTP/1.1 face: `GET /square?n=N&seed=S` answers with
/// the square of an N×N matrix made from S, as one line of text (matrix_protocol.hpp).
///
///     GET /square?n=3&seed=5 HTTP/1.1        the matrix: entry i is (37 i + 11 S) mod 100
///     Host: ...                              headers are read; only Connection counts
///
///     HTTP/1.1 200 OK
///     Content-Type: text/plain
///     Content-Length: 31
///
///     3 c11 c12 ... c33\n
///
/// HTTP/1.1 connections stay open (keep-alive) unless the request says
/// `Connection: close`; HTTP/1.0 ones close unless it says `keep-alive`. Anything
/// else gets 400, 404 or 405 with a one-line reason. Pure functions: the host unit
/// tests check them.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "matrix_protocol.hpp"  // (beside it: the host unit tests include it by path)

namespace cops::user::matrix::http {

/// The status of an answer.
enum class Status : std::uint16_t {
    Ok = 200,                ///< the square follows
    BadRequest = 400,        ///< a request line or a query that cannot be read
    NotFound = 404,          ///< a path other than /square
    MethodNotAllowed = 405,  ///< a method other than GET
};

/// One request, as far as the server needs it.
struct Request {
    Status status = Status::BadRequest;  ///< what the answer will be
    unsigned n = 0;                      ///< the matrix's size (Ok)
    std::uint32_t seed = 0;              ///< what its entries are made from (Ok)
    bool keep_alive = false;             ///< the connection stays open after the answer
};

/// Drops a trailing carriage return (HTTP lines end in CR LF; the LineReader cuts at LF).
inline std::string_view without_cr(std::string_view line) {
    return !line.empty() && line.back() == '\r' ? line.substr(0, line.size() - 1) : line;
}

/// True if @p line starts like an HTTP request line (a method, a space).
inline bool is_request_line(std::string_view line) {
    for (std::string_view method : {"GET ", "POST ", "PUT ", "HEAD ", "DELETE ", "OPTIONS "}) {
        if (line.substr(0, method.size()) == method) {
            return true;
        }
    }
    return false;
}

/// The decimal number at the start of @p s (false: none, or more than @p max).
inline bool read_number(std::string_view s, std::uint32_t max, std::uint32_t* out) {
    std::uint64_t v = 0;
    std::size_t i = 0;
    for (; i < s.size() && s[i] >= '0' && s[i] <= '9'; ++i) {
        v = v * 10 + static_cast<unsigned>(s[i] - '0');
        if (v > max) {
            return false;
        }
    }
    *out = static_cast<std::uint32_t>(v);
    return i > 0 && i == s.size();
}

/// Parses "METHOD TARGET VERSION" (without its CR).
inline Request parse_request_line(std::string_view line) {
    Request r;
    const std::size_t sp1 = line.find(' ');
    const std::size_t sp2 = sp1 == std::string_view::npos ? sp1 : line.find(' ', sp1 + 1);
    if (sp2 == std::string_view::npos) {
        return r;
    }
    const std::string_view method = line.substr(0, sp1);
    const std::string_view target = line.substr(sp1 + 1, sp2 - sp1 - 1);
    const std::string_view version = line.substr(sp2 + 1);
    if (version != "HTTP/1.1" && version != "HTTP/1.0") {
        return r;
    }
    r.keep_alive = version == "HTTP/1.1";
    if (method != "GET") {
        r.status = Status::MethodNotAllowed;
        return r;
    }
    const std::size_t q = target.find('?');
    if (target.substr(0, q) != "/square") {
        r.status = Status::NotFound;
        return r;
    }
    bool have_n = false;
    std::string_view query = q == std::string_view::npos ? std::string_view{} : target.substr(q + 1);
    while (!query.empty()) {
        const std::size_t amp = query.find('&');
        const std::string_view pair = query.substr(0, amp);
        query = amp == std::string_view::npos ? std::string_view{} : query.substr(amp + 1);
        std::uint32_t v = 0;
        if (pair.substr(0, 2) == "n=" && read_number(pair.substr(2), kMaxN, &v) && v >= 1) {
            r.n = v;
            have_n = true;
        } else if (pair.substr(0, 5) == "seed=" && read_number(pair.substr(5), 1'000'000'000, &v)) {
            r.seed = v;
        } else {
            return r;  // an unknown or malformed parameter: 400
        }
    }
    r.status = have_n ? Status::Ok : Status::BadRequest;
    return r;
}

/// Applies one header line (without its CR) to @p r: only `Connection` counts.
inline void apply_header(std::string_view line, Request& r) {
    const auto lower = [](char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; };
    const auto equals_nocase = [&](std::string_view a, std::string_view b) {
        if (a.size() != b.size()) {
            return false;
        }
        for (std::size_t i = 0; i < a.size(); ++i) {
            if (lower(a[i]) != lower(b[i])) {
                return false;
            }
        }
        return true;
    };
    const std::size_t colon = line.find(':');
    if (colon == std::string_view::npos || !equals_nocase(line.substr(0, colon), "connection")) {
        return;
    }
    std::string_view value = line.substr(colon + 1);
    while (!value.empty() && value.front() == ' ') {
        value.remove_prefix(1);
    }
    if (equals_nocase(value, "close")) {
        r.keep_alive = false;
    } else if (equals_nocase(value, "keep-alive")) {
        r.keep_alive = true;
    }
}

/// The matrix a GET asks for: entry i is (37 i + 11 seed) mod 100.
inline void request_matrix(const Request& r, Matrix& m) {
    m.n = r.n;
    for (unsigned i = 0; i < r.n * r.n; ++i) {
        m.v[i] = static_cast<std::int32_t>((37ULL * i + 11ULL * r.seed) % 100);
    }
}

/// Bytes a response may take: the headers and the longest answer line.
inline constexpr std::size_t kMaxResponse = kMaxLine + 192;

/// Writes the response to @p r into @p out (kMaxResponse bytes): its status line,
/// headers and body (@p answer's line when Ok). Returns its length.
inline std::size_t format_response(const Request& r, const Matrix* answer, char* out) {
    char body[kMaxLine + 1];
    std::size_t body_len = 0;
    std::string_view reason = "OK";
    switch (r.status) {
        case Status::Ok: body_len = answer != nullptr ? format(*answer, body) : 0; break;
        case Status::BadRequest: reason = "Bad Request"; break;
        case Status::NotFound: reason = "Not Found"; break;
        case Status::MethodNotAllowed: reason = "Method Not Allowed"; break;
    }
    if (r.status != Status::Ok) {
        const std::string_view text = r.status == Status::NotFound ? "try GET /square?n=15&seed=1\n"
                                      : r.status == Status::MethodNotAllowed
                                          ? "only GET is served\n"
                                          : "GET /square?n=N&seed=S, with N from 1 to 16\n";
        for (char c : text) {
            body[body_len++] = c;
        }
    }
    std::size_t at = 0;
    const auto put = [&](std::string_view s) {
        for (char c : s) {
            out[at++] = c;
        }
    };
    const auto put_number = [&](std::uint64_t v) {
        char digits[20];
        unsigned d = 0;
        do {
            digits[d++] = static_cast<char>('0' + v % 10);
            v /= 10;
        } while (v != 0);
        while (d > 0) {
            out[at++] = digits[--d];
        }
    };
    put("HTTP/1.1 ");
    put_number(static_cast<std::uint16_t>(r.status));
    put(" ");
    put(reason);
    put("\r\nContent-Type: text/plain\r\nContent-Length: ");
    put_number(body_len);
    put(r.keep_alive ? "\r\nConnection: keep-alive\r\n\r\n" : "\r\nConnection: close\r\n\r\n");
    put(std::string_view(body, body_len));
    return at;
}

}  // namespace cops::user::matrix::http
