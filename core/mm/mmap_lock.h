// SPDX-License-Identifier: GPL-2.0
//
// include/linux/mmap_lock.h (6.12): mmap_read_lock() / mmap_write_lock() and
// their unlocks, over kernel/locking/rwsem.c's down_read() / down_write(),
// modelled as an rw_semaphore cell: >0 readers, -1 a writer.  Members of Ops<A>.
#pragma once

#include "core/mm/ops.h"

namespace gf {

// down_read(): wait while a writer holds it, then add a reader.
// Context: process context, may sleep (here: spins on the cell).
template <class A>
Task<void> Ops<A>::down_read(Cell<int32_t>& sem) {
  int32_t v = co_await load(sem);
  for (;;) {
    if (v < 0) {
      v = co_await load(sem);
      continue;
    }
    int32_t found = co_await cmpxchg(sem, v, v + 1);
    if (found == v) break;
    v = found;
  }
}

// down_write(): take it from 0 (no reader, no writer) to -1.
// Context: process context, may sleep (here: spins on the cell).
template <class A>
Task<void> Ops<A>::down_write(Cell<int32_t>& sem) {
  for (;;) {
    const int32_t found = co_await cmpxchg(sem, 0, -1);
    if (found == 0) break;
  }
}

// Context: process context; takes mmap_lock for read.
template <class A>
Task<void> Ops<A>::mmap_read_lock(Machine& m) {
  co_await down_read(m.mmap_lock);
}

// Context: mmap_lock held for read; releases it.
template <class A>
Task<void> Ops<A>::mmap_read_unlock(Machine& m) {
  co_await fetch_add(m.mmap_lock, -1);
}

// Context: process context; takes mmap_lock for write.
template <class A>
Task<void> Ops<A>::mmap_write_lock(Machine& m) {
  co_await down_write(m.mmap_lock);
}

// Context: mmap_lock held for write; releases it.
template <class A>
Task<void> Ops<A>::mmap_write_unlock(Machine& m) {
  co_await store(m.mmap_lock, 0);
}

}  // namespace gf
