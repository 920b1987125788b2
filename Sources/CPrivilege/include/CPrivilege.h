#ifndef NETWATCH_CPRIVILEGE_H
#define NETWATCH_CPRIVILEGE_H
#include <stdint.h>

// Linux capability calls Swift cannot make itself (prctl and syscall are variadic).
// Sets are bit masks of CAP_* numbers. Elsewhere they do nothing and return -1.

// prctl(PR_SET_KEEPCAPS): keep the permitted set across the next setuid (this thread).
int netwatch_keep_capabilities(int on);
// The calling thread's sets (capget).
int netwatch_get_capabilities(uint64_t *effective, uint64_t *permitted, uint64_t *inheritable);
// Sets the calling thread's sets and clears its ambient set.
int netwatch_set_capabilities(uint64_t effective, uint64_t permitted, uint64_t inheritable);
// Lowers every other thread of the process to at most `keep` (permitted and effective; no
// inheritable, no ambient): capabilities belong to threads, so threads started before the
// drop (the web server's) are each told by a signal. Returns the number of threads that did
// not answer within a second, or -1.
int netwatch_limit_other_threads(uint64_t keep);
// Becomes uid/gid (supplementary groups: gid only) for every thread (glibc tells them all),
// keeping this thread's permitted capabilities across the change (PR_SET_KEEPCAPS); the
// other threads lose theirs. 0, or -1 with errno (the step that failed in *step: 1 groups,
// 2 gid, 3 uid).
int netwatch_become(uint32_t uid, uint32_t gid, int *step);
// The calling thread's id (gettid).
int32_t netwatch_thread_id(void);
// prctl(PR_SET_NO_NEW_PRIVS): no exec can gain privilege again (inherited by new threads).
int netwatch_no_new_privileges(void);

#endif
