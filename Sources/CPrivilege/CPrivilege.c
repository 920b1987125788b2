#ifdef __linux__
#define _GNU_SOURCE
#endif
#include "CPrivilege.h"

#ifdef __linux__
#include <dirent.h>
#include <grp.h>
#include <errno.h>
#include <linux/capability.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

int netwatch_keep_capabilities(int on) {
    return prctl(PR_SET_KEEPCAPS, on ? 1L : 0L, 0L, 0L, 0L);
}

int netwatch_get_capabilities(uint64_t *effective, uint64_t *permitted, uint64_t *inheritable) {
    struct __user_cap_header_struct header = {_LINUX_CAPABILITY_VERSION_3, 0};
    struct __user_cap_data_struct data[2];
    memset(data, 0, sizeof data);
    if (syscall(SYS_capget, &header, data) != 0) return -1;
    *effective = (uint64_t)data[0].effective | ((uint64_t)data[1].effective << 32);
    *permitted = (uint64_t)data[0].permitted | ((uint64_t)data[1].permitted << 32);
    *inheritable = (uint64_t)data[0].inheritable | ((uint64_t)data[1].inheritable << 32);
    return 0;
}

// Async-signal-safe: raw syscalls only.
static int set_sets(uint64_t effective, uint64_t permitted, uint64_t inheritable) {
    struct __user_cap_header_struct header = {_LINUX_CAPABILITY_VERSION_3, 0};
    struct __user_cap_data_struct data[2];
    data[0].effective = (uint32_t)effective;
    data[1].effective = (uint32_t)(effective >> 32);
    data[0].permitted = (uint32_t)permitted;
    data[1].permitted = (uint32_t)(permitted >> 32);
    data[0].inheritable = (uint32_t)inheritable;
    data[1].inheritable = (uint32_t)(inheritable >> 32);
    syscall(SYS_prctl, PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0L, 0L, 0L);
    return (int)syscall(SYS_capset, &header, data);
}

int netwatch_set_capabilities(uint64_t effective, uint64_t permitted, uint64_t inheritable) {
    return set_sets(effective, permitted, inheritable);
}

static _Atomic uint64_t broadcast_keep;
static atomic_int broadcast_pending;

static void lower_this_thread(int signal) {
    (void)signal;
    int saved = errno;
    struct __user_cap_header_struct header = {_LINUX_CAPABILITY_VERSION_3, 0};
    struct __user_cap_data_struct data[2];
    if (syscall(SYS_capget, &header, data) == 0) {
        uint64_t keep = atomic_load(&broadcast_keep);
        uint64_t permitted = ((uint64_t)data[0].permitted | ((uint64_t)data[1].permitted << 32)) & keep;
        uint64_t effective = ((uint64_t)data[0].effective | ((uint64_t)data[1].effective << 32)) & keep;
        set_sets(effective, permitted, 0);
    }
    atomic_fetch_sub(&broadcast_pending, 1);
    errno = saved;
}

int netwatch_limit_other_threads(uint64_t keep) {
    // The first real-time signal glibc leaves free, plus a margin; nothing else in netwatch uses it.
    int sig = SIGRTMIN + 7;
    struct sigaction action, previous;
    memset(&action, 0, sizeof action);
    action.sa_handler = lower_this_thread;
    action.sa_flags = SA_RESTART;
    sigemptyset(&action.sa_mask);
    if (sigaction(sig, &action, &previous) != 0) return -1;
    atomic_store(&broadcast_keep, keep);
    atomic_store(&broadcast_pending, 0);
    pid_t pid = getpid();
    pid_t self = (pid_t)syscall(SYS_gettid);
    DIR *dir = opendir("/proc/self/task");
    if (!dir) { sigaction(sig, &previous, NULL); return -1; }
    struct dirent *entry;
    while ((entry = readdir(dir)) != NULL) {
        pid_t tid = (pid_t)atoi(entry->d_name);
        if (tid <= 0 || tid == self) continue;
        atomic_fetch_add(&broadcast_pending, 1);
        if (syscall(SYS_tgkill, pid, tid, sig) != 0) atomic_fetch_sub(&broadcast_pending, 1);
    }
    closedir(dir);
    struct timespec step = {0, 1000000};
    for (int i = 0; i < 1000 && atomic_load(&broadcast_pending) > 0; i++) nanosleep(&step, NULL);
    int missing = atomic_load(&broadcast_pending);
    // The handler stays installed: a thread that answers late still lowers itself.
    return missing;
}

int netwatch_become(uint32_t uid, uint32_t gid, int *step) {
    gid_t groups[1] = {(gid_t)gid};
    *step = 1;
    if (setgroups(1, groups) != 0) return -1;
    *step = 2;
    if (setresgid(gid, gid, gid) != 0) return -1;
    *step = 3;
    prctl(PR_SET_KEEPCAPS, 1L, 0L, 0L, 0L);
    int rc = setresuid(uid, uid, uid);
    int saved = errno;
    prctl(PR_SET_KEEPCAPS, 0L, 0L, 0L, 0L);
    errno = saved;
    return rc;
}

int32_t netwatch_thread_id(void) { return (int32_t)syscall(SYS_gettid); }

int netwatch_no_new_privileges(void) {
    return prctl(PR_SET_NO_NEW_PRIVS, 1L, 0L, 0L, 0L);
}

#else
int netwatch_keep_capabilities(int on) { (void)on; return -1; }
int netwatch_get_capabilities(uint64_t *e, uint64_t *p, uint64_t *i) { *e = *p = *i = 0; return -1; }
int netwatch_set_capabilities(uint64_t e, uint64_t p, uint64_t i) { (void)e; (void)p; (void)i; return -1; }
int netwatch_limit_other_threads(uint64_t keep) { (void)keep; return -1; }
int netwatch_become(uint32_t uid, uint32_t gid, int *step) { (void)uid; (void)gid; *step = 0; return -1; }
int32_t netwatch_thread_id(void) { return 0; }
int netwatch_no_new_privileges(void) { return -1; }
#endif
