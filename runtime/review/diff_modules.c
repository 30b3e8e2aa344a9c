/* The modules a version of a workflow loads, and what changed in them.
 *
 * A run pins its workflow and every module it loads, so a change to a
 * module (the customer-facing texts of lib/messages.lua, a shared helper) is
 * a change to every workflow that loads it. The set is found the way a run
 * finds it: the modules required while the file loads (heard through the
 * loader's hooks), the services of `uses` (the engine requires them before
 * the first step), and, without running anything, every constant
 * `require "x"` in the functions of the file and of those modules.
 *
 * A version at a git revision loads its lib/ modules at that revision too
 * (served to the loader by the lookup hook), so its steps are read as they
 * were. stdlib/ modules load from hb's own files, which match the C reader
 * of this hb; for the comparison their text is taken at the revision when
 * stdlib/ is in the same work tree (hb's own repository). */
#include <ctype.h>
#include <dirent.h>
#include <stdlib.h>
#include <string.h>

#include "chunk_internal.h"
#include "diff_internal.h"
#include "hb/chunk_facts.h"
#include "hb/file_kind.h"
#include "hb/paths.h"
#include "hb/workflow_find.h"

#define HUNK_CONTEXT 2

struct hb_diff_load {
    hb_diff_side *side;
    char *stdlib_dir;
    char *home; /* the workflow folder; its lib/ holds the lib modules */
};

/* "a.b" -> "a/b.lua" */
static char *rel_path(const char *name)
{
    char *rel = hb_xasprintf("%s.lua", name);
    for (char *p = rel; p < rel + strlen(name); p++)
        if (*p == '.')
            *p = '/';
    return rel;
}

static hb_diff_module *find_module(const hb_diff_side *s, const char *name)
{
    for (size_t i = 0; i < s->nmodules; i++)
        if (!strcmp(s->modules[i].name, name))
            return &s->modules[i];
    return NULL;
}

/* Takes src. */
static hb_diff_module *add_module(hb_diff_side *s, const char *name, bool stdlib, char *path,
                                  char *src, size_t len)
{
    s->modules = hb_xrealloc(s->modules, (s->nmodules + 1) * sizeof *s->modules);
    hb_diff_module *m = &s->modules[s->nmodules++];
    *m = (hb_diff_module){
        .name = hb_xstrdup(name), .path = path, .stdlib = stdlib, .src = src, .len = len};
    return m;
}

static char *stdlib_shown(const char *rel)
{
    return hb_xasprintf("stdlib/%s", rel);
}

/* The text of lib/REL in this version, or NULL when it has none. */
static char *lib_text(hb_diff_load *l, const char *rel, size_t *len)
{
    char *lib_rel = hb_path_join("lib", rel);
    char *path = hb_path_join(l->home, lib_rel);
    char *text = NULL;
    hb_err e;
    if (l->side->rev) {
        hb_buf out;
        hb_buf_init(&out);
        if (hb_git_show(l->home, l->side->rev, lib_rel, path, &out, &e) == HB_OK) {
            *len = out.len;
            text = out.data ? hb_buf_take(&out) : hb_xstrdup("");
        }
        hb_buf_free(&out);
    } else if (hb_file_exists(path)) {
        text = hb_read_file(path, len, &e);
    }
    free(path);
    free(lib_rel);
    return text;
}

/* What require accepts (lua/lua_modules.c): names of letters, digits, '_'
 * and '-' joined by single dots. A constant found in a chunk may be any
 * string; one like "../x" must not read a file outside the two folders. */
static bool module_name_ok(const char *name)
{
    bool after_dot = true;
    for (const char *p = name; *p; p++) {
        if (*p == '.') {
            if (after_dot)
                return false;
            after_dot = true;
        } else if (isalnum((unsigned char)*p) || *p == '_' || *p == '-') {
            after_dot = false;
        } else {
            return false;
        }
    }
    return !after_dot;
}

/* A module found as require finds it (stdlib/ first, then lib/), recorded
 * with its text; NULL when neither has it. */
