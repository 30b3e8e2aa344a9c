/* Walking compiled Lua 5.4 instructions for global accesses and reads of
 * ctx.input fields (see include/hb/chunk_facts.h for why bytecode).
 *
 * Globals: an access to a global is an index of the _ENV upvalue, normally
 * one GETTABUP/SETTABUP with a constant name. When a function has more than
 * 255 constants the compiler loads _ENV into a register first and indexes
 * it with GETFIELD/GETTABLE, so registers holding _ENV are tracked too.
 *
 * Inputs: `ctx.input` marks the register it lands in; a constant-key index
 * of such a register is a read of that input. Registers are tracked in one
 * pass in instruction order, ignoring jumps: the compiler uses a register
 * for these values right after loading it, and whenever tracking is unsure
 * (ctx or ctx.input handed to a function, stored, returned, or indexed with
 * a computed key) every input counts as possibly read, so the "never read"
 * warning errs towards silence. */
#include <stdlib.h>
#include <string.h>

#include "chunk_internal.h"
#include "hb/chunk_facts.h"
#include "hb/util.h"

enum {
    OP_MOVE = 0,
    OP_LOADK = 3,
    OP_LOADKX = 4,
    OP_LOADNIL = 8,
    OP_GETUPVAL = 9,
    OP_SETUPVAL = 10,
    OP_GETTABUP = 11,
    OP_GETTABLE = 12,
    OP_GETI = 13,
    OP_GETFIELD = 14,
    OP_SETTABUP = 15,
    OP_SETTABLE = 16,
    OP_SETI = 17,
    OP_SETFIELD = 18,
    OP_SELF = 20,
    OP_MMBIN = 46,
    OP_MMBINK = 48,
    OP_CONCAT = 53,
    OP_CLOSE = 54,
    OP_TBC = 55,
    OP_JMP = 56,
    OP_EQ = 57,
    OP_GEI = 65,
    OP_TEST = 66,
    OP_CALL = 68,
    OP_TAILCALL = 69,
    OP_RETURN = 70,
    OP_RETURN0 = 71,
    OP_RETURN1 = 72,
    OP_FORLOOP = 73,
    OP_FORPREP = 74,
    OP_TFORPREP = 75,
    OP_TFORCALL = 76,
    OP_TFORLOOP = 77,
    OP_SETLIST = 78,
    OP_VARARG = 80,
    OP_VARARGPREP = 81,
    OP_EXTRAARG = 82,
};

#define NREGS 256

enum { F_ENV = 1, F_CTX = 2, F_INPUT = 4 };

typedef struct walker {
    hb_chunk_facts *out;
    const chunk_proto *f;
    uint8_t flags[NREGS];
    int kstr[NREGS];     /* index of the string constant a register holds, or -1 */
    char *global[NREGS]; /* name of the global a register was loaded from, or NULL */
    int line;
    bool in_function;
} walker;

static unsigned op_of(uint32_t i)
{
    return i & 0x7f;
}
static unsigned arg_a(uint32_t i)
{
    return (i >> 7) & 0xff;
}
static bool arg_k(uint32_t i)
{
    return (i >> 15) & 1;
}
static unsigned arg_b(uint32_t i)
{
    return (i >> 16) & 0xff;
}
static unsigned arg_c(uint32_t i)
{
    return (i >> 24) & 0xff;
}
static unsigned arg_bx(uint32_t i)
{
    return i >> 15;
}
static unsigned arg_ax(uint32_t i)
{
    return i >> 7;
}

static const char *kstring(const walker *w, size_t idx)
{
    return idx < w->f->nk ? w->f->k[idx].str : NULL;
}

static const char *upvalue_name(const walker *w, unsigned idx)
{
    return idx < w->f->nupvalues ? w->f->upvalue_names[idx] : NULL;
}

static bool is_name(const char *s, const char *name)
{
    return s && !strcmp(s, name);
}

static void clear(walker *w, unsigned reg)
{
    if (reg < NREGS) {
        w->flags[reg] = 0;
        w->kstr[reg] = -1;
        free(w->global[reg]);
        w->global[reg] = NULL;
    }
}

/* Remembers that reg holds the value of a global (after clearing it). */
static void holds_global(walker *w, unsigned reg, const char *name)
{
    if (reg < NREGS && name)
        w->global[reg] = hb_xstrdup(name);
}

static void add_field(walker *w, unsigned reg, const char *field)
{
    if (reg >= NREGS || !w->global[reg] || !field)
        return;
    hb_chunk_facts *o = w->out;
    o->fields = hb_xrealloc(o->fields, (o->nfields + 1) * sizeof *o->fields);
    o->fields[o->nfields++] = (hb_field_use){
        .global = hb_xstrdup(w->global[reg]), .field = hb_xstrdup(field), .line = w->line};
}

static void clear_from(walker *w, unsigned reg)
{
    for (unsigned r = reg; r < NREGS; r++)
        clear(w, r);
}

