#ifndef NETWATCH_CPREFETCH_H
#define NETWATCH_CPREFETCH_H

/// Starts loading the cache line at `address` without waiting for it. The flow table and the
/// counters call it for every table line a packet will touch before touching any, so the
/// cache misses of independent tables overlap instead of queueing one after another. Swift
/// has no prefetch of its own; a static inline function is compiled into the caller.
static inline void netwatch_prefetch(const void *address) {
#if defined(__GNUC__) || defined(__clang__)
    __builtin_prefetch(address, 1, 3);
#endif
}

#endif