static hb_diff_module *resolve(hb_diff_load *l, const char *name)
{
    hb_diff_module *m = find_module(l->side, name);
    if (m || !module_name_ok(name))
        return m;
    char *rel = rel_path(name);
    char *file = hb_path_join(l->stdlib_dir, rel);
    size_t len = 0;
    hb_err e;
    if (hb_file_exists(file)) {
        char *text = hb_read_file(file, &len, &e);
        if (text)
            m = add_module(l->side, name, true, stdlib_shown(rel), text, len);
    } else {
        char *text = lib_text(l, rel, &len);
        if (text) {
            char *lib_rel = hb_path_join("lib", rel);
            m = add_module(l->side, name, false, hb_path_join(l->home, lib_rel), text, len);
            free(lib_rel);
        }
    }
    free(file);
    free(rel);
    return m;
}

/* A revision's lib/ modules come from git; stdlib/ ones fall through to the
 * files (and reach on_loaded). */
static hb_status on_lookup(void *ud, const char *module, const char **content, size_t *len,
                           bool *is_stdlib, hb_err *e)
{
    hb_diff_load *l = ud;
    char *rel = rel_path(module);
    char *file = hb_path_join(l->stdlib_dir, rel);
    bool in_stdlib = hb_file_exists(file);
    free(file);
    free(rel);
    if (in_stdlib)
        return HB_EUSAGE;
    hb_diff_module *m = resolve(l, module);
    if (!m || !m->src)
        return hb_err_set(e, HB_EFAILED, "module '%s' not found in %s/lib at %s", module, l->home,
                          l->side->rev);
    *content = m->src;
    *len = m->len;
    *is_stdlib = false;
    return HB_OK;
}

static hb_status on_loaded(void *ud, const char *module, const char *path, const char *content,
                           size_t len, hb_err *e)
{
    (void)e;
    hb_diff_load *l = ud;
    if (find_module(l->side, module))
        return HB_OK;
    size_t n = strlen(l->stdlib_dir);
    bool stdlib = !strncmp(path, l->stdlib_dir, n) && path[n] == '/';
    add_module(l->side, module, stdlib, stdlib ? stdlib_shown(path + n + 1) : hb_xstrdup(path),
               hb_xstrndup(content, len), len);
    return HB_OK;
}

hb_diff_load *hb_diff_load_new(hb_diff_side *side, const char *home)
{
    hb_diff_load *l = hb_xcalloc(1, sizeof *l);
    l->side = side;
    l->stdlib_dir = hb_stdlib_dir();
    l->home = hb_xstrdup(home);
    return l;
}

void hb_diff_load_hooks(hb_diff_load *l, hb_lua_modules *mods)
{
    mods->stdlib_dir = l->stdlib_dir;
    mods->workflow_dir = l->home;
    mods->lookup = l->side->rev ? on_lookup : NULL;
    mods->loaded = on_loaded;
    mods->ud = l;
}

void hb_diff_load_free(hb_diff_load *l)
{
    if (!l)
        return;
    free(l->stdlib_dir);
    free(l->home);
    free(l);
}

static void add_requires_of(hb_diff_load *l, const char *chunkname, const char *src, size_t len)
{
    hb_chunk_facts f;
    hb_err e;
    if (!src || hb_chunk_facts_read(chunkname, src, len, &f, &e) != HB_OK)
        return;
    for (size_t i = 0; i < f.nrequires; i++)
        resolve(l, f.requires[i]);
    hb_chunk_facts_free(&f);
}

/* stdlib/ at the revision, when the revision has it: hb's own repository. */
static void stdlib_at_rev(hb_diff_load *l)
{
    char *top = hb_git_toplevel(l->home);
    char *stdlib_top = top ? hb_git_toplevel(l->stdlib_dir) : NULL;
    bool same = top && stdlib_top && !strcmp(top, stdlib_top);
    free(top);
    free(stdlib_top);
    if (!same)
        return;
    for (size_t i = 0; i < l->side->nmodules; i++) {
        hb_diff_module *m = &l->side->modules[i];
        if (!m->stdlib)
            continue;
        char *rel = rel_path(m->name);
        hb_buf out;
        hb_buf_init(&out);
        hb_err e;
        free(m->src);
        m->src = NULL;
        m->len = 0;
        if (hb_git_show(l->stdlib_dir, l->side->rev, rel, m->path, &out, &e) == HB_OK) {
            m->len = out.len;
            m->src = out.data ? hb_buf_take(&out) : hb_xstrdup("");
        }
        hb_buf_free(&out);
        free(rel);
    }
}