static void add_global(walker *w, const char *name, bool write)
{
    if (!name)
        return;
    hb_chunk_facts *o = w->out;
    o->globals = hb_xrealloc(o->globals, (o->nglobals + 1) * sizeof *o->globals);
    o->globals[o->nglobals++] = (hb_global_use){
        .name = hb_xstrdup(name), .line = w->line, .write = write, .in_function = w->in_function};
}

static void add_input(walker *w, const char *name)
{
    if (!name) {
        w->out->input_opaque = true;
        return;
    }
    hb_chunk_facts *o = w->out;
    for (size_t i = 0; i < o->ninput_fields; i++)
        if (!strcmp(o->input_fields[i], name))
            return;
    o->input_fields = hb_xrealloc(o->input_fields, (o->ninput_fields + 1) * sizeof(char *));
    o->input_fields[o->ninput_fields++] = hb_xstrdup(name);
}

static void add_require(walker *w, unsigned fn_reg)
{
    if (fn_reg + 1 >= NREGS || !is_name(w->global[fn_reg], "require") || w->kstr[fn_reg + 1] < 0)
        return;
    const char *name = kstring(w, (size_t)w->kstr[fn_reg + 1]);
    hb_chunk_facts *o = w->out;
    for (size_t i = 0; i < o->nrequires; i++)
        if (!strcmp(o->requires[i], name))
            return;
    o->requires = hb_xrealloc(o->requires, (o->nrequires + 1) * sizeof(char *));
    o->requires[o->nrequires++] = hb_xstrdup(name);
}

/* A register holding ctx or ctx.input used in a way this walk cannot follow. */
static void escapes(walker *w, unsigned reg)
{
    if (reg < NREGS && (w->flags[reg] & (F_CTX | F_INPUT)))
        w->out->input_opaque = true;
}

static void escapes_range(walker *w, unsigned from, unsigned count)
{
    for (unsigned r = from; r < from + count && r < NREGS; r++)
        escapes(w, r);
}

/* R[a] := R[b][key] where key names a constant (NULL when computed). A
 * register loaded from a global, or from a field of one, remembers the
 * dotted path (`zendesk`, `zendesk.tickets`), so `zendesk.tickets.get`
 * reads as the field `get` of `zendesk.tickets`. */
static void index_register(walker *w, unsigned a, unsigned b, const char *key, bool key_known)
{
    uint8_t src = b < NREGS ? w->flags[b] : 0;
    uint8_t result = 0;
    char *path = NULL;
    if ((src & F_ENV) && key_known) {
        add_global(w, key, false); /* a computed name (_ENV[x]) cannot be checked */
        path = hb_xstrdup(key);
    } else if (key_known && key && b < NREGS && w->global[b]) {
        const char *base = w->global[b];
        add_field(w, b, key);
        path = hb_xasprintf("%s.%s", base, key);
    }
    if (src & F_INPUT)
        add_input(w, key_known ? key : NULL);
    if ((src & F_CTX) && key_known && is_name(key, "input"))
        result = F_INPUT;
    clear(w, a);
    if (a < NREGS) {
        w->flags[a] = result;
        w->global[a] = path;
    } else {
        free(path);
    }
}

