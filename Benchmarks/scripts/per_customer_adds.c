// What adding rows into per-customer slots costs on this machine, the question behind the
// fusion's grouping by customer (DEVELOPERS.md, "Row scans instead of the grouping").
//
//   gcc -O2 -pthread -o /tmp/per_customer_adds Benchmarks/scripts/per_customer_adds.c && /tmp/per_customer_adds
//
// Ten million rows (the orders at SF1) of a million customers, added into one slot per customer:
// in customer order (what a pass over CustomerRuns sees), in random order (what a pass over the
// rows of a time-ordered file sees) with slots of 8, 24 and 40 bytes, on one thread and on two
// (each half of the rows into its own slots, merged after), with and without transparent huge
// pages on the slots. The slots are fresh memory every time, as a query's would be.
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <time.h>

enum { CUSTOMERS = 1000000, ROWS = 10000000 };
static int32_t *customer_of_row, *sorted_customer;
static double *amount;

static double now(void) { struct timespec t; clock_gettime(CLOCK_MONOTONIC, &t); return t.tv_sec + t.tv_nsec * 1e-9; }

typedef struct { int32_t orders, returned; double revenue; int64_t latest; } Slot24;
typedef struct { int32_t orders, returned, valued, pad; double revenue, squares; int64_t latest; } Slot40;

static size_t rounded(size_t bytes) { return (bytes + (2u << 20)) & ~((size_t)(2u << 20) - 1); }

static void *fresh(size_t bytes, int huge) {
    void *p = mmap(0, rounded(bytes), PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED) { perror("mmap"); exit(1); }
    if (huge) madvise(p, rounded(bytes), MADV_HUGEPAGE);
    return p;
}

static void release(void *p, size_t bytes) { munmap(p, rounded(bytes)); }

typedef struct { int lo, hi, huge; Slot24 *slots; } Half;
static void *add_half(void *arg) {
    Half *h = arg;
    h->slots = fresh(sizeof(Slot24) * CUSTOMERS, h->huge);
    for (int i = h->lo; i < h->hi; i++) {
        Slot24 *s = &h->slots[customer_of_row[i]];
        s->orders++; s->revenue += amount[i]; if (i > s->latest) s->latest = i;
    }
    return 0;
}

int main(void) {
    customer_of_row = malloc(sizeof(int32_t) * ROWS); sorted_customer = malloc(sizeof(int32_t) * ROWS); amount = malloc(sizeof(double) * ROWS);
    srand(42);
    for (int i = 0; i < ROWS; i++) { customer_of_row[i] = rand() % CUSTOMERS; amount[i] = (rand() % 10000) / 100.0; sorted_customer[i] = (int)((int64_t)i * CUSTOMERS / ROWS); }
    for (int round = 0; round < 3; round++) {
        double t = now();
        double *s8 = fresh(sizeof(double) * CUSTOMERS, 0);
        for (int i = 0; i < ROWS; i++) s8[sorted_customer[i]] += amount[i];
        double ordered = now() - t;
        release(s8, sizeof(double) * CUSTOMERS);
        t = now();
        double *r8 = fresh(sizeof(double) * CUSTOMERS, 0);
        for (int i = 0; i < ROWS; i++) r8[customer_of_row[i]] += amount[i];
        double random8 = now() - t;
        release(r8, sizeof(double) * CUSTOMERS);
        double random40[2];
        for (int huge = 0; huge < 2; huge++) {
            t = now();
            Slot40 *s = fresh(sizeof(Slot40) * CUSTOMERS, huge);
            for (int i = 0; i < ROWS; i++) {
                Slot40 *x = &s[customer_of_row[i]];
                x->orders++; x->valued++; x->revenue += amount[i]; x->squares += amount[i] * amount[i]; if (i > x->latest) x->latest = i;
            }
            random40[huge] = now() - t;
            release(s, sizeof(Slot40) * CUSTOMERS);
        }
        double two[2];
        for (int huge = 0; huge < 2; huge++) {
            t = now();
            Half h[2] = {{0, ROWS / 2, huge, 0}, {ROWS / 2, ROWS, huge, 0}};
            pthread_t thread;
            pthread_create(&thread, 0, add_half, &h[1]);
            add_half(&h[0]);
            pthread_join(thread, 0);
            for (int c = 0; c < CUSTOMERS; c++) { h[0].slots[c].orders += h[1].slots[c].orders; h[0].slots[c].revenue += h[1].slots[c].revenue; }
            two[huge] = now() - t;
            release(h[0].slots, sizeof(Slot24) * CUSTOMERS);
            release(h[1].slots, sizeof(Slot24) * CUSTOMERS);
        }
        printf("round %d, ns per row: customer order 8 B %.1f | random order 8 B %.1f, 40 B %.1f, 40 B huge pages %.1f | "
               "two threads 24 B %.1f, huge pages %.1f (wall)\n", round + 1, ordered * 1e9 / ROWS, random8 * 1e9 / ROWS,
               random40[0] * 1e9 / ROWS, random40[1] * 1e9 / ROWS, two[0] * 1e9 / ROWS, two[1] * 1e9 / ROWS);
    }
    return 0;
}
