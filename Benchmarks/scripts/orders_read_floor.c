// The floor of reading orders.csv (bench data) on one thread, in C, to set against XOFusion's reader.
//
//   gcc -O2 -o /tmp/orders_read_floor Benchmarks/scripts/orders_read_floor.c
//   /tmp/orders_read_floor /tmp/xo-data/sf1/orders.csv
//
// Four passes over the mapped file, each repeated four times:
//   scan   the plain-record scan of ChunkParser (eight bytes at a time, one bit per delimiter,
//          line break or quote; one record at a time), field spans stored column-major in
//          batches of 2,048 records, as ChunkParser hands them to the column builders;
//   block  the same scan with one mask per 64 bytes, its bits walked across records;
//   typed  scan and parse in one pass, a row at a time, into fresh columns laid out as XOFusion
//          stores them (numbered IDs as UInt32, times and amounts as Int64, items as Int64, status
//          as a UInt32 dictionary code), with the checks the bench schema asks for;
//   narrow the same with items as Int8 and the status code as UInt8.
// Measured 2026-12-02 at SF1 (two runs): scan 0.32-0.41 s, block 0.39-0.52 s, typed 0.89-1.29 s,
// narrow 0.82-1.11 s; XOFusion's read of the file on one thread 1.5-2.1 s (DEVELOPERS.md, "The reader
// against a C floor").
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>

typedef struct { int64_t start, end; uint8_t flags; } Span;  // 24 bytes, like FieldSpan
enum { BATCH = 2048, FIELDS = 6 };

static double now(void) { struct timespec t; clock_gettime(CLOCK_MONOTONIC, &t); return t.tv_sec + t.tv_nsec * 1e-9; }

static const uint64_t ones = 0x0101010101010101ULL, lows = 0x7F7F7F7F7F7F7F7FULL;
static inline uint64_t nonzero(uint64_t t) { return ((t & lows) + lows) | t; }
// High bit of each byte that is a comma, a quote or below 0x20; and of each comma alone.
static inline void special(const uint8_t *p, uint64_t *mask, uint64_t *commas) {
    uint64_t w; memcpy(&w, p, 8);
    uint64_t printable = ((w & lows) + ones * 0x60) | w, notComma = nonzero(w ^ (ones * ','));
    uint64_t ordinary = notComma & nonzero(w ^ (ones * '"')) & printable;
    *mask = ~ordinary & ~lows; *commas = ~notComma & ~lows;
}

static long scan(const uint8_t *b, long n, Span *spans, long *rows) {
    long pos = 0, records = 0; int slot = 0;
    while (pos + 8 <= n) {
        long word = pos, start = pos; int field = 0; uint64_t m, d; special(b + word, &m, &d);
        for (;;) {
            while (m == 0) { word += 8; if (word + 8 > n) goto done; special(b + word, &m, &d); }
            uint64_t bit = m & (0 - m); long i = word + (__builtin_ctzll(m) >> 3); m ^= bit;
            if (d & bit) { if (field == FIELDS - 1) goto done; spans[field * BATCH + slot] = (Span){start, i, 0}; field++; start = i + 1; continue; }
            if (b[i] == '\n') { if (field != FIELDS - 1) goto done; spans[field * BATCH + slot] = (Span){start, i, 0}; pos = i + 1; break; }
            if (b[i] == '"') goto done;
        }
        records++; if (++slot == BATCH) slot = 0;
    }
done:
    *rows = records; return pos;
}

static inline uint64_t compress(uint64_t m) { return ((m >> 7) * 0x0102040810204080ULL) >> 56; }
static long block(const uint8_t *b, long n, Span *spans, long *rows) {
    long records = 0, start = 0, at = 0; int slot = 0, field = 0;
    while (at + 64 <= n) {
        uint64_t sm = 0, dm = 0;
        for (int k = 0; k < 8; k++) { uint64_t m, d; special(b + at + 8 * k, &m, &d); sm |= compress(m) << (8 * k); dm |= compress(d) << (8 * k); }
        while (sm) {
            long i = at + __builtin_ctzll(sm); uint64_t bit = sm & (0 - sm); sm ^= bit;
            if (dm & bit) { if (field == FIELDS - 1) goto done; spans[field * BATCH + slot] = (Span){start, i, 0}; field++; start = i + 1; continue; }
            if (b[i] == '\n') { if (field != FIELDS - 1) goto done; spans[field * BATCH + slot] = (Span){start, i, 0}; field = 0; start = i + 1; records++; if (++slot == BATCH) slot = 0; continue; }
            if (b[i] == '"') goto done;
        }
        at += 64;
    }
done:
    *rows = records; return start;
}

