// See include/CelerSampler.h for the contract. Layout of this file: state,
// the signal handler (and the stack-bounds lookup it needs), timers and the
// thread scanner, start/stop, and the raw writer.
#define _GNU_SOURCE 1
#include "include/CelerSampler.h"
#include <dirent.h>
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <link.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <time.h>
#include <ucontext.h>
#include <unistd.h>

// The LD_PRELOAD library compiles this file into itself with hidden
// symbols, so it never binds to another copy in the program it profiles.
#ifndef EXPORT
#define EXPORT __attribute__((visibility("default")))
#endif
#define TLS __thread __attribute__((tls_model("initial-exec")))

enum { MAX_DEPTH = 256, MAX_THREADS = 4096, RECORD_MAGIC = 0xCE1E };

// ---- State -----------------------------------------------------------------

static _Atomic int running;
static _Atomic int inflight;          // handlers between entry and exit
static uint64_t *buffer;              // mmap'd, MAP_NORESERVE: pages cost only when used
static size_t buffer_words;
static _Atomic size_t cursor;         // next free word
static _Atomic uint64_t taken, dropped;
static long interval_ns;
static int rate_hz;

struct thread_slot {
    int tid;          // 0: free
    int seen;         // last scan that saw it
    timer_t timer;
    char name[20];
};
static struct thread_slot slots[MAX_THREADS];
static pthread_mutex_t slots_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_t scanner;
static _Atomic int scanner_quit;
static int scanner_tid;
// Every thread armed since start, with its name then (threads that ended keep theirs).
static struct { int tid; char name[20]; } names_seen[MAX_THREADS];
static int names_count;

// Per thread: its stack's top (found on the first sample) and its label.
static TLS uintptr_t t_stack_hi;
static TLS uint64_t t_label;

static long gettid_now(void) { return syscall(SYS_gettid); }

// ---- The signal handler ----------------------------------------------------

static int hexval(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    return -1;
}

/// The end of the mapping that holds `sp`, read from /proc/self/maps with
/// open/read/close only (async-signal-safe), parsing one character at a time.
static uintptr_t stack_top_for(uintptr_t sp) {
    int fd = open("/proc/self/maps", O_RDONLY | O_CLOEXEC);
    if (fd < 0) return 0;
    char chunk[2048];
    uintptr_t lo = 0, hi = 0, found = 0;
    int field = 0;  // 0: start, 1: end, 2: rest of line
    ssize_t n;
    while (!found && (n = read(fd, chunk, sizeof chunk)) > 0) {
        for (ssize_t i = 0; i < n; i++) {
            char c = chunk[i];
            if (c == '\n') {
                if (sp >= lo && sp < hi) { found = hi; break; }
                lo = hi = 0; field = 0;
                continue;
            }
            if (field == 0) {
                if (c == '-') field = 1; else if (hexval(c) >= 0) lo = lo * 16 + hexval(c);
            } else if (field == 1) {
                if (c == ' ') field = 2; else if (hexval(c) >= 0) hi = hi * 16 + hexval(c);
            }
        }
    }
    close(fd);
    return found;
}

static void record_sample(const siginfo_t *si, void *ucv) {
    ucontext_t *uc = ucv;
    uintptr_t pc, fp, sp;
#if defined(__x86_64__)
    pc = (uintptr_t)uc->uc_mcontext.gregs[REG_RIP];
    fp = (uintptr_t)uc->uc_mcontext.gregs[REG_RBP];
    sp = (uintptr_t)uc->uc_mcontext.gregs[REG_RSP];
#elif defined(__aarch64__)
    pc = (uintptr_t)uc->uc_mcontext.pc;
    fp = (uintptr_t)uc->uc_mcontext.regs[29];
    sp = (uintptr_t)uc->uc_mcontext.sp;
#else
    return;
#endif
    if (t_stack_hi == 0) t_stack_hi = stack_top_for(sp);
    uintptr_t frames[MAX_DEPTH];
    int depth = 0;
    frames[depth++] = pc;
    uintptr_t hi = t_stack_hi;
    // Each frame: [fp] = the caller's fp, [fp + 8] = the return address.
    while (depth < MAX_DEPTH && hi != 0 && fp >= sp && fp <= hi - 16 && (fp & 7) == 0) {
        uintptr_t next = ((const uintptr_t *)fp)[0];
        uintptr_t ret = ((const uintptr_t *)fp)[1];
        if (ret < 4096) break;
        frames[depth++] = ret - 1;
        if (next <= fp) break;
        fp = next;
    }
    uint64_t weight = 1;
    if (si && si->si_code == SI_TIMER && si->si_overrun > 0) weight += (uint64_t)si->si_overrun;
    size_t words = 4 + (size_t)depth;
    size_t at = atomic_fetch_add_explicit(&cursor, words, memory_order_relaxed);
    if (at + words > buffer_words) {
        atomic_fetch_add_explicit(&dropped, weight, memory_order_relaxed);
        return;
    }
    uint64_t *r = buffer + at;
    r[1] = (uint64_t)gettid_now();
    r[2] = weight;
    r[3] = t_label;
    for (int i = 0; i < depth; i++) r[4 + i] = frames[i];
    atomic_store_explicit((_Atomic uint64_t *)&r[0], ((uint64_t)RECORD_MAGIC << 48) | (uint64_t)depth,
                          memory_order_release);
    atomic_fetch_add_explicit(&taken, weight, memory_order_relaxed);
}

