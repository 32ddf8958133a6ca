/// @file intrusive_list.hpp
/// @brief A doubly linked FIFO whose links live inside the elements: no allocation to queue.
///
/// An element joins a list by deriving from ListHook<Tag>; a distinct Tag per list
/// lets one element sit in several lists at once. The list converts a hook back to
/// its element with a static_cast, which is exact for a base class.
///
/// Misuse is caught, not left to corrupt the list (COPS_VERIFY): pushing an element that
/// is already linked, removing one that is not, and destroying one that is still linked
/// (its neighbours would point into freed memory), and destroying a list that still holds
/// elements each stop with a message.
#pragma once

#include <cstddef>

#include "cops/lib/verify.hpp"

namespace cops::lib {

/// The links an element inherits to sit in one IntrusiveList<T, Tag> at a time.
template <class Tag = void>
struct ListHook {
    ListHook* prev = nullptr;  ///< previous element, or nullptr at the head
    ListHook* next = nullptr;  ///< next element, or nullptr at the tail
    bool linked = false;       ///< true while the element is in a list

    ListHook() = default;
    /// Links are not copied: a copy starts outside every list.
    ListHook(const ListHook&) {}
    /// Links are not copied: assigning leaves this element where it is.
    ListHook& operator=(const ListHook&) { return *this; }
    /// An element must leave its list before it is destroyed.
    ~ListHook() { COPS_VERIFY(!linked, "an element was destroyed while still in an intrusive list"); }
};

/// FIFO of T (which derives from ListHook<Tag>). push_back, push_front, pop_front and
/// remove are O(1) and never allocate.
template <class T, class Tag = void>
class IntrusiveList {
public:
    /// The hook type elements derive from.
    using Hook = ListHook<Tag>;

    IntrusiveList() = default;
    IntrusiveList(const IntrusiveList&) = delete;
    IntrusiveList& operator=(const IntrusiveList&) = delete;
    /// A list must be empty when it is destroyed: its elements would still point into it.
    ~IntrusiveList() { COPS_VERIFY(head_ == nullptr, "a list was destroyed while elements were still in it"); }

    /// True when the list holds no element.
    bool empty() const { return head_ == nullptr; }
    /// Number of elements (kept as a counter; O(1)).
    std::size_t size() const { return size_; }

    /// Appends @p item at the tail. The item must not be in a list of this Tag.
    void push_back(T& item) {
        Hook& n = item;
        COPS_VERIFY(!n.linked, "push_back: the element is already in a list");
        // LAB(ch1): append n at the tail of the doubly linked list
        n.prev = tail_;
        n.next = nullptr;
        if (tail_ != nullptr) {
            tail_->next = &n;
        } else {
            head_ = &n;
        }
        tail_ = &n;
        n.linked = true;
        ++size_;
        // LAB-STUB: (void)n;
        // END-LAB
    }

    /// Inserts @p item at the head. The item must not be in a list of this Tag.
    void push_front(T& item) {
        Hook& n = item;
        COPS_VERIFY(!n.linked, "push_front: the element is already in a list");
        n.prev = nullptr;
        n.next = head_;
        if (head_ != nullptr) {
            head_->prev = &n;
        } else {
            tail_ = &n;
        }
        head_ = &n;
        n.linked = true;
        ++size_;
    }

    /// Removes and returns the head, or nullptr when empty.
    T* pop_front() {
        // LAB(ch1): unlink and return the element at the head
        Hook* n = head_;
        if (n == nullptr) {
            return nullptr;
        }
        head_ = n->next;
        if (head_ != nullptr) {
            head_->prev = nullptr;
        } else {
            tail_ = nullptr;
        }
        n->next = nullptr;
        n->linked = false;
        --size_;
        return static_cast<T*>(n);
        // LAB-STUB: return nullptr;
        // END-LAB
    }

    /// Unlinks @p item from anywhere in this list. The item must be in this list.
    void remove(T& item) {
        Hook& n = item;
        COPS_VERIFY(n.linked, "remove: the element is not in a list");
        if (n.prev != nullptr) {
            n.prev->next = n.next;
        } else {
            head_ = n.next;
        }
        if (n.next != nullptr) {
            n.next->prev = n.prev;
        } else {
            tail_ = n.prev;
        }
        n.prev = n.next = nullptr;
        n.linked = false;
        --size_;
    }

    /// The head without removing it, or nullptr.
    T* front() const { return head_ ? static_cast<T*>(head_) : nullptr; }

    /// Calls @p fn(T&) for each element from head to tail.
    template <class Fn>
    void for_each(Fn&& fn) const {
        for (Hook* n = head_; n != nullptr; n = n->next) {
            fn(*static_cast<T*>(n));
        }
    }

private:
    Hook* head_ = nullptr;
    Hook* tail_ = nullptr;
    std::size_t size_ = 0;
};

}  // namespace cops::lib