static int by_kind_then_name(const void *a, const void *b)
{
    const hb_diff_module *x = a, *y = b;
    if (x->stdlib != y->stdlib)
        return x->stdlib ? 1 : -1;
    return strcmp(x->name, y->name);
}

void hb_diff_modules_close(hb_diff_load *l)
{
    hb_diff_side *s = l->side;
    if (s->kind == HB_DIFF_MODULE && !find_module(s, s->module)) {
        hb_file_info info;
        hb_file_info_of(s->path, &info);
        add_module(s, s->module, info.kind == HB_FILE_STDLIB_MODULE, hb_xstrdup(s->path),
                   hb_xstrndup(s->src, s->len), s->len);
        hb_file_info_free(&info);
    }
    add_requires_of(l, s->label, s->src, s->len);
    for (size_t i = 0; s->wf && i < s->wf->nuses; i++)
        resolve(l, s->wf->uses[i]);
    /* resolve() appends: the loop reaches what each new module requires. */
    for (size_t i = 0; i < s->nmodules; i++) {
        char *chunkname = hb_xstrdup(s->modules[i].path);
        add_requires_of(l, chunkname, s->modules[i].src, s->modules[i].len);
        free(chunkname);
    }
    if (s->rev)
        stdlib_at_rev(l);
    qsort(s->modules, s->nmodules, sizeof *s->modules, by_kind_then_name);
}

void hb_diff_modules_free(hb_diff_side *s)
{
    for (size_t i = 0; i < s->nmodules; i++) {
        free(s->modules[i].name);
        free(s->modules[i].path);
        free(s->modules[i].src);
    }
    free(s->modules);
    s->modules = NULL;
    s->nmodules = 0;
}

char *hb_diff_loaded_text(const hb_diff_side *side, const char *source, size_t *len)
{
    for (size_t i = 0; i < side->nmodules; i++) {
        const hb_diff_module *m = &side->modules[i];
        if (!m->stdlib && m->src && !strcmp(m->path, source)) {
            *len = m->len;
            return hb_xstrndup(m->src, m->len);
        }
    }
    /* stdlib/ runs from hb's own files, whatever the revision. */
    return hb_read_file(source, len, NULL);
}

/* ---- comparing module texts ---------------------------------------------- */

typedef struct text_lines {
    char **lines;
    size_t n;
    chunk_proto main; /* its functions' line ranges; empty when it does not compile */
    bool compiled;
} text_lines;

static void lines_of(const hb_diff_module *m, text_lines *t)
{
    memset(t, 0, sizeof *t);
    const char *p = m->src, *end = m->src + m->len;
    while (p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        const char *stop = nl ? nl : end;
        t->lines = hb_xrealloc(t->lines, (t->n + 1) * sizeof *t->lines);
        t->lines[t->n++] = hb_xstrndup(p, (size_t)(stop - p));
        p = nl ? nl + 1 : end;
    }
    hb_err e;
    t->compiled = hb_chunk_compile(m->path, m->src, m->len, &t->main, &e) == HB_OK;
}

static void lines_free(text_lines *t)
{
    for (size_t i = 0; i < t->n; i++)
        free(t->lines[i]);
    free(t->lines);
    if (t->compiled)
        hb_chunk_proto_free(&t->main);
}

/* The first line of the outermost function holding `line` (1-based),
 * trimmed to its signature, or NULL at the top level. */
