// SPDX-License-Identifier: GPL-2.0
//
// Cell<T>: the one type for state that simulated CPUs share.
//
// Every PTE, PMD, refcount, pincount, IRQ flag, sequence count and lock in the
// model is a Cell, and every access to one is `co_await`ed: the await is the
// scheduling point (another CPU may run before the access happens) and the
// access itself is performed atomically when the CPU is resumed.  After the
// access, the execution's observer sees it (step counter, PTE history for the
// oracles, the trace), with the model line that made it.
//
// Under the deterministic scheduler each await suspends; under real threads
// (ExecCtx::threaded, the stress program) the await does not suspend and the
// std::atomic is the only synchronisation, as in the kernel.
#pragma once

#include <atomic>
#include <coroutine>
#include <cstdint>
#include <cstring>
#include <mutex>

#include "core/base/types.h"

namespace gf {

// A cell's tag is (kind << 24) | index; the kinds belong to whoever owns the
// cells (the machine: core/mm/cells.def).  The scheduler only passes it on.
constexpr uint32_t tag_kind_bits(uint32_t tag) { return tag >> 24; }

// plain: a C load that is not READ_ONCE (`*ptep`).  The scheduler runs it as a
// load that stays "in flight" until the CPU's next access (a data race if
// another CPU writes the cell meanwhile); real threads really do a plain load,
// for ThreadSanitizer to see.
// store_part: a store of the bits under a mask, the rest kept (one 32-bit
// half of a 64-bit PAE entry: WRITE_ONCE(ptep->pte_high, ...)).
enum class Acc : uint8_t { load, store, xchg, cmpxchg, add, fetch_and, plain, store_part };
// "load", "cmpxchg", "plain load", ...
constexpr const char* access_name(Acc a) {
  constexpr const char* names[] = {"load", "store", "xchg", "cmpxchg", "add", "fetch_and", "plain load", "store (half)"};
  return names[int(a)];
}

struct Access {
  Acc kind;
  bool ok;  // cmpxchg succeeded (true for every other kind)
  uint32_t tag;
  const void* addr;  // the cell itself (never dereferenced by observers)
  uint64_t before;
  uint64_t after;
  const char* file;
  uint32_t line;
};

// The execution a thread is currently driving (set by the scheduler or by
// the thread driver before it resumes a CPU).
struct ExecCtx {
  std::coroutine_handle<>* resume_slot = nullptr;  // innermost suspended frame of the running CPU
  void (*observe)(void* self, const Access&) = nullptr;
  void* self = nullptr;
  bool threaded = false;
  // Real threads only: the CPU this thread is, its own access count, and the
  // lock that makes a change of the cells whose kinds are in
  // serialize_kinds (bit tag_kind_bits(tag)) and its observation one event
  // (the machine: PTE and PMD changes, and the value history the oracles
  // read).  Readers never take it.
  int cpu = -1;
  uint64_t steps = 0;
  uint32_t idle = 0;  // consecutive accesses that changed nothing (spinning)
  std::mutex* change_lock = nullptr;
  uint32_t serialize_kinds = 0;
  // The scheduler's fast path (core/exec/run.cc): asked at a scheduling
  // point of the running CPU whether the strategy picks that CPU again for
  // the step; if so the step is taken there and then, without the CPU
  // suspending and the scheduler's loop resuming it.  nullptr: always suspend.
  bool (*stays)(void* self) = nullptr;
  void* stays_self = nullptr;
  // The access being observed (the scheduler's): observers see it by
  // reference and make no access of their own while they look at it.  Kept
  // here rather than on the stack, so that an access under AddressSanitizer
  // needs no stack redzones.
  Access seen{};
};
inline thread_local ExecCtx* tl_exec = nullptr;

template <class T>
struct Cell {
  std::atomic<T> v{};
  uint32_t tag = 0;