static void step(walker *w, const uint32_t *code, size_t pc, size_t n)
{
    uint32_t i = code[pc];
    unsigned op = op_of(i), a = arg_a(i), b = arg_b(i), c = arg_c(i);
    switch (op) {
    case OP_MOVE:
        if (a < NREGS && b < NREGS && a != b) {
            clear(w, a);
            w->flags[a] = w->flags[b];
            w->kstr[a] = w->kstr[b];
            holds_global(w, a, w->global[b]);
        }
        break;
    case OP_LOADK:
        clear(w, a);
        if (a < NREGS && kstring(w, arg_bx(i)))
            w->kstr[a] = (int)arg_bx(i);
        break;
    case OP_LOADKX:
        clear(w, a);
        if (pc + 1 < n && op_of(code[pc + 1]) == OP_EXTRAARG && a < NREGS &&
            kstring(w, arg_ax(code[pc + 1])))
            w->kstr[a] = (int)arg_ax(code[pc + 1]);
        break;
    case OP_GETUPVAL: {
        const char *name = upvalue_name(w, b);
        clear(w, a);
        if (a < NREGS)
            w->flags[a] = is_name(name, "_ENV") ? F_ENV : is_name(name, "ctx") ? F_CTX : 0;
        break;
    }
    case OP_SETUPVAL:
        escapes(w, a);
        break;
    case OP_GETTABUP: {
        const char *up = upvalue_name(w, b);
        const char *key = kstring(w, c);
        if (is_name(up, "_ENV")) {
            add_global(w, key, false);
            clear(w, a);
            holds_global(w, a, key);
        } else {
            clear(w, a);
            if (a < NREGS && is_name(up, "ctx") && is_name(key, "input"))
                w->flags[a] = F_INPUT;
        }
        break;
    }
    case OP_GETFIELD:
        index_register(w, a, b, kstring(w, c), true);
        break;
    case OP_GETTABLE: {
        int k = c < NREGS ? w->kstr[c] : -1;
        index_register(w, a, b, k >= 0 ? kstring(w, (size_t)k) : NULL, k >= 0);
        break;
    }
    case OP_GETI:
        index_register(w, a, b, NULL, false);
        break;
    case OP_SELF:
        /* R[A+1] := R[B]; R[A] := R[B][K[C]] (a method call) */
        if (b < NREGS && a + 1 < NREGS) {
            uint8_t obj = w->flags[b];
            index_register(w, a, b, arg_k(i) ? kstring(w, c) : NULL, arg_k(i));
            clear(w, a + 1);
            w->flags[a + 1] = obj;
            escapes(w, a + 1);
        }
        break;
    case OP_SETTABUP:
        if (is_name(upvalue_name(w, a), "_ENV"))
            add_global(w, kstring(w, b), true);
        if (!arg_k(i))
            escapes(w, c);
        break;
    case OP_SETFIELD:
        if (a < NREGS && (w->flags[a] & F_ENV))
            add_global(w, kstring(w, b), true);
        if (!arg_k(i))
            escapes(w, c);
        break;
    case OP_SETTABLE:
        if (a < NREGS && (w->flags[a] & F_ENV) && b < NREGS && w->kstr[b] >= 0)
            add_global(w, kstring(w, (size_t)w->kstr[b]), true);
        if (!arg_k(i))
            escapes(w, c);
        break;
    case OP_SETI:
        if (!arg_k(i))
            escapes(w, c);
        break;
    case OP_CALL:
    case OP_TAILCALL:
        if (b == 2)
            add_require(w, a);
        escapes_range(w, a + 1, b ? b - 1 : NREGS);
        clear_from(w, a);
        break;
    case OP_RETURN:
        escapes_range(w, a, b ? b - 1 : NREGS);
        break;
    case OP_RETURN1:
        escapes(w, a);
        break;
    case OP_SETLIST:
        escapes_range(w, a + 1, b ? b : NREGS);
        break;
    case OP_CONCAT:
    case OP_LOADNIL:
    case OP_VARARG:
    case OP_FORLOOP:
    case OP_FORPREP:
    case OP_TFORPREP:
    case OP_TFORCALL:
    case OP_TFORLOOP:
        clear_from(w, a);
        break;
    case OP_RETURN0:
    case OP_CLOSE:
    case OP_TBC:
    case OP_JMP:
    case OP_TEST:
    case OP_VARARGPREP:
    case OP_EXTRAARG:
        break;
    default:
        if ((op >= OP_MMBIN && op <= OP_MMBINK) || (op >= OP_EQ && op <= OP_GEI))
            break; /* reads only */
        clear(w, a);
    }
}

static void walk(const chunk_proto *f, hb_chunk_facts *out, bool in_function)
{
    walker w = {.out = out, .f = f, .in_function = in_function};
    for (size_t r = 0; r < NREGS; r++)
        w.kstr[r] = -1;
    if (f->numparams >= 1 && is_name(f->first_param, "ctx"))
        w.flags[0] = F_CTX;
    int *lines = hb_xcalloc(f->ncode ? f->ncode : 1, sizeof *lines);
    hb_chunk_lines(f, lines);
    for (size_t pc = 0; pc < f->ncode; pc++) {
        w.line = lines[pc];
        step(&w, f->code, pc, f->ncode);
    }
    for (size_t r = 0; r < NREGS; r++)
        free(w.global[r]);
    free(lines);
    for (size_t i = 0; i < f->nprotos; i++)
        walk(&f->protos[i], out, true);
}

hb_status hb_chunk_facts_read(const char *chunkname, const char *src, size_t len,
                              hb_chunk_facts *out, hb_err *e)
{
    memset(out, 0, sizeof *out);
    chunk_proto main;
    hb_status st = hb_chunk_compile(chunkname, src, len, &main, e);
    if (st != HB_OK)
        return st;
    walk(&main, out, false);
    hb_chunk_proto_free(&main);
    return HB_OK;
}

void hb_chunk_facts_free(hb_chunk_facts *f)
{
    for (size_t i = 0; i < f->nglobals; i++)
        free(f->globals[i].name);
    free(f->globals);
    for (size_t i = 0; i < f->nfields; i++) {
        free(f->fields[i].global);
        free(f->fields[i].field);
    }
    free(f->fields);
    for (size_t i = 0; i < f->ninput_fields; i++)
        free(f->input_fields[i]);
    free(f->input_fields);
    for (size_t i = 0; i < f->nrequires; i++)
        free(f->requires[i]);
    free(f->requires);
    memset(f, 0, sizeof *f);
}
