// SPDX-License-Identifier: GPL-2.0
//
// Task<T>: the coroutine type every model operation is written in.
//
// A Task starts suspended and runs when awaited (symmetric transfer), so an
// operation can call helpers that are themselves coroutines (ptep_get on a
// contpte block is 16 scheduling points) and the simulated CPU always resumes
// the innermost suspended frame.  Frames come from a per-thread pool of size
// classes, so a fuzz execution does no malloc for its coroutines once warm.
#pragma once

#include <coroutine>
#include <cstddef>
#include <cstdlib>
#include <exception>
#include <new>
#include <utility>

namespace gf {

// Fixed size classes of 64 bytes, up to 8 KiB; bigger frames use operator new.
class FramePool {
 public:
  static void* alloc(std::size_t n);
  static void release(void* p, std::size_t n) noexcept;
};

namespace detail {
struct PromiseBase {
  std::coroutine_handle<> continuation;

  static void* operator new(std::size_t n) { return FramePool::alloc(n); }
  static void operator delete(void* p, std::size_t n) noexcept { FramePool::release(p, n); }

  std::suspend_always initial_suspend() noexcept { return {}; }
  void unhandled_exception() noexcept { std::terminate(); }

  struct FinalAwaiter {
    bool await_ready() noexcept { return false; }
    template <class P>
    std::coroutine_handle<> await_suspend(std::coroutine_handle<P> h) noexcept {
      auto c = h.promise().continuation;
      return c ? c : std::noop_coroutine();
    }
    void await_resume() noexcept {}
  };
  FinalAwaiter final_suspend() noexcept { return {}; }
};
}  // namespace detail

template <class T = void>
class Task;

template <class T>
class [[nodiscard]] Task {
 public:
  struct promise_type : detail::PromiseBase {
    T value{};
    Task get_return_object() { return Task(std::coroutine_handle<promise_type>::from_promise(*this)); }
    void return_value(T v) { value = std::move(v); }
  };
  using handle_type = std::coroutine_handle<promise_type>;

  Task(Task&& o) noexcept : h_(std::exchange(o.h_, {})) {}
  Task& operator=(Task&&) = delete;
  ~Task() { if (h_) h_.destroy(); }

  bool await_ready() const noexcept { return false; }
  std::coroutine_handle<> await_suspend(std::coroutine_handle<> parent) noexcept {
    h_.promise().continuation = parent;
    return h_;
  }
  T await_resume() { return std::move(h_.promise().value); }

  handle_type handle() const { return h_; }

 private:
  explicit Task(handle_type h) : h_(h) {}
  handle_type h_;
};

template <>
class [[nodiscard]] Task<void> {
 public:
  struct promise_type : detail::PromiseBase {
    Task get_return_object() { return Task(std::coroutine_handle<promise_type>::from_promise(*this)); }
    void return_void() noexcept {}
  };
  using handle_type = std::coroutine_handle<promise_type>;

  Task(Task&& o) noexcept : h_(std::exchange(o.h_, {})) {}
  Task& operator=(Task&&) = delete;
  ~Task() { if (h_) h_.destroy(); }

  bool await_ready() const noexcept { return false; }
  std::coroutine_handle<> await_suspend(std::coroutine_handle<> parent) noexcept {
    h_.promise().continuation = parent;
    return h_;
  }
  void await_resume() noexcept {}

  handle_type handle() const { return h_; }

 private:
  explicit Task(handle_type h) : h_(h) {}
  handle_type h_;
};

}  // namespace gf
