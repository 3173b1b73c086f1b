// Process-wide allocation counters for Celer's memory profiler.
//
// This target replaces the C allocation functions (malloc, free, calloc,
// realloc, posix_memalign, aligned_alloc, memalign, valloc, pvalloc) of any
// binary it is linked into with thin wrappers around glibc's own allocator
// (__libc_malloc & co., the documented way to replace malloc on glibc).
// While counting is off a wrapper costs one relaxed atomic load; while it is
// on, it adds the block's usable size (malloc_usable_size) to the counters.
#ifndef CELER_MALLOC_COUNTER_H
#define CELER_MALLOC_COUNTER_H
#include <stdint.h>

typedef struct {
    /// Bytes handed out and given back since the last reset (usable sizes).
    int64_t allocatedBytes;
    int64_t freedBytes;
    /// Number of allocations and frees since the last reset.
    int64_t allocations;
    int64_t frees;
    /// allocatedBytes - freedBytes: negative when older blocks were freed.
    int64_t currentBytes;
    /// The highest currentBytes since the last peak reset.
    int64_t peakBytes;
} celer_malloc_stats;

/// 1 when the allocator of this binary is the counting one (always, on glibc).
int celer_malloc_counter_installed(void);
/// Asks for counting (on = 1) or gives the request back (on = 0). Requests
/// nest: counting is on while any is held (relaxed; for later calls).
void celer_malloc_counter_enable(int on);
int celer_malloc_counter_enabled(void);
/// Leaves the calling thread's allocations out of the counts (or back in).
void celer_malloc_counter_ignore_this_thread(int ignore);
/// Zeroes every counter.
void celer_malloc_counter_reset(void);
/// A snapshot of the counters (each read atomically; the set is not a
/// consistent cut while other threads allocate).
celer_malloc_stats celer_malloc_counter_stats(void);
/// Sets the peak to the current level and returns the peak it replaces,
/// so nested measurements can each see their own high-water mark.
int64_t celer_malloc_counter_reset_peak(void);
/// Raises the peak to at least `value` (restores an outer high-water mark).
void celer_malloc_counter_raise_peak(int64_t value);
/// The current level, the peak, and the bytes allocated/freed so far
/// (cheap reads for span boundaries).
int64_t celer_malloc_counter_current(void);
int64_t celer_malloc_counter_peak(void);
int64_t celer_malloc_counter_allocated(void);
int64_t celer_malloc_counter_freed(void);
/// The same counters for the calling thread alone: what it allocated and
/// freed while counting was on (never reset; measure differences).
int64_t celer_malloc_counter_thread_current(void);
int64_t celer_malloc_counter_thread_peak(void);
int64_t celer_malloc_counter_thread_allocated(void);
int64_t celer_malloc_counter_thread_freed(void);
int64_t celer_malloc_counter_thread_reset_peak(void);
void celer_malloc_counter_thread_raise_peak(int64_t value);
/// Counts calls made through this target's wrappers, even while counting
/// is off, when probing is on: proves that interposition works.
void celer_malloc_counter_probe(int on);
int64_t celer_malloc_counter_probe_hits(void);

/// Makes this process the reaper of its orphaned descendants
/// (PR_SET_CHILD_SUBREAPER), so it can wait4 for a grandchild whose parent
/// has exited. prctl is variadic, which Swift cannot call. Returns 0 on success.
int celer_become_subreaper(void);

/// A cheap, monotonic tick counter for span timing: the time-stamp counter
/// on x86-64 (ticks at a constant rate where the CPU has constant_tsc),
/// CLOCK_MONOTONIC nanoseconds elsewhere. Static inline, so Swift inlines it.
#if defined(__x86_64__)
static inline uint64_t celer_ticks(void) { return __builtin_ia32_rdtsc(); }
static inline int celer_ticks_are_tsc(void) { return 1; }
#else
#include <time.h>
static inline uint64_t celer_ticks(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}
static inline int celer_ticks_are_tsc(void) { return 0; }
#endif
#endif
