// See include/CelerMallocCounter.h. glibc exports its allocator under the
// __libc_* names, so the wrappers need no dlsym (which itself allocates).
#define _GNU_SOURCE 1
#include "CelerMallocCounter.h"
#include <errno.h>
#include <malloc.h>
#include <stdatomic.h>
#include <stddef.h>
#include <sys/prctl.h>

extern void *__libc_malloc(size_t);
extern void __libc_free(void *);
extern void *__libc_calloc(size_t, size_t);
extern void *__libc_realloc(void *, size_t);
extern void *__libc_memalign(size_t, size_t);
extern void *__libc_valloc(size_t);
extern void *__libc_pvalloc(size_t);

#define EXPORT __attribute__((visibility("default"), used))

static _Atomic int enabled;
// Threads that measure (the memory sampler) keep their own allocations out.
static _Thread_local int ignored_thread;
// The same counts for the calling thread alone (blocks it allocated or freed).
static _Thread_local int64_t t_allocated, t_freed, t_current, t_peak;
static _Atomic int probing;
static _Atomic int64_t probe_hits;
static _Atomic int64_t allocated_bytes, freed_bytes, allocations, frees, current_bytes, peak_bytes;

static inline void raise_peak(int64_t value) {
    int64_t peak = atomic_load_explicit(&peak_bytes, memory_order_relaxed);
    while (value > peak &&
           !atomic_compare_exchange_weak_explicit(&peak_bytes, &peak, value,
                                                  memory_order_relaxed, memory_order_relaxed)) {}
}

static inline void note_alloc(void *p) {
    if (atomic_load_explicit(&probing, memory_order_relaxed))
        atomic_fetch_add_explicit(&probe_hits, 1, memory_order_relaxed);
    if (!p || !atomic_load_explicit(&enabled, memory_order_relaxed) || ignored_thread) return;
    int64_t size = (int64_t)malloc_usable_size(p);
    atomic_fetch_add_explicit(&allocated_bytes, size, memory_order_relaxed);
    atomic_fetch_add_explicit(&allocations, 1, memory_order_relaxed);
    int64_t now = atomic_fetch_add_explicit(&current_bytes, size, memory_order_relaxed) + size;
    raise_peak(now);
    t_allocated += size;
    t_current += size;
    if (t_current > t_peak) t_peak = t_current;
}

static inline void note_free(void *p) {
    if (!p || !atomic_load_explicit(&enabled, memory_order_relaxed) || ignored_thread) return;
    int64_t size = (int64_t)malloc_usable_size(p);
    atomic_fetch_add_explicit(&freed_bytes, size, memory_order_relaxed);
    atomic_fetch_add_explicit(&frees, 1, memory_order_relaxed);
    atomic_fetch_sub_explicit(&current_bytes, size, memory_order_relaxed);
    t_freed += size;
    t_current -= size;
}

// Under a sanitizer (swift test --sanitize=thread|address) the sanitizer's
// runtime owns malloc: replacing it too would crash at start-up, so the
// wrappers are left out and counting reports itself as not installed.
#if defined(__has_feature)
#  if __has_feature(thread_sanitizer) || __has_feature(address_sanitizer)
#    define CELER_SANITIZED 1
#  endif
#endif
#if defined(__SANITIZE_THREAD__) || defined(__SANITIZE_ADDRESS__)
#  define CELER_SANITIZED 1
#endif

#ifndef CELER_SANITIZED
EXPORT void *malloc(size_t size) {
    void *p = __libc_malloc(size);
    note_alloc(p);
    return p;
}

EXPORT void free(void *p) {
    note_free(p);
    __libc_free(p);
}

EXPORT void *calloc(size_t n, size_t size) {
    void *p = __libc_calloc(n, size);
    note_alloc(p);
    return p;
}

EXPORT void *realloc(void *old, size_t size) {
    // Counted as a free of the old block and an allocation of the new one.
    int on = atomic_load_explicit(&enabled, memory_order_relaxed) && !ignored_thread;
    int64_t oldSize = (on && old) ? (int64_t)malloc_usable_size(old) : 0;
    void *p = __libc_realloc(old, size);
    if (on && (p || size == 0) && old) {
        atomic_fetch_add_explicit(&freed_bytes, oldSize, memory_order_relaxed);
        atomic_fetch_add_explicit(&frees, 1, memory_order_relaxed);
        atomic_fetch_sub_explicit(&current_bytes, oldSize, memory_order_relaxed);
        t_freed += oldSize;
        t_current -= oldSize;
    }
    note_alloc(p);
    return p;
}

EXPORT void *memalign(size_t alignment, size_t size) {
    void *p = __libc_memalign(alignment, size);
    note_alloc(p);
    return p;
}

