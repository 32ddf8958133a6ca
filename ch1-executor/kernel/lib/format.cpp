/// @file format.cpp
/// @brief The formatter behind format_to(). Portable: also built for the host tests.
#include "cops/lib/format.hpp"

namespace cops::lib {

void BufferWriter::write(std::string_view text) {
    for (char c : text) {
        if (len_ + 1 >= cap_) {
            truncated_ = true;
            break;
        }
        buf_[len_++] = c;
    }
    buf_[len_] = '\0';
}

namespace {

/// Counts what it forwards, so format_to can report its length.
class CountingWriter final : public Writer {
public:
    explicit CountingWriter(Writer& out) : out_(out) {}
    void write(std::string_view text) override {
        out_.write(text);
        count_ += text.size();
    }
    std::size_t count() const { return count_; }

private:
    Writer& out_;
    std::size_t count_ = 0;
};

void pad(Writer& out, char fill, unsigned n) {
    char chunk[16];
    for (char& c : chunk) {
        c = fill;
    }
    while (n > 0) {
        unsigned k = n < sizeof(chunk) ? n : static_cast<unsigned>(sizeof(chunk));
        out.write({chunk, k});
        n -= k;
    }
}

/// Writes @p body with the spec's width and alignment; zero padding goes after any sign/prefix.
void emit(Writer& out, const FormatSpec& spec, std::string_view prefix, std::string_view body, bool numeric) {
    const std::size_t len = prefix.size() + body.size();
    const unsigned fill = spec.width > len ? static_cast<unsigned>(spec.width - len) : 0;
    if (numeric && spec.zero_pad) {
        out.write(prefix);
        pad(out, '0', fill);
        out.write(body);
        return;
    }
    if (spec.align == '>') {
        pad(out, ' ', fill);
    }
    out.write(prefix);
    out.write(body);
    if (spec.align == '<') {
        pad(out, ' ', fill);
    }
}

void emit_unsigned(Writer& out, const FormatSpec& spec, std::uint64_t v, bool negative, bool force_hex) {
    char digits[24];
    std::size_t n = 0;
    const bool hex = force_hex || spec.type == 'x';
    const unsigned base = hex ? 16 : 10;
    do {
        const unsigned d = static_cast<unsigned>(v % base);
        digits[sizeof(digits) - 1 - n++] = static_cast<char>(d < 10 ? '0' + d : 'a' + d - 10);
        v /= base;
    } while (v != 0);
    std::string_view prefix = negative ? "-" : "";
    if (hex && (spec.alternate || force_hex)) {
        prefix = "0x";
    }
    emit(out, spec, prefix, {digits + sizeof(digits) - n, n}, true);
}

void emit_arg(Writer& out, const FormatSpec& spec, const FormatArg& arg) {
    switch (arg.kind) {
        case FormatArg::Kind::Signed:
            if (spec.type == 'x') {
                emit_unsigned(out, spec, static_cast<std::uint64_t>(arg.s), false, false);
            } else if (spec.type == 'c') {
                const char c = static_cast<char>(arg.s);
                emit(out, spec, "", {&c, 1}, false);
            } else {
                const bool neg = arg.s < 0;
                const std::uint64_t mag =
                    neg ? ~static_cast<std::uint64_t>(arg.s) + 1 : static_cast<std::uint64_t>(arg.s);
                emit_unsigned(out, spec, mag, neg, false);
            }
            return;
        case FormatArg::Kind::Unsigned:
            if (spec.type == 'c') {
                const char c = static_cast<char>(arg.u);
                emit(out, spec, "", {&c, 1}, false);
            } else {
                emit_unsigned(out, spec, arg.u, false, false);
            }
            return;
        case FormatArg::Kind::Pointer: emit_unsigned(out, spec, arg.u, false, true); return;
        case FormatArg::Kind::Bool: emit(out, spec, "", arg.b ? "true" : "false", false); return;
        case FormatArg::Kind::Char:
            if (spec.type == 'd' || spec.type == 'x') {
                emit_unsigned(out, spec, static_cast<unsigned char>(arg.c), false, false);
            } else {
                emit(out, spec, "", {&arg.c, 1}, false);
            }
            return;
        case FormatArg::Kind::String: emit(out, spec, "", arg.str, false); return;
    }
}

/// Parses "[<|>][#][0][width][type]"; false if the spec is not understood.
bool parse_spec(std::string_view s, FormatSpec& spec) {
    std::size_t i = 0;
    if (i < s.size() && (s[i] == '<' || s[i] == '>')) {
        spec.align = s[i++];
    }
    if (i < s.size() && s[i] == '#') {
        spec.alternate = true;
        ++i;
    }
    if (i < s.size() && s[i] == '0') {
        spec.zero_pad = true;
        ++i;
    }
    while (i < s.size() && s[i] >= '0' && s[i] <= '9') {
        spec.width = spec.width * 10 + static_cast<unsigned>(s[i++] - '0');
        if (spec.width > 256) {
            return false;
        }
    }
    if (i < s.size() && (s[i] == 'x' || s[i] == 'd' || s[i] == 'c')) {
        spec.type = s[i++];
    }
    return i == s.size();
}

}  // namespace

std::size_t vformat_to(Writer& sink, std::string_view fmt, const FormatArg* args, std::size_t count) {
    CountingWriter out(sink);
    std::size_t next_arg = 0;
    std::size_t i = 0;
    while (i < fmt.size()) {
        const char c = fmt[i];
        if (c == '}' && i + 1 < fmt.size() && fmt[i + 1] == '}') {
            out.write("}");
            i += 2;
            continue;
        }
        if (c != '{') {
            std::size_t j = i;
            while (j < fmt.size() && fmt[j] != '{' && fmt[j] != '}') {
                ++j;
            }
            if (j == i) {  // a lone '}'
                ++j;
            }
            out.write(fmt.substr(i, j - i));
            i = j;
            continue;
        }
        if (i + 1 < fmt.size() && fmt[i + 1] == '{') {
            out.write("{");
            i += 2;
            continue;
        }
        const std::size_t close = fmt.find('}', i);
        if (close == std::string_view::npos) {
            out.write(fmt.substr(i));  // unterminated field: print it as is
            break;
        }
        std::string_view field = fmt.substr(i + 1, close - i - 1);
        FormatSpec spec;
        const bool has_spec = !field.empty() && field[0] == ':';
        if ((!field.empty() && !has_spec) || (has_spec && !parse_spec(field.substr(1), spec)) || next_arg >= count) {
            out.write("{?}");
        } else {
            emit_arg(out, spec, args[next_arg]);
        }
        ++next_arg;
        i = close + 1;
    }
    return out.count();
}

}  // namespace cops::lib
