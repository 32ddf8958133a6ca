/// @file intrusive_list.hpp
/// @brief A doubly linked FIFO whose links live inside the elements: no allocation to queue.
///
/// An element joins a list by deriving from ListHook<Tag>; a distinct Tag per list
/// lets one element sit in several lists at once. The list converts a hook back to
/// its element with a static_cast, which is exact for a base class.
#pragma once

#include <cstddef>

namespace cops::lib {

/// The links an element inherits to sit in one IntrusiveList<T, Tag> at a time.
template <class Tag = void>
struct ListHook {
    ListHook* prev = nullptr;  ///< previous element, or nullptr at the head
    ListHook* next = nullptr;  ///< next element, or nullptr at the tail
    bool linked = false;       ///< true while the element is in a list
};

/// FIFO of T (which derives from ListHook<Tag>). push_back, push_front, pop_front and
/// remove are O(1) and never allocate.
template <class T, class Tag = void>
class IntrusiveList {
public:
    /// The hook type elements derive from.
    using Hook = ListHook<Tag>;

    /// True when the list holds no element.
    bool empty() const { return head_ == nullptr; }
    /// Number of elements (kept as a counter; O(1)).
    std::size_t size() const { return size_; }

    /// Appends @p item at the tail. The item must not be in a list of this Tag.
    void push_back(T& item) {
        Hook& n = item;
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