static void on_sigprof(int sig, siginfo_t *si, void *uc) {
    (void)sig;
    int saved = errno;
    if (atomic_load(&running)) {
        atomic_fetch_add(&inflight, 1);
        if (atomic_load(&running)) record_sample(si, uc);
        atomic_fetch_sub(&inflight, 1);
    }
    errno = saved;
}

// ---- Timers and the thread scanner ------------------------------------------

static void read_comm(int tid, char *out, size_t size) {
    char path[64];
    snprintf(path, sizeof path, "/proc/self/task/%d/comm", tid);
    out[0] = 0;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return;
    ssize_t n = read(fd, out, size - 1);
    close(fd);
    if (n < 0) n = 0;
    out[n] = 0;
    char *nl = strchr(out, '\n');
    if (nl) *nl = 0;
}

/// Arms (or re-arms, for a reused tid) the timer of thread `tid`. Caller holds slots_lock.
static void arm_locked(int tid, int scan, int fresh) {
    int free_slot = -1;
    for (int i = 0; i < MAX_THREADS; i++) {
        if (slots[i].tid == tid) {
            slots[i].seen = scan;
            if (!fresh) return;
            timer_delete(slots[i].timer);
            slots[i].tid = 0;
            free_slot = i;
            break;
        }
        if (slots[i].tid == 0 && free_slot < 0) free_slot = i;
    }
    if (free_slot < 0) return;
    // The CPU-time clock of one thread: MAKE_THREAD_CPUCLOCK(tid, CPUCLOCK_SCHED).
    clockid_t clock = (clockid_t)(((unsigned)~tid) << 3) | 6;
    struct sigevent sev;
    memset(&sev, 0, sizeof sev);
    sev.sigev_notify = SIGEV_THREAD_ID;
    sev.sigev_signo = SIGPROF;
    sev._sigev_un._tid = tid;
    timer_t timer;
    if (timer_create(clock, &sev, &timer) != 0) return;
    struct itimerspec spec;
    spec.it_interval.tv_sec = interval_ns / 1000000000L;
    spec.it_interval.tv_nsec = interval_ns % 1000000000L;
    spec.it_value = spec.it_interval;
    if (timer_settime(timer, 0, &spec, NULL) != 0) { timer_delete(timer); return; }
    struct thread_slot *s = &slots[free_slot];
    s->tid = tid;
    s->seen = scan;
    s->timer = timer;
    read_comm(tid, s->name, sizeof s->name);
    if (names_count < MAX_THREADS) {
        names_seen[names_count].tid = tid;
        memcpy(names_seen[names_count].name, s->name, sizeof s->name);
        names_count++;
    }
}

static int scan_number;

/// Arms timers for threads not seen before; deletes those of threads gone.
static void scan_threads(void) {
    DIR *dir = opendir("/proc/self/task");
    if (!dir) return;
    pthread_mutex_lock(&slots_lock);
    scan_number++;
    struct dirent *e;
    while ((e = readdir(dir)) != NULL) {
        int tid = atoi(e->d_name);
        if (tid <= 0 || tid == scanner_tid) continue;
        arm_locked(tid, scan_number, 0);
    }
    for (int i = 0; i < MAX_THREADS; i++) {
        if (slots[i].tid != 0 && slots[i].seen != scan_number) {
            timer_delete(slots[i].timer);
            slots[i].tid = 0;
        }
    }
    pthread_mutex_unlock(&slots_lock);
    closedir(dir);
}

static void *scanner_main(void *arg) {
    (void)arg;
    scanner_tid = (int)gettid_now();
    while (!atomic_load(&scanner_quit)) {
        scan_threads();
        struct timespec ts = {0, 10 * 1000 * 1000};
        nanosleep(&ts, NULL);
    }
    return NULL;
}

EXPORT void celer_sampler_register_current_thread(void) {
    if (!atomic_load(&running)) return;
    pthread_mutex_lock(&slots_lock);
    arm_locked((int)gettid_now(), scan_number, 1);
    pthread_mutex_unlock(&slots_lock);
}

// ---- Start and stop ---------------------------------------------------------