  // Unobserved access for set-up, teardown and the oracles: never from an operation.
  T peek() const { return v.load(std::memory_order_relaxed); }
  void poke(T x) { v.store(x, std::memory_order_relaxed); }
};

// Shared<T>: model bookkeeping that other CPUs read without a scheduling
// point (folio flags and mapcount, a CPU's GUP ledger, the data of a page).
// Accesses are relaxed atomics: free under the scheduler, and under real
// threads what the kernel's READ_ONCE()/WRITE_ONCE() and atomic_t give —
// no data race, and no ordering that would hide one elsewhere.
template <class T>
struct Shared {
  static_assert(std::atomic<T>::is_always_lock_free, "Shared<T> must not need libatomic");
  std::atomic<T> v{};
  Shared() = default;
  Shared(T x) : v(x) {}
  Shared(const Shared& o) : v(T(o)) {}
  operator T() const { return v.load(std::memory_order_relaxed); }
  Shared& operator=(T x) {
    v.store(x, std::memory_order_relaxed);
    return *this;
  }
  Shared& operator=(const Shared& o) { return *this = T(o); }
  T operator++() { return T(v.fetch_add(1, std::memory_order_relaxed) + 1); }
  T operator--() { return T(v.fetch_sub(1, std::memory_order_relaxed) - 1); }
  T operator++(int) { return v.fetch_add(1, std::memory_order_relaxed); }
  T operator--(int) { return v.fetch_sub(1, std::memory_order_relaxed); }
  // Keep the larger of the value and x (an atomic max, still relaxed).
  void raise_to(T x) {
    T cur = v.load(std::memory_order_relaxed);
    while (cur < x && !v.compare_exchange_weak(cur, x, std::memory_order_relaxed)) {
    }
  }
};

namespace detail {
inline bool serialized_change(Acc kind, uint32_t tag) {
  return kind != Acc::load && kind != Acc::plain && ((tl_exec->serialize_kinds >> tag_kind_bits(tag)) & 1);
}

// Real threads: the access as the kernel makes it (sequentially consistent
// atomics, a plain load really plain), then observed.  Out of line: the
// scheduler never comes here.
template <class T>
[[gnu::noinline]] T access_threaded(Cell<T>* c, Acc kind, T a, T b, const char* file, uint32_t line) {
  T before{}, after{};
  bool ok = true;
  std::unique_lock<std::mutex> g;
  if (tl_exec->change_lock && serialized_change(kind, c->tag)) g = std::unique_lock<std::mutex>(*tl_exec->change_lock);
  switch (kind) {
    case Acc::load: before = after = c->v.load(); break;
    case Acc::plain:
      static_assert(sizeof(c->v) == sizeof(T), "a Cell is its value's bytes");
      std::memcpy(&before, static_cast<const void*>(&c->v), sizeof before);  // not atomic, on purpose
      after = before;
      break;
    case Acc::store: before = c->v.exchange(a); after = a; break;
    case Acc::xchg: before = c->v.exchange(a); after = a; break;
    case Acc::cmpxchg: {
      T exp = a;
      ok = c->v.compare_exchange_strong(exp, b);
      before = exp;
      after = ok ? b : exp;
      break;
    }
    case Acc::add: before = c->v.fetch_add(a); after = T(before + a); break;
    case Acc::fetch_and: before = c->v.fetch_and(a); after = T(before & a); break;
    case Acc::store_part:  // the other half is not this store's: a CAS keeps it as it is now
      before = c->v.load();
      while (!c->v.compare_exchange_weak(before, T((before & ~b) | (a & b)))) {
      }
      after = T((before & ~b) | (a & b));
      break;
  }
  tl_exec->observe(tl_exec->self, Access{kind, ok, c->tag, c, uint64_t(before), uint64_t(after), file, line});
  return before;
}

// One access of kind K.  Under the scheduler one thread drives every CPU and
// nothing else touches the cells, so the access is a relaxed load and store:
// the values of the atomic read-modify-write without its locked instruction.
// One function per (T, K), out of line and outside the coverage feedback: an
// await adds no edge of its own to the operation awaiting it (the caller's
// edges already say which access it made and what came of it).
template <class T, Acc K>
[[gnu::always_inline]] GF_NO_COVERAGE inline T access_inline(Cell<T>* c, T a, T b, const char* file, uint32_t line) {
  ExecCtx* x = tl_exec;
  if (x->threaded) [[unlikely]]
    return access_threaded<T>(c, K, a, b, file, line);
  const T before = c->v.load(std::memory_order_relaxed);
  T after = before;
  bool ok = true;
  if constexpr (K == Acc::store || K == Acc::xchg) {
    after = a;
  } else if constexpr (K == Acc::cmpxchg) {
    ok = before == a;
    if (ok) after = b;
  } else if constexpr (K == Acc::add) {
    after = T(before + a);
  } else if constexpr (K == Acc::fetch_and) {
    after = T(before & a);
  } else if constexpr (K == Acc::store_part) {
    after = T((before & ~b) | (a & b));
  }
  if constexpr (K != Acc::load && K != Acc::plain) {
    if (ok) c->v.store(after, std::memory_order_relaxed);
  }
  x->seen = Access{K, ok, c->tag, c, uint64_t(before), uint64_t(after), file, line};
  x->observe(x->self, x->seen);
  return before;
}

template <class T, Acc K>
[[gnu::noinline]] GF_NO_COVERAGE T access(Cell<T>* c, T a, T b, const char* file, uint32_t line) {
  return access_inline<T, K>(c, a, b, file, line);
}

// Whether a scheduling point goes on at once: always under real threads,
// and under the scheduler when the strategy keeps the running CPU.  Out of
// line and outside the coverage feedback: the await adds no edge of its own.
[[gnu::noinline]] GF_NO_COVERAGE inline bool ready_now() noexcept {
  const ExecCtx* x = tl_exec;
  return x->threaded || (x->stays && x->stays(x->stays_self));
}

// The awaiter of one access of kind K.
template <class T, Acc K>
struct CellAwait {
  Cell<T>* c;
  T a, b;  // operand(s): store value / cmpxchg expected, desired / add delta / mask / store_part value, mask
  const char* file;
  uint32_t line;

