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
// Per thread: each fuzzing or stress thread reuses its own frames; nothing in
// the pool carries meaning from one execution to the next.  alloc() stays out
// of line and out of the coverage feedback (whether the pool had a frame
// depends on earlier executions, not on this input); release() is inline —
// a frame's size is a constant where it is freed, so is its class.
class FramePool {
 public:
  static constexpr std::size_t kGrain = 64;
  static constexpr std::size_t kClasses = 128;  // frames up to 8 KiB
  struct FreeNode { FreeNode* next; };

  static void* alloc(std::size_t n);
  static void release(void* p, std::size_t n) noexcept {
    const std::size_t c = (n + kGrain - 1) / kGrain;
    if (c >= kClasses) return ::operator delete(p);
    auto* f = static_cast<FreeNode*>(p);
    f->next = head_[c];
    head_[c] = f;
  }

 private:
  friend struct PoolReaper;
  // Constant-initialised, so reaching it needs no guard on the hot path.
  static inline thread_local FreeNode* head_[kClasses] = {};
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

namespace detail {
// The promise of a Task<T>: the value, or nothing for Task<void>.
template <class T>
struct Promise : PromiseBase {
  T value{};
  Task<T> get_return_object();
  void return_value(T v) { value = std::move(v); }
};
template <>
struct Promise<void> : PromiseBase {
  Task<void> get_return_object();
  void return_void() noexcept {}
};

// What every Task shares: it owns its frame, and awaiting it runs it with
// the awaiting frame as its continuation (symmetric transfer).
template <class T>
class TaskBase {
 public:
  using promise_type = Promise<T>;
  using handle_type = std::coroutine_handle<promise_type>;

  TaskBase(TaskBase&& o) noexcept : h_(std::exchange(o.h_, {})) {}
  TaskBase& operator=(TaskBase&&) = delete;
  ~TaskBase() { if (h_) h_.destroy(); }

  bool await_ready() const noexcept { return false; }
  std::coroutine_handle<> await_suspend(std::coroutine_handle<> parent) noexcept {
    h_.promise().continuation = parent;
    return h_;
  }

  handle_type handle() const { return h_; }

 protected:
  explicit TaskBase(handle_type h) : h_(h) {}
  handle_type h_;
};
}  // namespace detail

template <class T>
class [[nodiscard]] Task : public detail::TaskBase<T> {
 public:
  T await_resume() { return std::move(this->h_.promise().value); }

 private:
  friend struct detail::Promise<T>;
  using detail::TaskBase<T>::TaskBase;
};

template <>
class [[nodiscard]] Task<void> : public detail::TaskBase<void> {
 public:
  void await_resume() noexcept {}

 private:
  friend struct detail::Promise<void>;
  using detail::TaskBase<void>::TaskBase;
};

namespace detail {
template <class T>
Task<T> Promise<T>::get_return_object() {
  return Task<T>(std::coroutine_handle<Promise<T>>::from_promise(*this));
}
inline Task<void> Promise<void>::get_return_object() {
  return Task<void>(std::coroutine_handle<Promise<void>>::from_promise(*this));
}
}  // namespace detail

}  // namespace gf
