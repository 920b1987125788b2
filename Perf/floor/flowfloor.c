// The floor under netwatch's full pipeline, for scripts/bench: the least a flow table of the same
// shape can do on the same capture. Records of 192 bytes (three lines) in one huge-page mapping,
// `capacity` of them (netwatch's bound for 256 MB); an index of 2^k slots (at least twice the
// flows) holding hash << 32 | (record + 1), linear probing, backward-shift deletion; flows on a
// least-recently-seen list; a new flow in a full table evicts the oldest; the next packet's index
// slot is requested one packet ahead. Per flow only packets, bytes, first and last per direction.
//
// What it leaves out, so that its time is a floor and not a rival: statistics (protocols, top
// hosts, ports, conversations), TCP state and history, checks of lengths beyond what a read
// needs, IPv6, VLANs, ICMP errors, malformed-packet counts. Ethernet pcap files only, as
// tcpdump writes them on this machine (little-endian, micro- or nanosecond).
//
// usage: flowfloor FILE CAPACITY   (prints packets, flows, evictions and its own time to stderr)
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

typedef struct {
    uint32_t low, high;
    uint16_t lowPort, highPort;
    uint8_t proto, originatorIsLow;
    uint32_t hash;
    int32_t newer, older;
    uint64_t packets[2], bytes[2], first, last, id;
    uint8_t rest[192 - 88];
} Flow;
_Static_assert(sizeof(Flow) == 192, "a record is three cache lines, as netwatch's");

typedef struct { uint32_t low, high; uint16_t lowPort, highPort; uint8_t proto, sourceIsLow; uint32_t hash; } Key;

static uint64_t seed = 12345;

static inline uint64_t mix(uint64_t s, uint64_t w) { s = (s ^ w) * 0x9E3779B97F4A7C15ull; return s ^ (s >> 32); }
static inline uint32_t finish(uint64_t h) { h ^= h >> 29; h *= 0xBF58476D1CE4E5B9ull; return (uint32_t)(h ^ (h >> 32)); }

// The flow key of an Ethernet/IPv4 TCP, UDP or ICMP packet; 0 when it has none.
static int key(const uint8_t *p, uint32_t caplen, Key *k) {
    if (caplen < 34 || p[12] != 8 || p[13] != 0) return 0;
    const uint8_t *ip = p + 14;
    uint32_t ihl = (ip[0] & 15) * 4;
    if ((ip[0] >> 4) != 4 || ihl < 20 || caplen < 14 + ihl + 4) return 0;
    uint8_t proto = ip[9];
    if (proto != 6 && proto != 17 && proto != 1) return 0;
    uint32_t s, d; uint16_t sp = 0, dp = 0;
    memcpy(&s, ip + 12, 4); memcpy(&d, ip + 16, 4);
    s = __builtin_bswap32(s); d = __builtin_bswap32(d);
    if (proto != 1) { memcpy(&sp, ip + ihl, 2); memcpy(&dp, ip + ihl + 2, 2); sp = __builtin_bswap16(sp); dp = __builtin_bswap16(dp); }
    int low = s < d || (s == d && sp <= dp);
    k->low = low ? s : d; k->high = low ? d : s;
    k->lowPort = low ? sp : dp; k->highPort = low ? dp : sp;
    k->proto = proto; k->sourceIsLow = (uint8_t)low;
    k->hash = finish(mix(mix(seed, (uint64_t)k->low << 32 | k->high), (uint64_t)k->lowPort << 48 | (uint64_t)k->highPort << 32 | (uint64_t)proto << 16));
    return 1;
}

static double now(void) { struct timespec t; clock_gettime(CLOCK_MONOTONIC, &t); return t.tv_sec + t.tv_nsec / 1e9; }

