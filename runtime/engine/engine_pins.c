/* Pinned sources: a run records the exact text of its workflow and of every
 * module it loads (by sha256), so a waiting run resumes under its own
 * versions even after the files change. */
#include <stdlib.h>
#include <string.h>

#include "engine_internal.h"
#include "hb/sha256.h"
#include "hb/util.h"

/* Pins are named "stdlib:NAME" or "lib:NAME" (the environment a module runs
 * in must survive the replay) and "workflow:FILE" for the workflow itself. */
static const char *bare_name(const char *pinned)
{
    const char *colon = strchr(pinned, ':');
    return colon ? colon + 1 : pinned;
}

static hb_pin *find_pin(hb_exec *x, const char *module)
{
    for (size_t i = 0; i < x->npins; i++)
        if (!hb_str_starts_with(x->pins[i].module, "workflow:") &&
            !strcmp(bare_name(x->pins[i].module), module))
            return &x->pins[i];
    return NULL;
}

static hb_pin *add_pin(hb_exec *x, const char *module, const char *content, size_t len)
{
    x->pins = hb_xrealloc(x->pins, (x->npins + 1) * sizeof *x->pins);
    hb_pin *p = &x->pins[x->npins++];
    p->module = hb_xstrdup(module);
    p->content = hb_xstrndup(content, len);
    p->len = len;
    hb_sha256_hex(content, len, p->sha);
    return p;
}

static hb_status write_pin(hb_exec *x, const hb_pin *p, hb_err *e)
{
    hb_status st = x->store->ops->source_put(x->store, p->sha, p->content, p->len, e);
    if (st == HB_OK)
        st = x->store->ops->run_source_add(x->store, x->run.id, p->module, p->sha, e);
    return st;
}

/* A module read from a file. Before the run exists it is kept for
 * hb_pins_write; afterwards (a `require` inside a step) it is written at once. */
static hb_status on_loaded(void *ud, const char *module, const char *path, const char *content,
                           size_t len, hb_err *e)
{
    hb_exec *x = ud;
    if (find_pin(x, module))
        return HB_OK;
    bool from_stdlib = x->eng->stdlib_dir && hb_str_starts_with(path, x->eng->stdlib_dir);
    char *name = hb_xasprintf("%s:%s", from_stdlib ? "stdlib" : "lib", module);
    hb_pin *p = add_pin(x, name, content, len);
    free(name);
    if (!x->run_inserted)
        return HB_OK;
    hb_status st = hb_store_begin(x->store, e);
    if (st != HB_OK)
        return st;
    return hb_exec_end_tx(x, write_pin(x, p, e), e);
}

/* On resume, modules the run pinned are served from the store. */
static hb_status on_lookup(void *ud, const char *module, const char **content, size_t *len,
                           bool *is_stdlib, hb_err *e)
{
    (void)e;
    hb_exec *x = ud;
    *content = NULL;
    hb_pin *p = x->replaying ? find_pin(x, module) : NULL;
    if (!p)
        return HB_EUSAGE; /* not pinned: read the file (and pin it) */
    *content = p->content;
    *len = p->len;
    *is_stdlib = hb_str_starts_with(p->module, "stdlib:");
    return HB_OK;
}

void hb_pins_hooks(hb_exec *x, hb_lua_modules *mods)
{
    mods->lookup = on_lookup;
    mods->loaded = on_loaded;
    mods->ud = x;
}

void hb_pins_add_workflow(hb_exec *x, const char *file, const char *content, size_t len)
{
    char *name = hb_xasprintf("workflow:%s", file);
    add_pin(x, name, content, len);
    free(name);
}

const hb_pin *hb_pins_workflow(const hb_exec *x)
{
    for (size_t i = 0; i < x->npins; i++)
        if (hb_str_starts_with(x->pins[i].module, "workflow:"))
            return &x->pins[i];
    return NULL;
}

hb_status hb_pins_write(hb_exec *x, hb_err *e)
{
    for (size_t i = 0; i < x->npins; i++) {
        hb_status st = write_pin(x, &x->pins[i], e);
        if (st != HB_OK)
            return st;
    }
    return HB_OK;
}

typedef struct load_ctx {
    hb_exec *x;
    hb_err *e;
    hb_status st;
} load_ctx;

static int load_one(const char *module, const char *sha, void *ud)
{
    load_ctx *c = ud;
    char *content = NULL;
    size_t len = 0;
    c->st = c->x->store->ops->source_get(c->x->store, sha, &content, &len, c->e);
    if (c->st != HB_OK)
        return 1;
    hb_pin *p = add_pin(c->x, module, content, len);
    free(content);
    if (strcmp(p->sha, sha) != 0) {
        c->st = hb_err_set(c->e, HB_EINTERNAL,
                           "pinned source of module '%s' does not match its digest %s: the store "
                           "was altered",
                           module, sha);
        return 1;
    }
    return 0;
}

hb_status hb_pins_load_for_resume(hb_exec *x, hb_err *e)
{
    load_ctx c = {.x = x, .e = e, .st = HB_OK};
    hb_status st = x->store->ops->run_sources(x->store, x->run.id, load_one, &c, e);
    if (st != HB_OK)
        return st;
    x->replaying = true;
    return c.st;
}

void hb_pins_free(hb_exec *x)
{
    for (size_t i = 0; i < x->npins; i++) {
        free(x->pins[i].module);
        free(x->pins[i].content);
    }
    free(x->pins);
    x->pins = NULL;
    x->npins = 0;
}
