// Unit tests: one FIFO per level and the bitmap of the levels that hold something.
#include <catch2/catch.hpp>
#include <vector>

#include "cops/sched/leveled_queue.hpp"

namespace {
struct Tag {};
struct Item : cops::lib::ListHook<Tag> {
    int id;
    explicit Item(int i) : id(i) {}
};
using Queues = cops::sched::LeveledQueue<Item, Tag>;
using cops::sched::Priority;

Priority level(int l) { return Priority{static_cast<std::uint8_t>(l)}; }

/// Pops everything: the ids in the order they came out.
std::vector<int> drain(Queues& q) {
    std::vector<int> out;
    while (Item* i = q.pop_most_urgent()) {
        out.push_back(i->id);
    }
    return out;
}
}  // namespace

TEST_CASE("leveled queue: empty gives nullptr and no level", "[leveled][lab]") {
    Queues q;
    REQUIRE(q.empty());
    REQUIRE(q.pop_most_urgent() == nullptr);
    REQUIRE_FALSE(q.most_urgent().has_value());
}

TEST_CASE("leveled queue: most urgent level first, FIFO within a level", "[leveled][lab]") {
    Item a(1), b(2), c(3), d(4), e(5);
    Queues q;
    q.push_back(a, level(40));
    q.push_back(b, level(3));
    q.push_back(c, level(40));
    q.push_back(d, level(63));
    q.push_back(e, level(3));
    REQUIRE(q.size() == 5);
    REQUIRE(q.most_urgent() == level(3));
    REQUIRE(drain(q) == std::vector<int>{2, 5, 1, 3, 4});
    REQUIRE(q.empty());
    REQUIRE(q.bitmap().raw() == 0);
    REQUIRE_FALSE(a.linked);
}

TEST_CASE("leveled queue: a level's bit is set exactly while it holds something", "[leveled][lab]") {
    Item a(1), b(2);
    Queues q;
    q.push_back(a, level(7));
    q.push_back(b, level(7));
    REQUIRE(q.bitmap().test(level(7)));
    REQUIRE(q.pop_most_urgent()->id == 1);
    REQUIRE(q.bitmap().test(level(7)));  // b is still there
    REQUIRE(q.pop_most_urgent()->id == 2);
    REQUIRE_FALSE(q.bitmap().test(level(7)));
}

TEST_CASE("leveled queue: remove from the middle keeps the order and the bitmap", "[leveled][lab]") {
    Item a(1), b(2), c(3), d(4);
    Queues q;
    q.push_back(a, level(5));
    q.push_back(b, level(5));
    q.push_back(c, level(5));
    q.push_back(d, level(9));
    q.remove(b, level(5));
    REQUIRE_FALSE(b.linked);
    REQUIRE(q.bitmap().test(level(5)));
    q.remove(d, level(9));
    REQUIRE_FALSE(q.bitmap().test(level(9)));  // its only item left
    REQUIRE(drain(q) == std::vector<int>{1, 3});
}

TEST_CASE("leveled queue: push_front puts an item first in its level", "[leveled]") {
    Item a(1), b(2);
    Queues q;
    q.push_back(a, level(2));
    q.push_front(b, level(2));
    REQUIRE(drain(q) == std::vector<int>{2, 1});
}

TEST_CASE("leveled queue: a bar keeps less urgent items in", "[leveled]") {
    Item a(1);
    Queues q;
    q.push_back(a, level(20));
    REQUIRE(q.pop_most_urgent_up_to(level(19)) == nullptr);
    REQUIRE(q.pop_most_urgent_up_to(level(20)) == &a);
}

TEST_CASE("leveled queue: a marked level stays marked until its list is empty", "[leveled]") {
    Item a(1);
    Queues q;
    q.mark(level(4));  // what the executor's handoff slot does
    REQUIRE(q.most_urgent() == level(4));
    REQUIRE(q.level_empty(level(4)));
    q.push_back(a, level(4));
    q.unmark_if_empty(level(4));
    REQUIRE(q.bitmap().test(level(4)));  // a is there
    q.remove(a, level(4));
    REQUIRE_FALSE(q.bitmap().test(level(4)));
}

TEST_CASE("leveled queue: unlink_all leaves nothing linked", "[leveled]") {
    Item a(1), b(2);
    Queues q;
    q.push_back(a, level(1));
    q.push_back(b, level(60));
    q.unlink_all();
    REQUIRE(q.empty());
    REQUIRE_FALSE(a.linked);
    REQUIRE_FALSE(b.linked);
}