int main(int argc, char **argv) {
    if (argc != 3) { fprintf(stderr, "usage: flowfloor FILE CAPACITY\n"); return 2; }
    double start = now();
    int fd = open(argv[1], O_RDONLY);
    struct stat st;
    if (fd < 0 || fstat(fd, &st) != 0 || st.st_size < 24) { fprintf(stderr, "flowfloor: cannot read %s\n", argv[1]); return 1; }
    const uint8_t *m = mmap(0, st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
    if (m == MAP_FAILED) { perror("flowfloor: mmap"); return 1; }
    madvise((void *)m, st.st_size, MADV_SEQUENTIAL);
    uint32_t magic; memcpy(&magic, m, 4);
    uint32_t linktype; memcpy(&linktype, m + 20, 4);
    if ((magic != 0xA1B2C3D4 && magic != 0xA1B23C4D) || linktype != 1) { fprintf(stderr, "flowfloor: %s is not a little-endian Ethernet pcap file\n", argv[1]); return 1; }
    uint64_t fraction = magic == 0xA1B2C3D4 ? 1000 : 1;

    size_t capacity = strtoul(argv[2], 0, 10), slotCount = 1;
    while (slotCount < capacity * 2) slotCount <<= 1;
    size_t mask = slotCount - 1, recordBytes = (capacity + 1) * sizeof(Flow);
    Flow *flows = mmap(0, recordBytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    uint64_t *slots = mmap(0, slotCount * 8, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (flows == MAP_FAILED || slots == MAP_FAILED) { perror("flowfloor: mmap"); return 1; }
    madvise(flows, recordBytes, MADV_HUGEPAGE);
    madvise(slots, slotCount * 8, MADV_HUGEPAGE);

    size_t offset = 24, used = 0, packets = 0, created = 0, evicted = 0;
    int32_t newest = -1, oldest = -1, spare = (int32_t)capacity;
    uint64_t nextID = 1;
    Key k, ahead; int haveAhead = 0;
    while (offset + 16 <= (size_t)st.st_size) {
        uint32_t sec, frac, caplen, wire;
        memcpy(&sec, m + offset, 4); memcpy(&frac, m + offset + 4, 4);
        memcpy(&caplen, m + offset + 8, 4); memcpy(&wire, m + offset + 12, 4);
        if (offset + 16 + caplen > (size_t)st.st_size) break;
        const uint8_t *p = m + offset + 16;
        offset += 16 + caplen;
        packets++;
        int have = haveAhead;
        k = ahead;
        if (!have) have = key(p, caplen, &k);
        // The next packet's index line loads while this one is worked on.
        haveAhead = 0;
        if (offset + 16 <= (size_t)st.st_size) {
            uint32_t nextLength; memcpy(&nextLength, m + offset + 8, 4);
            if (offset + 16 + nextLength <= (size_t)st.st_size && key(m + offset + 16, nextLength, &ahead)) {
                haveAhead = 1;
                __builtin_prefetch(&slots[ahead.hash & mask]);
            }
        }
        if (!have) continue;
        uint64_t time = (uint64_t)sec * 1000000000ull + (uint64_t)frac * fraction;
        size_t slot = k.hash & mask;
        int32_t index = -1;
        for (; slots[slot]; slot = (slot + 1) & mask) {
            if ((slots[slot] >> 32) != k.hash) continue;
            Flow *f = &flows[(uint32_t)slots[slot] - 1];
            if (f->low == k.low && f->high == k.high && f->lowPort == k.lowPort && f->highPort == k.highPort && f->proto == k.proto) {
                index = (int32_t)((uint32_t)slots[slot] - 1);
                break;
            }
        }
        if (index < 0) {
            if (used == capacity) {
                // Evict the least recently seen flow: off the list, out of the index (backward shift).
                int32_t victim = oldest;
                Flow *v = &flows[victim];
                oldest = v->newer;
                if (oldest >= 0) flows[oldest].older = -1;
                uint64_t entry = (uint64_t)v->hash << 32 | (uint64_t)(victim + 1);
                size_t hole = v->hash & mask;
                while (slots[hole] != entry) hole = (hole + 1) & mask;
                for (size_t next = (hole + 1) & mask; slots[next]; next = (next + 1) & mask) {
                    size_t home = (slots[next] >> 32) & mask;
                    int between = hole <= next ? (home > hole && home <= next) : (home > hole || home <= next);
                    if (!between) { slots[hole] = slots[next]; hole = next; }
                }
                slots[hole] = 0;
                index = spare;
                spare = victim;
                evicted++;
                if (oldest >= 0) __builtin_prefetch(&slots[flows[oldest].hash & mask]);
                for (slot = k.hash & mask; slots[slot]; slot = (slot + 1) & mask) {}
            } else {
                index = (int32_t)used++;
            }
            Flow *f = &flows[index];
            memset(f, 0, sizeof *f);
            f->low = k.low; f->high = k.high; f->lowPort = k.lowPort; f->highPort = k.highPort; f->proto = k.proto;
            f->originatorIsLow = k.sourceIsLow; f->hash = k.hash; f->first = time; f->id = nextID++;
            f->older = newest; f->newer = -1;
            if (newest >= 0) flows[newest].newer = index;
            newest = index;
            if (oldest < 0) oldest = index;
            slots[slot] = (uint64_t)k.hash << 32 | (uint64_t)(index + 1);
            created++;
        }
        Flow *f = &flows[index];
        int side = f->originatorIsLow != k.sourceIsLow;
        f->last = time;
        f->packets[side]++;
        f->bytes[side] += wire;
    }
    // The end of the run reads every open flow once, as a report of them would.
    uint64_t open = 0, total = 0;
    for (size_t i = 0; i <= capacity; i++) if (flows[i].id && (int32_t)i != spare) { open++; total += flows[i].packets[0] + flows[i].packets[1]; }
    fprintf(stderr, "flowfloor: %zu packets, %zu flows (%zu evicted, %lu open with %lu packets) in %.0f ms\n",
            packets, created, evicted, (unsigned long)open, (unsigned long)total, (now() - start) * 1e3);
    return 0;
}
