/* Scratch stores for the store tests. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hb/util.h"
#include "store_fixture.h"

hb_store *hbt_store_open_at(const char *path, int busy_ms)
{
    hb_store_options o = {.busy_timeout_ms = busy_ms};
    hb_store *s = NULL;
    hb_err e;
    hb_err_clear(&e);
    if (hb_store_open_sqlite(path, &o, &s, &e) != HB_OK)
        fail_msg("opening %s: %s", path, e.msg);
    return s;
}

int hbt_store_setup(void **state)
{
    fixture *f = hb_xcalloc(1, sizeof *f);
    f->dir = hbt_tempdir();
    f->path = hb_path_join(f->dir, "hb.db");
    f->store = hbt_store_open_at(f->path, 200);
    *state = f;
    return 0;
}

int hbt_store_teardown(void **state)
{
    fixture *f = *state;
    hb_store_close(f->store);
    hbt_rmtree(f->dir);
    free(f->path);
    free(f->dir);
    free(f);
    return 0;
}

/* A run with every field set, so a round trip shows each column. */
void hbt_sample_run(hb_run *r, const char *id, const char *workflow, const char *status)
{
    memset(r, 0, sizeof *r);
    snprintf(r->id, sizeof r->id, "%s", id);
    r->workflow = hb_xstrdup(workflow);
    r->workflow_file = hb_xasprintf("/wf/%s.lua", workflow);
    memset(r->version, 'a', 64);
    hb_run_status_parse(status, &r->status);
    r->step = hb_xstrdup("read_ticket");
    r->target = HB_TARGET_SANDBOX;
    r->dry_run = true;
    r->actor = hb_xstrdup("alice");
    r->inputs_json = hb_xstrdup("{\"ticket\":123}");
    memset(r->input_key, 'b', 64);
    r->vars_json = hb_xstrdup("{\"org\":7}");
    r->answers_json = hb_xstrdup("{}");
    r->events_json = hb_xstrdup("{}");
    r->wait_json = NULL;
    r->due_at = 0;
    r->error = NULL;
    r->created_at = 1700000000000000;
    r->updated_at = 1700000000000001;
}

void hbt_run_insert(hb_store *s, const hb_run *r)
{
    hb_err e;
    if (s->ops->run_insert(s, r, &e) != HB_OK)
        fail_msg("run_insert: %s", e.msg);
}
