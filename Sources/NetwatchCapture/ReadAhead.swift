import CPrefetch

/// Cache-line requests the savefile readers make ahead of the packets they hand over.
@usableFromInline
enum ReadAhead {
    /// The line a page past `offset`: the hardware prefetcher stops at page boundaries, so
    /// each new page of the file missed on its first record header (about 10 % of a mixed
    /// capture's time). Requested a page ahead, the line is there when its turn comes.
    @inlinable @inline(__always)
    static func page(_ base: UnsafeRawPointer, after offset: Int, end: Int) {
        netwatch_prefetch(base + min(offset &+ 4096, end &- 1))
    }

    /// The record (or block) at `offset`: its header and the packet's first bytes (link, IP,
    /// TCP headers), requested a packet before they are read. Large packets leave those lines
    /// far apart, too sparse for the hardware prefetcher: each was a miss, about a tenth of a
    /// mixed capture's time.
    @inlinable @inline(__always)
    static func record(_ base: UnsafeRawPointer, at offset: Int, end: Int) {
        netwatch_prefetch(base + min(offset, end &- 1))
        netwatch_prefetch(base + min(offset &+ 48, end &- 1))
        netwatch_prefetch(base + min(offset &+ 96, end &- 1))
    }
}
