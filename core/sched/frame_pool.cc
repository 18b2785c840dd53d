// SPDX-License-Identifier: GPL-2.0
#include <array>
#include <new>

#include "core/base/types.h"
#include "core/sched/task.h"

namespace gf {
namespace {
constexpr std::size_t kGrain = 64;
constexpr std::size_t kClasses = 128;  // frames up to 8 KiB

struct FreeNode { FreeNode* next; };

// Per thread: each fuzzing or stress thread reuses its own frames; nothing in
// here carries meaning from one execution to the next.
struct Pool {
  std::array<FreeNode*, kClasses> head{};
  ~Pool() {
    for (auto* h : head)
      while (h) {
        FreeNode* n = h->next;
        ::operator delete(h);
        h = n;
      }
  }
};
thread_local Pool pool;
}  // namespace

GF_NO_COVERAGE void* FramePool::alloc(std::size_t n) {
  const std::size_t c = (n + kGrain - 1) / kGrain;
  if (c >= kClasses) return ::operator new(n);
  if (FreeNode* f = pool.head[c]) {
    pool.head[c] = f->next;
    return f;
  }
  return ::operator new(c * kGrain);
}

GF_NO_COVERAGE void FramePool::release(void* p, std::size_t n) noexcept {
  const std::size_t c = (n + kGrain - 1) / kGrain;
  if (c >= kClasses) {
    ::operator delete(p);
    return;
  }
  auto* f = static_cast<FreeNode*>(p);
  f->next = pool.head[c];
  pool.head[c] = f;
}

}  // namespace gf
