/// @file matrix_protocol.hpp
/// @brief What the matrix server and its load client say to each other (the COPS
/// paper's §5 experiment), with explicit framing: every message is one line.
///
///     client: "HELLO <priority>\n"           the connection's priority (0 most urgent)
///     server: "OK\n"
///     client: "<n> <a11> <a12> ... <ann>\n"  an n×n matrix of integers 0..99, row by row
///     server: "<n> <c11> ... <cnn>\n"        C = A × A
///
/// A 15×15 matrix in text is about 700 bytes, and its square about 1,700: one read
/// may hold part of a message, or more than one, so both ends cut the byte stream
/// into lines with a LineReader instead of taking one read as one message (the
/// original did).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace cops::user::matrix {

/// Largest n the server accepts.
inline constexpr unsigned kMaxN = 16;
/// Longest line either end accepts: a 16×16 square of values up to 16·99² (6 digits
/// and a space each) fits.
inline constexpr std::size_t kMaxLine = 8 * kMaxN * kMaxN + 16;
/// Lowest (least urgent) priority a connection may ask for.
inline constexpr unsigned kLevels = 8;

/// Connections one process of a thread model serves: a process has at most 32
/// threads (proc::kMaxThreads), one of them its main thread.
inline constexpr unsigned kConnectionsPerThreadProcess = 31;
/// Processes (and ports, consecutive from the first) a thread model serves
/// @p connections with; the client sends connection i to port first + i % that.
constexpr unsigned ports_for_threads(unsigned connections) {
    return (connections + kConnectionsPerThreadProcess - 1) / kConnectionsPerThreadProcess;
}
/// Connections of the @p k-th of @p ports processes (k < ports), out of @p connections.
constexpr unsigned connections_of_port(unsigned connections, unsigned ports, unsigned k) {
    return connections / ports + (k < connections % ports ? 1 : 0);
}

/// An n×n matrix of integers.
struct Matrix {
    unsigned n = 0;                      ///< its size
    std::int32_t v[kMaxN * kMaxN] = {};  ///< v[row * n + column]
};

/// C = A × A.
inline void square(const Matrix& a, Matrix& c) {
    c.n = a.n;
    for (unsigned i = 0; i < a.n; ++i) {
        for (unsigned j = 0; j < a.n; ++j) {
            std::int64_t sum = 0;
            for (unsigned k = 0; k < a.n; ++k) {
                sum += std::int64_t{a.v[i * a.n + k]} * a.v[k * a.n + j];
            }
            c.v[i * a.n + j] = static_cast<std::int32_t>(sum);  // the protocol's values keep it small
        }
    }
}

/// Parses one message line (without its '\n') into @p m. False if it is malformed.
inline bool parse(std::string_view line, Matrix& m) {
    std::size_t at = 0;
    const auto next = [&](std::int32_t& out) {
        while (at < line.size() && line[at] == ' ') {
            ++at;
        }
        if (at >= line.size() || line[at] < '0' || line[at] > '9') {
            return false;
        }
        std::int64_t v = 0;
        for (; at < line.size() && line[at] >= '0' && line[at] <= '9'; ++at) {
            v = v * 10 + (line[at] - '0');
            if (v > 99'999'999) {
                return false;  // more digits than any value of the protocol has
            }
        }
        out = static_cast<std::int32_t>(v);
        return true;
    };
    std::int32_t n = 0;
    if (!next(n) || n < 1 || n > static_cast<std::int32_t>(kMaxN)) {
        return false;
    }
    m.n = static_cast<unsigned>(n);
    for (unsigned i = 0; i < m.n * m.n; ++i) {
        if (!next(m.v[i])) {
            return false;
        }
    }
    while (at < line.size() && line[at] == ' ') {
        ++at;
    }
    return at == line.size();
}

/// Writes @p m as one message line, '\n' included, into @p out (kMaxLine bytes).
/// Returns its length.
inline std::size_t format(const Matrix& m, char* out) {
    std::size_t at = 0;
    const auto put = [&](std::int32_t v) {
        char digits[20];
        unsigned d = 0;
        do {
            digits[d++] = static_cast<char>('0' + v % 10);
            v /= 10;
        } while (v > 0);
        while (d > 0) {
            out[at++] = digits[--d];
        }
    };
    put(static_cast<std::int32_t>(m.n));
    for (unsigned i = 0; i < m.n * m.n; ++i) {
        out[at++] = ' ';
        put(m.v[i]);
    }
    out[at++] = '\n';
    return at;
}

/// Cuts a byte stream into lines. Feed it what recv() returned with take(); each
/// complete line comes out of next_line() without its '\n'.
class LineReader {
public:
    /// Room for the next recv(): where to put bytes, and how many fit.
    char* space() { return buffer_ + end_; }
    /// How many bytes space() can take.
    std::size_t room() const { return sizeof buffer_ - end_; }
    /// @p n bytes were received into space().
    void took(std::size_t n) { end_ += n; }
    /// The next complete line, if there is one (valid until the next call); false if
    /// none is complete yet. *@p too_long is set when a line outgrew the buffer.
    bool next_line(std::string_view* line, bool* too_long) {
        if (start_ > 0 && start_ == end_) {
            start_ = end_ = 0;
        }
        for (std::size_t i = start_; i < end_; ++i) {
            if (buffer_[i] == '\n') {
                *line = std::string_view(buffer_ + start_, i - start_);
                start_ = i + 1;
                return true;
            }
        }
        if (start_ > 0) {  // keep the partial line at the front
            for (std::size_t i = start_; i < end_; ++i) {
                buffer_[i - start_] = buffer_[i];
            }
            end_ -= start_;
            start_ = 0;
        }
        *too_long = end_ == sizeof buffer_;
        return false;
    }

private:
    char buffer_[kMaxLine + 1] = {};
    std::size_t start_ = 0;
    std::size_t end_ = 0;
};

}  // namespace cops::user::matrix