  bool await_ready() const noexcept { return ready_now(); }
  void await_suspend(std::coroutine_handle<> h) const noexcept { *tl_exec->resume_slot = h; }
  // load/xchg/add/fetch_and: the old value; store: the old value too (callers
  // ignore it); cmpxchg: the value found (equal to `expected` on success).
  T await_resume() const { return access<T, K>(c, a, b, file, line); }
};
}  // namespace detail

#define GF_LOC const char* file = __builtin_FILE(), uint32_t line = __builtin_LINE()

template <class T>
detail::CellAwait<T, Acc::load> load(Cell<T>& c, GF_LOC) { return {&c, T{}, T{}, file, line}; }
template <class T, class U>
detail::CellAwait<T, Acc::store> store(Cell<T>& c, U x, GF_LOC) { return {&c, T(x), T{}, file, line}; }
template <class T, class U>
detail::CellAwait<T, Acc::xchg> xchg(Cell<T>& c, U x, GF_LOC) { return {&c, T(x), T{}, file, line}; }
// Returns the value found; the exchange happened iff it equals `expected`.
template <class T, class U, class V>
detail::CellAwait<T, Acc::cmpxchg> cmpxchg(Cell<T>& c, U expected, V desired, GF_LOC) {
  return {&c, T(expected), T(desired), file, line};
}
template <class T, class U>
detail::CellAwait<T, Acc::add> fetch_add(Cell<T>& c, U d, GF_LOC) { return {&c, T(d), T{}, file, line}; }
// The bits of x under `mask`, the others as they are (one half of a PAE entry).
template <class T, class U, class V>
detail::CellAwait<T, Acc::store_part> store_part(Cell<T>& c, U x, V mask, GF_LOC) {
  return {&c, T(x), T(mask), file, line};
}
template <class T, class U>
detail::CellAwait<T, Acc::fetch_and> fetch_and(Cell<T>& c, U m, GF_LOC) { return {&c, T(m), T{}, file, line}; }

#undef GF_LOC

}  // namespace gf
