// The LD_PRELOAD library of `celer lprof run` (libCelerLprofPreload.so):
// nothing to call. Its constructor starts the sampler when the environment
// has CELER_LPROF_OUT (and CELER_LPROF_HZ), and the profile's raw samples
// are written to CELER_LPROF_OUT when the process exits.
#ifndef CELER_LPROF_PRELOAD_H
#define CELER_LPROF_PRELOAD_H
/// Whether this process is being profiled by the preloaded library.
int celer_lprof_preload_active(void);
#endif