// Eight ASCII digits (the first in the lowest byte) to their value; 0 when one is not a digit.
static inline int eight(uint64_t w, uint32_t *out) {
    if ((w & 0xF0F0F0F0F0F0F0F0ULL) != 0x3030303030303030ULL || ((w + 0x0606060606060606ULL) & 0xF0F0F0F0F0F0F0F0ULL) != 0x3030303030303030ULL) return 0;
    uint64_t v = w & 0x0F0F0F0F0F0F0F0FULL;
    v = (v * 2561) >> 8; v = ((v & 0x00FF00FF00FF00FFULL) * 6553601) >> 16;
    *out = (uint32_t)(((v & 0x0000FFFF0000FFFFULL) * 42949672960001ULL) >> 32); return 1;
}
// A letter and 9 or 10 digits (C123456789, O0000000001); -1 for anything else.
static inline int64_t id(const uint8_t *p, int n) {
    uint64_t w; uint32_t low; memcpy(&w, p + n - 8, 8); if (!eight(w, &low)) return -1;
    if (n == 11) { unsigned a = p[1] - '0', c = p[2] - '0'; return a > 9 || c > 9 ? -1 : (int64_t)(a * 10 + c) * 100000000LL + low; }
    if (n == 10) { unsigned a = p[1] - '0'; return a > 9 ? -1 : (int64_t)a * 100000000LL + low; }
    return -1;
}
static int64_t daysFromCivil(int y, unsigned m, unsigned d) {
    y -= m <= 2; int64_t era = (y >= 0 ? y : y - 399) / 400; unsigned yoe = (unsigned)(y - era * 400);
    unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1, doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + (int64_t)doe - 719468;
}
static inline int two(const uint8_t *p) { unsigned a = p[0] - '0', b = p[1] - '0'; return a > 9 || b > 9 ? -1 : (int)(a * 10 + b); }
// YYYY-MM-DDTHH:MM:SSZ in microseconds, the date remembered from the row before (as XOFusion does).
static uint64_t lastHead; static uint16_t lastDay; static int64_t lastMidnight; static int haveLast;
static inline int timestamp(const uint8_t *p, int n, int64_t *out) {
    if (n != 20 || p[19] != 'Z' || p[10] != 'T' || p[13] != ':' || p[16] != ':') return 0;
    uint64_t head; uint16_t day; memcpy(&head, p, 8); memcpy(&day, p + 8, 2);
    int h = two(p + 11), m = two(p + 14), s = two(p + 17); if (h < 0 || h > 23 || m < 0 || m > 59 || s < 0 || s > 59) return 0;
    if (!(haveLast && head == lastHead && day == lastDay)) {
        int y = two(p) * 100 + two(p + 2), mo = two(p + 5), d = two(p + 8);
        if (y < 0 || p[4] != '-' || p[7] != '-' || mo < 1 || mo > 12 || d < 1 || d > 31) return 0;
        lastMidnight = daysFromCivil(y, mo, d) * 86400000000LL; lastHead = head; lastDay = day; haveLast = 1;
    }
    *out = lastMidnight + (int64_t)(h * 3600 + m * 60 + s) * 1000000; return 1;
}
// Digits, a point and two digits, in cents.
static inline int cents(const uint8_t *p, int n, int64_t *out) {
    if (n < 4 || n > 18 || p[n - 3] != '.') return 0;
    int64_t v = 0; for (int i = 0; i < n - 3; i++) { unsigned d = p[i] - '0'; if (d > 9) return 0; v = v * 10 + d; }
    int f = two(p + n - 2); if (f < 0) return 0; *out = v * 100 + f; return 1;
}