static char *function_at(const text_lines *t, int line)
{
    if (!t->compiled)
        return NULL;
    for (size_t i = 0; i < t->main.nprotos; i++) {
        const chunk_proto *f = &t->main.protos[i];
        if (line < f->linedefined || line > f->lastlinedefined || f->linedefined < 1 ||
            (size_t)f->linedefined > t->n)
            continue;
        const char *text = t->lines[f->linedefined - 1];
        while (*text == ' ' || *text == '\t')
            text++;
        const char *fn = strstr(text, "function");
        const char *close = fn ? strchr(fn, ')') : NULL;
        size_t len = close ? (size_t)(close - text + 1) : strlen(text);
        return hb_xstrndup(text, len > 100 ? 100 : len);
    }
    return NULL;
}

typedef struct hunk_range {
    size_t first, last; /* 0-based lines; first > last when none */
} hunk_range;

static void widen(hunk_range *r, size_t line)
{
    if (r->first > r->last) {
        r->first = r->last = line;
        return;
    }
    if (line < r->first)
        r->first = line;
    if (line > r->last)
        r->last = line;
}

static void print_range(hb_buf *out, const hunk_range *r)
{
    if (r->first > r->last)
        hb_buf_puts(out, "none");
    else if (r->first == r->last)
        hb_buf_printf(out, "%zu", r->first + 1);
    else
        hb_buf_printf(out, "%zu-%zu", r->first + 1, r->last + 1);
}

static void print_hunk(hb_buf *out, const text_lines *a, const text_lines *b,
                       const hb_line_edit *ed, size_t from, size_t to)
{
    hunk_range ra = {1, 0}, rb = {1, 0};
    int at = 0;
    bool in_new = true;
    for (size_t k = from; k < to; k++) {
        if (ed[k].op != '+')
            widen(&ra, ed[k].a);
        if (ed[k].op != '-')
            widen(&rb, ed[k].b);
        if (!at && ed[k].op != ' ') {
            in_new = ed[k].op == '+';
            at = (int)(in_new ? ed[k].b : ed[k].a) + 1;
        }
    }
    char *fn = function_at(in_new ? b : a, at);
    if (!fn)
        fn = function_at(in_new ? a : b, (int)(in_new ? ed[from].a : ed[from].b) + 1);
    hb_buf_printf(out, "  %s, lines ", fn ? fn : "top level");
    print_range(out, &ra);
    hb_buf_puts(out, " -> ");
    print_range(out, &rb);
    hb_buf_puts(out, ":\n");
    free(fn);
    for (size_t k = from; k < to; k++)
        hb_buf_printf(out, "    %c %s\n", ed[k].op,
                      ed[k].op == '-' ? a->lines[ed[k].a] : b->lines[ed[k].b]);
}

/* The changed lines with HUNK_CONTEXT lines around them; false when the
 * texts differ only in indentation or trailing blanks. */
static bool module_hunks(const hb_diff_module *om, const hb_diff_module *nm, hb_buf *out)
{
    text_lines a, b;
    lines_of(om, &a);
    lines_of(nm, &b);
    hb_line_edit *ed;
    size_t n = hb_line_edits(a.lines, a.n, b.lines, b.n, &ed);
    bool any = false;
    size_t k = 0;
    while (k < n) {
        if (ed[k].op == ' ') {
            k++;
            continue;
        }
        any = true;
        size_t from = k >= HUNK_CONTEXT ? k - HUNK_CONTEXT : 0;
        size_t last = k, j = k + 1;
        for (; j < n; j++) {
            if (ed[j].op != ' ')
                last = j;
            else if (j - last > 2 * HUNK_CONTEXT)
                break;
        }
        size_t to = last + HUNK_CONTEXT + 1 < n ? last + HUNK_CONTEXT + 1 : n;
        print_hunk(out, &a, &b, ed, from, to);
        k = to;
    }
    free(ed);
    lines_free(&a);
    lines_free(&b);
    return any;
}

static void module_note(hb_diff *d, const char *fmt, const hb_diff_module *m)
{
    size_t start = d->text.len;
    hb_buf_printf(&d->text, fmt, m->name, m->path);
    hb_buf_putc(&d->text, '\n');
    hb_buf_append(&d->outside, d->text.data + start, d->text.len - start);
    d->nchanges++;
    d->nmodules_changed++;
}

