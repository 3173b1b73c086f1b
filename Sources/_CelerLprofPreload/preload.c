// The LD_PRELOAD half of `celer lprof run`. See include/CelerLprofPreload.h.
//
// - Start: a constructor reads CELER_LPROF_OUT / CELER_LPROF_HZ and removes
//   them from the environment, so programs this one execs (which inherit
//   LD_PRELOAD) load the library but stay inactive and cannot overwrite the
//   profile.
// - Threads: pthread_create is wrapped so a new thread arms its timer before
//   running its first instruction; the sampler's scanner finds any other.
// - End: atexit, so exit() from any thread (and the return from main, and
//   the last thread's pthread_exit, which glibc turns into exit(0)) stops the
//   sampler and writes the file; a destructor does the same if the library
//   is unloaded first. Only the process that started writes: a fork child
//   inherits the handlers but not the timers, and does nothing at its exit.
// - exec: execve, execv, execvp and execvpe are wrapped to write the profile
//   first (the new image starts without it). If the exec fails, sampling
//   has stopped for good; what came before is kept.
// - The program's own signal handlers: if it replaces the SIGPROF handler,
//   sampling stops there and then (SIGPROF is sent only by our timers).
#define _GNU_SOURCE 1
#include "CelerLprofPreload.h"

// The sampler itself, compiled in with hidden symbols.
#define EXPORT __attribute__((visibility("hidden")))
#include "../_CelerSampler/sampler.c"
#undef EXPORT
#include <dlfcn.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define EXPORT __attribute__((visibility("default")))

static char out_path[4096];
static pid_t owner;
static _Atomic int finished;

static void finish(void) {
    if (owner == 0 || getpid() != owner) return;
    if (atomic_exchange(&finished, 1)) return;
    celer_sampler_stop();
    int rc = celer_sampler_write_raw(out_path);
    if (rc != 0) {
        char msg[4300];
        int n = snprintf(msg, sizeof msg, "celer lprof: cannot write %s: %s\n", out_path, strerror(rc));
        if (n > 0) (void)!write(2, msg, (size_t)n < sizeof msg ? (size_t)n : sizeof msg - 1);
    }
}

__attribute__((constructor)) static void lprof_start(void) {
    const char *out = getenv("CELER_LPROF_OUT");
    if (!out || !*out || strlen(out) >= sizeof out_path) return;
    strcpy(out_path, out);
    int hz = 997;
    const char *rate = getenv("CELER_LPROF_HZ");
    if (rate && atoi(rate) > 0) hz = atoi(rate);
    unsetenv("CELER_LPROF_OUT");
    unsetenv("CELER_LPROF_HZ");
    owner = getpid();
    atexit(finish);
    if (celer_sampler_start(hz) != 0) owner = 0;
}

__attribute__((destructor)) static void lprof_end(void) { finish(); }

EXPORT int celer_lprof_preload_active(void) { return owner != 0 && getpid() == owner; }

struct start { void *(*fn)(void *); void *arg; };

static void *trampoline(void *p) {
    struct start s = *(struct start *)p;
    free(p);
    celer_sampler_register_current_thread();
    return s.fn(s.arg);
}

typedef int (*create_fn)(pthread_t *, const pthread_attr_t *, void *(*)(void *), void *);

EXPORT int pthread_create(pthread_t *thread, const pthread_attr_t *attr, void *(*fn)(void *), void *arg) {
    static create_fn real;
    if (!real) real = (create_fn)dlsym(RTLD_NEXT, "pthread_create");
    if (!real) return 11;  // EAGAIN
    if (!celer_sampler_running()) return real(thread, attr, fn, arg);
    struct start *s = malloc(sizeof *s);
    if (!s) return real(thread, attr, fn, arg);
    s->fn = fn;
    s->arg = arg;
    int rc = real(thread, attr, trampoline, s);
    if (rc != 0) free(s);
    return rc;
}

typedef int (*exec_fn)(const char *, char *const[], char *const[]);
typedef int (*execv_fn)(const char *, char *const[]);

EXPORT int execve(const char *path, char *const argv[], char *const envp[]) {
    static exec_fn real;
    if (!real) real = (exec_fn)dlsym(RTLD_NEXT, "execve");
    finish();
    return real(path, argv, envp);
}

EXPORT int execvpe(const char *file, char *const argv[], char *const envp[]) {
    static exec_fn real;
    if (!real) real = (exec_fn)dlsym(RTLD_NEXT, "execvpe");
    finish();
    return real(file, argv, envp);
}

EXPORT int execv(const char *path, char *const argv[]) {
    static execv_fn real;
    if (!real) real = (execv_fn)dlsym(RTLD_NEXT, "execv");
    finish();
    return real(path, argv);
}

EXPORT int execvp(const char *file, char *const argv[]) {
    static execv_fn real;
    if (!real) real = (execv_fn)dlsym(RTLD_NEXT, "execvp");
    finish();
    return real(file, argv);
}