EXPORT void *aligned_alloc(size_t alignment, size_t size) {
    void *p = __libc_memalign(alignment, size);
    note_alloc(p);
    return p;
}

EXPORT int posix_memalign(void **out, size_t alignment, size_t size) {
    if (alignment % sizeof(void *) != 0 || (alignment & (alignment - 1)) != 0 || alignment == 0)
        return EINVAL;
    void *p = __libc_memalign(alignment, size);
    if (!p) return ENOMEM;
    note_alloc(p);
    *out = p;
    return 0;
}

EXPORT void *valloc(size_t size) {
    void *p = __libc_valloc(size);
    note_alloc(p);
    return p;
}

EXPORT void *pvalloc(size_t size) {
    void *p = __libc_pvalloc(size);
    note_alloc(p);
    return p;
}

#endif  // CELER_SANITIZED

#ifdef CELER_SANITIZED
int celer_malloc_counter_installed(void) { return 0; }
#else
int celer_malloc_counter_installed(void) { return 1; }
#endif
void celer_malloc_counter_ignore_this_thread(int ignore) { ignored_thread = ignore; }
// `enabled` counts the measurements that want counting, so they can nest.
void celer_malloc_counter_enable(int on) {
    if (on) { atomic_fetch_add_explicit(&enabled, 1, memory_order_relaxed); return; }
    int n = atomic_load_explicit(&enabled, memory_order_relaxed);
    while (n > 0 && !atomic_compare_exchange_weak_explicit(&enabled, &n, n - 1,
                                                          memory_order_relaxed, memory_order_relaxed)) {}
}
int celer_malloc_counter_enabled(void) { return atomic_load_explicit(&enabled, memory_order_relaxed) > 0; }

void celer_malloc_counter_reset(void) {
    atomic_store_explicit(&allocated_bytes, 0, memory_order_relaxed);
    atomic_store_explicit(&freed_bytes, 0, memory_order_relaxed);
    atomic_store_explicit(&allocations, 0, memory_order_relaxed);
    atomic_store_explicit(&frees, 0, memory_order_relaxed);
    atomic_store_explicit(&current_bytes, 0, memory_order_relaxed);
    atomic_store_explicit(&peak_bytes, 0, memory_order_relaxed);
}

celer_malloc_stats celer_malloc_counter_stats(void) {
    celer_malloc_stats s;
    s.allocatedBytes = atomic_load_explicit(&allocated_bytes, memory_order_relaxed);
    s.freedBytes = atomic_load_explicit(&freed_bytes, memory_order_relaxed);
    s.allocations = atomic_load_explicit(&allocations, memory_order_relaxed);
    s.frees = atomic_load_explicit(&frees, memory_order_relaxed);
    s.currentBytes = atomic_load_explicit(&current_bytes, memory_order_relaxed);
    s.peakBytes = atomic_load_explicit(&peak_bytes, memory_order_relaxed);
    return s;
}

int64_t celer_malloc_counter_reset_peak(void) {
    int64_t now = atomic_load_explicit(&current_bytes, memory_order_relaxed);
    return atomic_exchange_explicit(&peak_bytes, now, memory_order_relaxed);
}

void celer_malloc_counter_raise_peak(int64_t value) { raise_peak(value); }
int64_t celer_malloc_counter_current(void) { return atomic_load_explicit(&current_bytes, memory_order_relaxed); }
int64_t celer_malloc_counter_peak(void) { return atomic_load_explicit(&peak_bytes, memory_order_relaxed); }
int64_t celer_malloc_counter_allocated(void) { return atomic_load_explicit(&allocated_bytes, memory_order_relaxed); }
int64_t celer_malloc_counter_freed(void) { return atomic_load_explicit(&freed_bytes, memory_order_relaxed); }
void celer_malloc_counter_probe(int on) { atomic_store_explicit(&probing, on ? 1 : 0, memory_order_relaxed); }
int64_t celer_malloc_counter_probe_hits(void) { return atomic_load_explicit(&probe_hits, memory_order_relaxed); }

int celer_become_subreaper(void) { return prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0); }

int64_t celer_malloc_counter_thread_current(void) { return t_current; }
int64_t celer_malloc_counter_thread_peak(void) { return t_peak; }
int64_t celer_malloc_counter_thread_allocated(void) { return t_allocated; }
int64_t celer_malloc_counter_thread_freed(void) { return t_freed; }
int64_t celer_malloc_counter_thread_reset_peak(void) {
    int64_t old = t_peak;
    t_peak = t_current;
    return old;
}
void celer_malloc_counter_thread_raise_peak(int64_t value) { if (value > t_peak) t_peak = value; }