/* A stdlib/ module that one version loads and the other does not follows
 * from a change the report already shows (a service in `uses`, a require in
 * a function body); a lib/ one may be required at the top level, which no
 * step shows, so it gets its line. */
void hb_diff_compare_modules(const hb_diff_side *o, const hb_diff_side *n, hb_diff *d)
{
    for (size_t i = 0; i < n->nmodules; i++) {
        const hb_diff_module *nm = &n->modules[i];
        const hb_diff_module *om = find_module(o, nm->name);
        if (!om) {
            if (!nm->stdlib && nm->src)
                module_note(d, "module added: %s (%s): the new version loads it", nm);
        } else if (!om->src && nm->src) {
            module_note(d, "module added: %s (%s): new in this version", nm);
        } else if (om->src && !nm->src) {
            module_note(d, "module removed: %s (%s): not in the new version", om);
        } else if (om->src && (om->len != nm->len || memcmp(om->src, nm->src, nm->len))) {
            hb_buf hunks;
            hb_buf_init(&hunks);
            if (module_hunks(om, nm, &hunks)) {
                module_note(d, "module changed: %s (%s)", nm);
                hb_buf_append(&d->text, hunks.data, hunks.len);
            }
            hb_buf_free(&hunks);
        }
    }
    for (size_t i = 0; i < o->nmodules; i++)
        if (!o->modules[i].stdlib && o->modules[i].src && !find_module(n, o->modules[i].name))
            module_note(d, "module removed: %s (%s): the new version no longer loads it",
                        &o->modules[i]);
}

/* ---- the workflows a module reaches -------------------------------------- */

typedef struct reach {
    const hb_diff_side *module_side;
    hb_buf *out;
    size_t count;
} reach;

static void check_workflow(reach *r, const char *file)
{
    const hb_diff_side *ms = r->module_side;
    char *spec = ms->rev ? hb_xasprintf("%s@%s", file, ms->rev) : hb_xstrdup(file);
    hb_diff_side side;
    hb_err e;
    if (hb_diff_side_load(spec, &side, &e) == HB_OK && side.kind == HB_DIFF_WORKFLOW) {
        hb_file_info info;
        hb_file_info_of(ms->path, &info);
        const hb_diff_module *m = find_module(&side, ms->module);
        bool stdlib = info.kind == HB_FILE_STDLIB_MODULE;
        if (m && m->src && m->stdlib == stdlib) {
            char *name = side.wf ? hb_xstrdup(side.wf->name) : hb_basename_noext(file, ".lua");
            hb_buf_printf(r->out, "  %s (%s)\n", name, file);
            free(name);
            r->count++;
        }
        hb_file_info_free(&info);
    }
    hb_diff_side_free(&side);
    free(spec);
}

static int by_name(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static void reach_in_folder(reach *r, const char *home)
{
    DIR *dir = opendir(home);
    if (!dir)
        return;
    char **files = NULL;
    size_t n = 0;
    for (struct dirent *de; (de = readdir(dir));) {
        if (de->d_name[0] == '.' || !hb_str_ends_with(de->d_name, ".lua"))
            continue;
        files = hb_xrealloc(files, (n + 1) * sizeof *files);
        files[n++] = hb_path_join(home, de->d_name);
    }
    closedir(dir);
    qsort(files, n, sizeof *files, by_name);
    for (size_t i = 0; i < n; i++) {
        check_workflow(r, files[i]);
        free(files[i]);
    }
    free(files);
}

static void reach_on_path(const char *name, const char *file, void *ud)
{
    (void)name;
    check_workflow(ud, file);
}

size_t hb_diff_module_reach(const hb_diff_side *module_side, hb_buf *out)
{
    reach r = {.module_side = module_side, .out = out};
    hb_file_info info;
    hb_file_info_of(module_side->path, &info);
    if (info.kind == HB_FILE_LIB_MODULE)
        reach_in_folder(&r, info.home);
    else if (info.kind == HB_FILE_STDLIB_MODULE)
        hb_workflow_each(reach_on_path, &r);
    hb_file_info_free(&info);
    return r.count;
}
