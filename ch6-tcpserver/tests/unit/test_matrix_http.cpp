/// @file test_matrix_http.cpp
/// @brief The matrix server's HTTP parsing and answers (user/include/cops/user/matrix_http.hpp).
#include <catch2/catch.hpp>
#include <string>

#include "../../user/include/cops/user/matrix_http.hpp"

using namespace cops::user::matrix;

TEST_CASE("http: a GET of /square with n and seed is served, and 1.1 keeps the connection") {
    const http::Request r = http::parse_request_line("GET /square?n=3&seed=5 HTTP/1.1");
    CHECK(r.status == http::Status::Ok);
    CHECK(r.n == 3);
    CHECK(r.seed == 5);
    CHECK(r.keep_alive);
    CHECK_FALSE(http::parse_request_line("GET /square?n=3 HTTP/1.0").keep_alive);
}

TEST_CASE("http: bad requests get 400, other paths 404, other methods 405") {
    CHECK(http::parse_request_line("GET /square?n=0 HTTP/1.1").status == http::Status::BadRequest);
    CHECK(http::parse_request_line("GET /square?n=17 HTTP/1.1").status == http::Status::BadRequest);
    CHECK(http::parse_request_line("GET /square?n=3&x=1 HTTP/1.1").status == http::Status::BadRequest);
    CHECK(http::parse_request_line("GET /square HTTP/1.1").status == http::Status::BadRequest);
    CHECK(http::parse_request_line("GET /square?n=3 HTTP/2").status == http::Status::BadRequest);
    CHECK(http::parse_request_line("GET").status == http::Status::BadRequest);
    CHECK(http::parse_request_line("GET /other?n=3 HTTP/1.1").status == http::Status::NotFound);
    CHECK(http::parse_request_line("POST /square?n=3 HTTP/1.1").status == http::Status::MethodNotAllowed);
    CHECK(http::is_request_line("GET / HTTP/1.1"));
    CHECK_FALSE(http::is_request_line("HELLO 3"));
}

TEST_CASE("http: Connection headers, any case, and CR LF endings") {
    http::Request r = http::parse_request_line("GET /square?n=2 HTTP/1.1");
    http::apply_header(http::without_cr("connection: Close\r"), r);
    CHECK_FALSE(r.keep_alive);
    http::apply_header("Connection: keep-alive", r);
    CHECK(r.keep_alive);
    http::apply_header("Host: example", r);
    CHECK(r.keep_alive);
}

TEST_CASE("http: the answer has a Content-Length that matches its body, the square of the matrix") {
    http::Request r = http::parse_request_line("GET /square?n=2&seed=1 HTTP/1.1");
    Matrix a;
    Matrix c;
    http::request_matrix(r, a);  // entries 11, 48, 85, 22 (37 i + 11 mod 100)
    square(a, c);
    char out[http::kMaxResponse];
    const std::string response(out, http::format_response(r, &c, out));
    const std::string body = "2 4201 1584 2805 4564\n";  // [11 48; 85 22]^2
    CHECK(response.find("HTTP/1.1 200 OK\r\n") == 0);
    CHECK(response.find("Content-Length: " + std::to_string(body.size()) + "\r\n") != std::string::npos);
    CHECK(response.find("Connection: keep-alive\r\n\r\n") != std::string::npos);
    CHECK(response.substr(response.size() - body.size()) == body);
    r.status = http::Status::NotFound;
    const std::string missing(out, http::format_response(r, nullptr, out));
    CHECK(missing.find("HTTP/1.1 404 Not Found\r\n") == 0);
}
