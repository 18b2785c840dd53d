// SPDX-License-Identifier: GPL-2.0
#include <new>

#include "core/base/types.h"
#include "core/sched/task.h"

namespace gf {
// Frees this thread's pooled frames when the thread ends.  Constructed by the
// thread's first allocation: every frame of the pool was allocated after it.
struct PoolReaper {
  ~PoolReaper() {
    for (FramePool::FreeNode*& h : FramePool::head_)
      while (FramePool::FreeNode* f = h) {
        h = f->next;
        ::operator delete(f);
      }
  }
};

GF_NO_COVERAGE void* FramePool::alloc(std::size_t n) {
  const std::size_t c = (n + kGrain - 1) / kGrain;
  if (c >= kClasses) return ::operator new(n);
  if (FreeNode* f = head_[c]) {
    head_[c] = f->next;
    return f;
  }
  static thread_local PoolReaper reaper;
  (void)reaper;
  return ::operator new(c * kGrain);
}

}  // namespace gf