EXPORT int celer_sampler_start(int hz) {
    if (hz < 1 || hz > 10000) return EINVAL;
    if (atomic_load(&running)) return EALREADY;
    if (!buffer) {
        size_t mib = 256;
        const char *env = getenv("CELER_LPROF_BUFFER_MB");
        if (env && atoi(env) > 0) mib = (size_t)atoi(env);
        size_t bytes = mib << 20;
        void *p = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
        if (p == MAP_FAILED) return errno;
        buffer = p;
        buffer_words = bytes / sizeof(uint64_t);
    } else {
        // A new run: clear what the last one wrote (its pages stay mapped).
        size_t used = atomic_load(&cursor);
        if (used > buffer_words) used = buffer_words;
        memset(buffer, 0, used * sizeof(uint64_t));
    }
    atomic_store(&cursor, 0);
    atomic_store(&taken, 0);
    atomic_store(&dropped, 0);
    names_count = 0;
    rate_hz = hz;
    interval_ns = 1000000000L / hz;
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = on_sigprof;
    sa.sa_flags = SA_SIGINFO | SA_RESTART;
    sigemptyset(&sa.sa_mask);
    if (sigaction(SIGPROF, &sa, NULL) != 0) return errno;
    // The scanner must not be sampled, nor interrupted by SIGPROF.
    sigset_t block, old;
    sigemptyset(&block);
    sigaddset(&block, SIGPROF);
    pthread_sigmask(SIG_BLOCK, &block, &old);
    atomic_store(&scanner_quit, 0);
    scanner_tid = -1;
    int rc = pthread_create(&scanner, NULL, scanner_main, NULL);
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    if (rc != 0) return rc;
    atomic_store(&running, 1);
    celer_sampler_register_current_thread();
    return 0;
}

EXPORT int celer_sampler_stop(void) {
    if (!atomic_load(&running)) return EALREADY;
    atomic_store(&running, 0);
    atomic_store(&scanner_quit, 1);
    if (!pthread_equal(pthread_self(), scanner)) pthread_join(scanner, NULL);
    pthread_mutex_lock(&slots_lock);
    for (int i = 0; i < MAX_THREADS; i++) {
        if (slots[i].tid != 0) { timer_delete(slots[i].timer); slots[i].tid = 0; }
    }
    pthread_mutex_unlock(&slots_lock);
    // A signal already queued runs the handler, which sees running == 0.
    while (atomic_load(&inflight) != 0) {
        struct timespec ts = {0, 100000};
        nanosleep(&ts, NULL);
    }
    return 0;
}

EXPORT int celer_sampler_running(void) { return atomic_load(&running); }
EXPORT void celer_sampler_set_label(uint64_t label) { t_label = label; }
EXPORT uint64_t celer_sampler_get_label(void) { return t_label; }
EXPORT uint64_t celer_sampler_sample_count(void) { return atomic_load(&taken); }
EXPORT uint64_t celer_sampler_dropped(void) { return atomic_load(&dropped); }

// ---- The raw writer ---------------------------------------------------------

struct out { int fd; int failed; size_t used; char data[65536]; };

static void out_flush(struct out *o) {
    size_t done = 0;
    while (done < o->used) {
        ssize_t n = write(o->fd, o->data + done, o->used - done);
        if (n < 0) { if (errno == EINTR) continue; o->failed = errno; break; }
        done += (size_t)n;
    }
    o->used = 0;
}

