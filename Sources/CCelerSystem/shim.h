// GNU extensions that Swift's Glibc module hides: CPU affinity, mallinfo2,
// dladdr, the interrupted program counter in a signal's ucontext.
// Header-only (static inline), so nothing is compiled.
#ifndef CELER_CSYSTEM_SHIM_H
#define CELER_CSYSTEM_SHIM_H
#ifndef _GNU_SOURCE
#define _GNU_SOURCE 1
#endif
#include <malloc.h>
#include <dlfcn.h>
#include <sched.h>
#include <signal.h>
#include <ucontext.h>
#include <unistd.h>
#include <sys/syscall.h>
#include <sys/mman.h>

/// Number of CPUs this process may run on (its affinity mask), or -1.
static inline int celer_affinity_cpu_count(void) {
    cpu_set_t set;
    CPU_ZERO(&set);
    if (sched_getaffinity(0, sizeof(set), &set) != 0) return -1;
    return CPU_COUNT(&set);
}

/// The kernel thread id of the calling thread.
static inline long celer_gettid(void) { return syscall(SYS_gettid); }

#if defined(__x86_64__)
/// The program counter of an interrupted context (signal handlers).
static inline unsigned long celer_ucontext_pc(void *uc) {
    return (unsigned long)((ucontext_t *)uc)->uc_mcontext.gregs[REG_RIP];
}
#elif defined(__aarch64__)
static inline unsigned long celer_ucontext_pc(void *uc) {
    return (unsigned long)((ucontext_t *)uc)->uc_mcontext.pc;
}
#endif
#endif