static long typed(const uint8_t *b, long n, long header, int narrow, long *badRows) {
    long most = n / 20, rows = 0, bad = 0, pos = header; haveLast = 0;
    uint32_t *order = malloc(4 * most), *customer = malloc(4 * most), *status32 = malloc(4 * most);
    int64_t *at = malloc(8 * most), *amount = malloc(8 * most), *items64 = malloc(8 * most);
    int8_t *items8 = malloc(most); uint8_t *status8 = malloc(most);
    const uint8_t *f[FIELDS]; int len[FIELDS];
    while (pos + 8 <= n) {
        long word = pos, start = pos; int field = 0; uint64_t m, d; special(b + word, &m, &d);
        for (;;) {
            while (m == 0) { word += 8; if (word + 8 > n) goto end; special(b + word, &m, &d); }
            uint64_t bit = m & (0 - m); long i = word + (__builtin_ctzll(m) >> 3); m ^= bit;
            if (d & bit) { if (field == FIELDS - 1) goto end; f[field] = b + start; len[field] = (int)(i - start); field++; start = i + 1; continue; }
            if (b[i] == '\n' && field == FIELDS - 1) { f[field] = b + start; len[field] = (int)(i - start); pos = i + 1; break; }
            goto end;
        }
        int64_t o = id(f[0], len[0]), c = id(f[1], len[1]), t, a;
        int it = len[4] == 1 ? f[4][0] - '0' : (len[4] == 2 ? two(f[4]) : -1);
        int st = len[5] == 9 && memcmp(f[5], "completed", 9) == 0 ? 0 : (len[5] == 9 && memcmp(f[5], "cancelled", 9) == 0 ? 1 : -1);
        if (o < 0 || c < 0 || !timestamp(f[2], len[2], &t) || !cents(f[3], len[3], &a) || it < 1 || it > 10 || st < 0) { bad++; continue; }
        order[rows] = (uint32_t)o; customer[rows] = (uint32_t)c; at[rows] = t; amount[rows] = a;
        if (narrow) { items8[rows] = (int8_t)it; status8[rows] = (uint8_t)st; } else { items64[rows] = it; status32[rows] = (uint32_t)st; }
        rows++;
    }
end:
    *badRows = bad;
    // Read the columns back, so that no compiler drops the parse.
    volatile long long check = rows ? (long long)(amount[rows / 2] + at[rows / 3] + order[rows - 1] + customer[0]) : 0LL;
    (void)check;
    free(order); free(customer); free(status32); free(at); free(amount); free(items64); free(items8); free(status8);
    return rows;
}

int main(int argc, char **argv) {
    if (argc < 2) { fprintf(stderr, "usage: %s orders.csv\n", argv[0]); return 2; }
    int fd = open(argv[1], O_RDONLY); struct stat st;
    if (fd < 0 || fstat(fd, &st) != 0) { perror(argv[1]); return 1; }
    long n = st.st_size;
    const uint8_t *b = mmap(0, n, PROT_READ, MAP_PRIVATE | MAP_POPULATE, fd, 0);
    if (b == MAP_FAILED) { perror("mmap"); return 1; }
    const uint8_t *nl = memchr(b, '\n', n); long header = nl ? nl - b + 1 : n;
    Span *spans = malloc(sizeof(Span) * BATCH * FIELDS);
    for (int pass = 0; pass < 4; pass++) {
        for (int r = 0; r < 4; r++) {
            long rows = 0, bad = 0; double t0 = now();
            if (pass == 0) scan(b + header, n - header, spans, &rows);
            else if (pass == 1) block(b + header, n - header, spans, &rows);
            else rows = typed(b, n, header, pass == 3, &bad);
            printf("%s %.3f s  %ld rows, %ld rejected\n", (const char *[]){"scan  ", "block ", "typed ", "narrow"}[pass], now() - t0, rows, bad);
        }
    }
    munmap((void *)b, n); free(spans);
    return 0;
}