static void out_printf(struct out *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void out_printf(struct out *o, const char *fmt, ...) {
    if (sizeof o->data - o->used < 1024) out_flush(o);
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(o->data + o->used, sizeof o->data - o->used, fmt, ap);
    va_end(ap);
    if (n > 0) o->used += (size_t)n < sizeof o->data - o->used ? (size_t)n : sizeof o->data - o->used - 1;
}

/// Writes a path or name with spaces, tabs and newlines escaped as \s \t \n (and \\).
static void out_escaped(struct out *o, const char *s) {
    char tmp[8192];
    size_t j = 0;
    for (; *s && j < sizeof tmp - 3; s++) {
        char c = *s;
        if (c == '\\') { tmp[j++] = '\\'; tmp[j++] = '\\'; }
        else if (c == ' ') { tmp[j++] = '\\'; tmp[j++] = 's'; }
        else if (c == '\t') { tmp[j++] = '\\'; tmp[j++] = 't'; }
        else if (c == '\n') { tmp[j++] = '\\'; tmp[j++] = 'n'; }
        else tmp[j++] = c;
    }
    tmp[j] = 0;
    out_printf(o, "%s", j ? tmp : "-");
}

static int module_index;

static int write_module(struct dl_phdr_info *info, size_t size, void *arg) {
    (void)size;
    struct out *o = arg;
    char path[4096];
    const char *name = info->dlpi_name;
    if (!name || !*name) {
        if (module_index != 0) return 0;  // only the main program has no name
        ssize_t n = readlink("/proc/self/exe", path, sizeof path - 1);
        if (n <= 0) return 0;
        path[n] = 0;
        name = path;
    }
    char build_id[129] = "-";
    for (int i = 0; i < info->dlpi_phnum; i++) {
        const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
        if (ph->p_type != PT_NOTE) continue;
        const unsigned char *p = (const unsigned char *)(info->dlpi_addr + ph->p_vaddr);
        const unsigned char *end = p + ph->p_memsz;
        while (p + 12 <= end) {
            uint32_t namesz, descsz, type;
            memcpy(&namesz, p, 4); memcpy(&descsz, p + 4, 4); memcpy(&type, p + 8, 4);
            const unsigned char *nm = p + 12;
            const unsigned char *desc = nm + ((namesz + 3) & ~3u);
            if (desc + descsz > end) break;
            if (type == NT_GNU_BUILD_ID && namesz == 4 && memcmp(nm, "GNU", 4) == 0 && descsz <= 64) {
                for (uint32_t k = 0; k < descsz; k++) snprintf(build_id + 2 * k, 3, "%02x", desc[k]);
            }
            p = desc + ((descsz + 3) & ~3u);
        }
    }
    int index = module_index++;
    out_printf(o, "module %d %lx %s ", index, (unsigned long)info->dlpi_addr, build_id);
    out_escaped(o, name);
    out_printf(o, "\n");
    for (int i = 0; i < info->dlpi_phnum; i++) {
        const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
        if (ph->p_type == PT_LOAD && (ph->p_flags & PF_X)) {
            out_printf(o, "segment %d %lx %lx\n", index, (unsigned long)(info->dlpi_addr + ph->p_vaddr),
                       (unsigned long)(info->dlpi_addr + ph->p_vaddr + ph->p_memsz));
        }
    }
    return 0;
}

EXPORT int celer_sampler_write_raw(const char *path) {
    char tmp[4200];
    snprintf(tmp, sizeof tmp, "%s.tmp-%d", path, (int)getpid());
    struct out *o = mmap(NULL, sizeof(struct out), PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (o == MAP_FAILED) return errno;
    o->failed = 0;
    o->used = 0;
    o->fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (o->fd < 0) { int e = errno; munmap(o, sizeof *o); return e; }
    char exe[4096];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    exe[n > 0 ? n : 0] = 0;
    out_printf(o, "celer-lprof-raw 1\npid %d\nhz %d\ninterval_ns %ld\n", (int)getpid(), rate_hz, interval_ns);
    out_printf(o, "program ");
    out_escaped(o, exe);
    out_printf(o, "\nweight %llu\ndropped %llu\n", (unsigned long long)atomic_load(&taken),
               (unsigned long long)atomic_load(&dropped));
    module_index = 0;
    dl_iterate_phdr(write_module, o);
    // Thread names: as first seen, then those alive now read again (a thread
    // may have renamed itself; the reader keeps the last line per tid).
    for (int i = 0; i < names_count; i++) {
        out_printf(o, "thread %d ", names_seen[i].tid);
        out_escaped(o, names_seen[i].name);
        out_printf(o, "\n");
    }
    DIR *dir = opendir("/proc/self/task");
    if (dir) {
        struct dirent *e;
        while ((e = readdir(dir)) != NULL) {
            int tid = atoi(e->d_name);
            if (tid <= 0 || tid == scanner_tid) continue;
            char name[32];
            read_comm(tid, name, sizeof name);
            out_printf(o, "thread %d ", tid);
            out_escaped(o, name);
            out_printf(o, "\n");
        }
        closedir(dir);
    }
    size_t end = atomic_load(&cursor);
    if (end > buffer_words) end = buffer_words;
    size_t at = 0, count = 0;
    while (buffer && at + 4 <= end) {
        uint64_t head = buffer[at];
        if ((head >> 48) != RECORD_MAGIC) break;
        size_t depth = (size_t)(head & 0xffff);
        if (at + 4 + depth > end) break;
        out_printf(o, "s %llu %llu %llx", (unsigned long long)buffer[at + 1], (unsigned long long)buffer[at + 2],
                   (unsigned long long)buffer[at + 3]);
        for (size_t i = 0; i < depth; i++) out_printf(o, " %llx", (unsigned long long)buffer[at + 4 + i]);
        out_printf(o, "\n");
        at += 4 + depth;
        count++;
    }
    out_printf(o, "end %zu\n", count);
    out_flush(o);
    int failed = o->failed;
    if (close(o->fd) != 0 && !failed) failed = errno;
    munmap(o, sizeof *o);
    if (!failed && rename(tmp, path) != 0) failed = errno;
    if (failed) unlink(tmp);
    return failed;
}
