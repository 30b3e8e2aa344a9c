/* A scratch SQLite store per test, and a run with every field set, shared
 * by the store tests. */
#ifndef HB_STORE_FIXTURE_H
#define HB_STORE_FIXTURE_H

#include "hb/store.h"
#include "test_support.h"

typedef struct fixture {
    char *dir;
    char *path;
    hb_store *store;
} fixture;

/* Opens the store at path with the given busy timeout, failing the test otherwise. */
hb_store *hbt_store_open_at(const char *path, int busy_ms);
/* cmocka setup/teardown: a fresh folder with hb.db open in it (200 ms busy timeout). */
int hbt_store_setup(void **state);
int hbt_store_teardown(void **state);
/* A run with every field set, so a round trip shows each column. */
void hbt_sample_run(hb_run *r, const char *id, const char *workflow, const char *status);
void hbt_run_insert(hb_store *s, const hb_run *r);

#endif
