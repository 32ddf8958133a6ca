// Unit tests: the intrusive FIFO behind every ready queue.
#include <catch2/catch.hpp>

#include "cops/lib/intrusive_list.hpp"
#include "cops/test/verify_failure.hpp"

namespace {
struct Item : cops::lib::ListHook<> {
    int id;
    explicit Item(int i) : id(i) {}
};
using List = cops::lib::IntrusiveList<Item>;
}  // namespace

TEST_CASE("list: pop from an empty list gives nullptr", "[list][lab]") {
    List l;
    REQUIRE(l.empty());
    REQUIRE(l.pop_front() == nullptr);
}

TEST_CASE("list: first in, first out", "[list][lab]") {
    Item a(1), b(2), c(3);
    List l;
    l.push_back(a);
    l.push_back(b);
    l.push_back(c);
    REQUIRE(l.size() == 3);
    REQUIRE(l.pop_front()->id == 1);
    REQUIRE(l.pop_front()->id == 2);
    l.push_back(a);
    REQUIRE(l.pop_front()->id == 3);
    REQUIRE(l.pop_front()->id == 1);
    REQUIRE(l.empty());
    REQUIRE_FALSE(a.linked);
}

TEST_CASE("list: remove from head, middle and tail", "[list]") {
    Item a(1), b(2), c(3), d(4);
    List l;
    for (Item* i : {&a, &b, &c, &d}) {
        l.push_back(*i);
    }
    l.remove(b);  // middle
    l.remove(a);  // head
    l.remove(d);  // tail
    REQUIRE(l.size() == 1);
    REQUIRE(l.front()->id == 3);
    l.push_back(a);
    int order[2];
    int n = 0;
    l.for_each([&](Item& i) { order[n++] = i.id; });
    REQUIRE(n == 2);
    REQUIRE(order[0] == 3);
    REQUIRE(order[1] == 1);
    l.remove(c);
    l.remove(a);
    REQUIRE(l.empty());
}

TEST_CASE("list: an element can sit in two lists with different tags", "[list]") {
    struct TagA {};
    struct TagB {};
    struct Both : cops::lib::ListHook<TagA>, cops::lib::ListHook<TagB> {
        int id = 7;
    };
    Both x;
    cops::lib::IntrusiveList<Both, TagA> la;
    cops::lib::IntrusiveList<Both, TagB> lb;
    la.push_back(x);
    lb.push_back(x);
    REQUIRE(la.pop_front()->id == 7);
    REQUIRE(lb.pop_front()->id == 7);
}

TEST_CASE("list: misuse is caught, not a silent corruption", "[list]") {
    Item a(1), b(2);
    List l;
    l.push_back(a);
    CHECK_THROWS_AS(l.push_back(a), cops::VerifyFailure);   // already linked
    CHECK_THROWS_AS(l.push_front(a), cops::VerifyFailure);  // already linked
    CHECK_THROWS_AS(l.remove(b), cops::VerifyFailure);      // not in a list
    REQUIRE(l.size() == 1);                                 // and the list is intact
    REQUIRE(l.pop_front() == &a);
    REQUIRE(l.empty());
}

TEST_CASE("list: a copied element starts outside every list", "[list]") {
    Item a(1);
    List l;
    l.push_back(a);
    Item copy = a;
    REQUIRE_FALSE(copy.linked);
    REQUIRE(copy.next == nullptr);
    REQUIRE(l.pop_front() == &a);
}
