// The sampling profiler's signal-time half, in C because a signal handler
// must not touch anything Swift's runtime may be using (locks, lazy globals,
// reference counts, exclusivity checks).
//
// Per thread, a POSIX timer on that thread's CPU-time clock sends SIGPROF to
// that thread (SIGEV_THREAD_ID), so each thread is sampled in proportion to
// the CPU it uses, with no privileges. A scanner thread arms timers for new
// threads (it lists /proc/self/task every 10 ms); `celer_sampler_register_
// current_thread` arms one at once (the LD_PRELOAD library's pthread_create
// wrapper calls it). The handler records the interrupted PC and the return
// addresses found by walking frame pointers (each frame pointer checked to
// lie inside the thread's stack, above the interrupted SP, and to increase)
// into a preallocated buffer, reserving its slot with one atomic add: no
// locks, no allocation. Return addresses are stored minus 1 so that they
// symbolise to the call instruction, not the line after it.
//
// The kernel checks CPU-time timers on its scheduler tick (HZ; 250 on
// Debian's kernels), so a thread gets at most HZ signals a second; each
// sample carries its weight, 1 + the timer's overrun count, so the time it
// stands for stays right at any requested rate.
#ifndef CELER_SAMPLER_H
#define CELER_SAMPLER_H
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/// Starts sampling every thread of the process at `hz` samples per CPU
/// second (1...10000). Returns 0, or an errno value (EALREADY when running,
/// EINVAL for a bad rate, or what sigaction/mmap/timer_create reported).
int celer_sampler_start(int hz);

/// Stops sampling: disarms every timer and waits until no handler is
/// running, so the buffer is complete. Returns 0 (or EALREADY if stopped).
int celer_sampler_stop(void);

/// Whether the sampler is running.
int celer_sampler_running(void);

/// Arms a timer for the calling thread now (threads are found anyway by
/// the scanner, within 10 ms of their start).
void celer_sampler_register_current_thread(void);

/// The label attached to the calling thread's samples (0: none). The span
/// profiler stores its current span here.
void celer_sampler_set_label(uint64_t label);
uint64_t celer_sampler_get_label(void);

/// Samples recorded, samples dropped (buffer full), since the last start.
uint64_t celer_sampler_sample_count(void);
uint64_t celer_sampler_dropped(void);

/// Writes what was sampled since the last start, with the loaded modules
/// (dl_iterate_phdr: path, load bias, build id, executable segments) and
/// the threads' names, as the "celer-lprof-raw 1" text (see
/// docs/profiling.md), to `path` through a temporary file and a rename.
/// Call after `celer_sampler_stop`. Returns 0 or an errno value.
int celer_sampler_write_raw(const char *path);

#ifdef __cplusplus
}
#endif
#endif
