/* Reading a Lua 5.4 binary chunk (what lua_dump writes) into prototypes:
 * code, constants, nested functions, line info and upvalue names. Every
 * read is bounds-checked; a chunk that does not parse is reported, never
 * trusted. The layout follows the 5.4 dump: header, then per function
 * source, line range, parameters, code, constants, upvalues, nested
 * functions, debug info. */
#include <lauxlib.h>
#include <lua.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "chunk_internal.h"
#include "hb/lua_host.h"
#include "hb/util.h"

#define LUA54_VERSION    0x54
#define LUA54_FORMAT     0
#define ABSLINEINFO_MARK (-0x80)
#define MAX_NESTING      200

/* Constant type tags of the 5.4 dump (type | variant << 4). */
enum {
    K_NIL = 0x00,
    K_FALSE = 0x01,
    K_TRUE = 0x11,
    K_INT = 0x03,
    K_FLOAT = 0x13,
    K_SHORT_STRING = 0x04,
    K_LONG_STRING = 0x14,
};

typedef struct reader {
    const uint8_t *p;
    const uint8_t *end;
    bool bad;
    size_t int_size;
    size_t num_size;
} reader;

static bool need(reader *r, size_t n)
{
    if (r->bad || (size_t)(r->end - r->p) < n) {
        r->bad = true;
        return false;
    }
    return true;
}

static uint8_t read_byte(reader *r)
{
    if (!need(r, 1))
        return 0;
    return *r->p++;
}

static void skip(reader *r, size_t n)
{
    if (need(r, n))
        r->p += n;
}

/* Sizes are written most significant group first, 7 bits a byte, the last
 * byte flagged with 0x80. */
static size_t read_size(reader *r)
{
    size_t x = 0;
    for (int i = 0; i < 10; i++) {
        uint8_t b = read_byte(r);
        if (r->bad)
            return 0;
        x = (x << 7) | (b & 0x7f);
        if (b & 0x80) {
            if (x > (size_t)INT32_MAX) {
                r->bad = true;
                return 0;
            }
            return x;
        }
    }
    r->bad = true;
    return 0;
}

/* NULL for the absent string (size 0). */
static char *read_string(reader *r)
{
    size_t size = read_size(r);
    if (size == 0 || !need(r, size - 1))
        return NULL;
    char *s = hb_xstrndup((const char *)r->p, size - 1);
    r->p += size - 1;
    return s;
}

/* A count of items of at least min_bytes each, checked against what is
 * left so a corrupt count cannot ask for a huge allocation. */
static size_t read_count(reader *r, size_t min_bytes)
{
    size_t n = read_size(r);
    if (min_bytes && n > (size_t)(r->end - r->p) / min_bytes)
        r->bad = true;
    return r->bad ? 0 : n;
}

static void read_function(reader *r, chunk_proto *f, int depth);

static void read_constants(reader *r, chunk_proto *f)
{
    f->nk = read_count(r, 1);
    f->k = hb_xcalloc(f->nk ? f->nk : 1, sizeof *f->k);
    for (size_t i = 0; i < f->nk && !r->bad; i++) {
        uint8_t tag = read_byte(r);
        f->k[i].tag = tag;
        switch (tag) {
        case K_NIL:
        case K_FALSE:
        case K_TRUE:
            break;
        case K_INT:
            skip(r, r->int_size);
            break;
        case K_FLOAT:
            skip(r, r->num_size);
            break;
        case K_SHORT_STRING:
        case K_LONG_STRING:
            f->k[i].str = read_string(r);
            break;
        default:
            r->bad = true;
        }
    }
}

static void read_debug(reader *r, chunk_proto *f)
{
    f->nlineinfo = read_count(r, 1);
    f->lineinfo = hb_xcalloc(f->nlineinfo ? f->nlineinfo : 1, 1);
    if (need(r, f->nlineinfo)) {
        memcpy(f->lineinfo, r->p, f->nlineinfo);
        r->p += f->nlineinfo;
    }
    f->nabs = read_count(r, 2);
    f->abs = hb_xcalloc(f->nabs ? f->nabs : 1, sizeof *f->abs);
    for (size_t i = 0; i < f->nabs && !r->bad; i++) {
        f->abs[i].pc = (int)read_size(r);
        f->abs[i].line = (int)read_size(r);
    }
    size_t nlocals = read_count(r, 3);
    for (size_t i = 0; i < nlocals && !r->bad; i++) {
        /* Parameters are the first locals, in order. */
        char *name = read_string(r);
        if (i == 0 && f->numparams >= 1)
            f->first_param = name;
        else
            free(name);
        read_size(r);
        read_size(r);
    }
    size_t nnames = read_count(r, 1);
    if (nnames > f->nupvalues)
        r->bad = true;
    for (size_t i = 0; i < nnames && !r->bad; i++)
        f->upvalue_names[i] = read_string(r);
}

static void read_function(reader *r, chunk_proto *f, int depth)
{
    if (depth > MAX_NESTING) {
        r->bad = true;
        return;
    }
    free(read_string(r)); /* source: the chunk name, known already */
    f->linedefined = (int)read_size(r);
    f->lastlinedefined = (int)read_size(r);
    f->numparams = read_byte(r);
    read_byte(r); /* is_vararg */
    read_byte(r); /* maxstacksize */
    f->ncode = read_count(r, 4);
    f->code = hb_xcalloc(f->ncode ? f->ncode : 1, sizeof *f->code);
    for (size_t i = 0; i < f->ncode && need(r, 4); i++) {
        /* lua_dump writes instructions in the host's byte order. */
        memcpy(&f->code[i], r->p, 4);
        r->p += 4;
    }
    read_constants(r, f);
    f->nupvalues = read_count(r, 3);
    f->upvalue_names = hb_xcalloc(f->nupvalues ? f->nupvalues : 1, sizeof *f->upvalue_names);
    skip(r, f->nupvalues * 3); /* instack, idx, kind */
    f->nprotos = read_count(r, 1);
    f->protos = hb_xcalloc(f->nprotos ? f->nprotos : 1, sizeof *f->protos);
    for (size_t i = 0; i < f->nprotos && !r->bad; i++)
        read_function(r, &f->protos[i], depth + 1);
    read_debug(r, f);
}

static hb_status read_header(reader *r, hb_err *e)
{
    static const char SIGNATURE[] = "\x1bLua";
    static const char DATA[] = "\x19\x93\r\n\x1a\n";
    if (!need(r, 4) || memcmp(r->p, SIGNATURE, 4))
        return hb_err_set(e, HB_EINTERNAL, "compiled chunk has no Lua signature");
    r->p += 4;
    uint8_t version = read_byte(r);
    uint8_t format = read_byte(r);
    if (version != LUA54_VERSION || format != LUA54_FORMAT)
        return hb_err_set(e, HB_EINTERNAL,
                          "compiled chunk is Lua bytecode version %x format %d; hb's static "
                          "analysis reads only Lua 5.4 (54, format 0)",
                          version, format);
    if (!need(r, 6) || memcmp(r->p, DATA, 6))
        return hb_err_set(e, HB_EINTERNAL, "compiled chunk header is damaged");
    r->p += 6;
    if (read_byte(r) != 4)
        return hb_err_set(e, HB_EINTERNAL, "compiled chunk has instructions that are not 32-bit");
    r->int_size = read_byte(r);
    r->num_size = read_byte(r);
    skip(r, r->int_size + r->num_size); /* LUAC_INT, LUAC_NUM: byte-order checks */
    read_byte(r);                       /* upvalues of the main function */
    return r->bad ? hb_err_set(e, HB_EINTERNAL, "compiled chunk header is truncated") : HB_OK;
}

static int collect_dump(lua_State *L, const void *p, size_t sz, void *ud)
{
    (void)L;
    hb_buf_append(ud, p, sz);
    return 0;
}

/* Compiling needs no library: a bare state, closed at once. */
hb_status hb_chunk_compile(const char *chunkname, const char *src, size_t len, chunk_proto *main,
                           hb_err *e)
{
    memset(main, 0, sizeof *main);
    lua_State *L = luaL_newstate();
    if (!L)
        return hb_err_set(e, HB_EINTERNAL, "out of memory creating a Lua state");
    char *name = hb_xasprintf("@%s", chunkname);
    int rc = luaL_loadbufferx(L, src, len, name, "t");
    free(name);
    if (rc != LUA_OK) {
        hb_status st = hb_lua_load_error(L, rc, chunkname, src, len, e);
        lua_close(L);
        return st;
    }
    hb_buf dump;
    hb_buf_init(&dump);
    lua_dump(L, collect_dump, &dump, 0);
    lua_close(L);

    reader r = {.p = (const uint8_t *)dump.data, .end = (const uint8_t *)dump.data + dump.len};
    hb_status st = read_header(&r, e);
    if (st == HB_OK) {
        read_function(&r, main, 0);
        if (r.bad)
            st =
                hb_err_set(e, HB_EINTERNAL, "%s: compiled chunk could not be read back", chunkname);
    }
    hb_buf_free(&dump);
    return st;
}

/* Line of each instruction: a running sum of per-instruction deltas, with an
 * absolute entry wherever the delta did not fit in a byte. */
void hb_chunk_lines(const chunk_proto *f, int *lines)
{
    int line = f->linedefined;
    size_t next_abs = 0;
    for (size_t pc = 0; pc < f->ncode; pc++) {
        int8_t delta = pc < f->nlineinfo ? (int8_t)f->lineinfo[pc] : 0;
        if (delta == ABSLINEINFO_MARK) {
            while (next_abs < f->nabs && (size_t)f->abs[next_abs].pc < pc)
                next_abs++;
            if (next_abs < f->nabs && (size_t)f->abs[next_abs].pc == pc)
                line = f->abs[next_abs].line;
        } else {
            line += delta;
        }
        lines[pc] = line;
    }
}

void hb_chunk_proto_free(chunk_proto *f)
{
    for (size_t i = 0; i < f->nk; i++)
        free(f->k[i].str);
    free(f->k);
    for (size_t i = 0; i < f->nprotos; i++)
        hb_chunk_proto_free(&f->protos[i]);
    free(f->protos);
    for (size_t i = 0; i < f->nupvalues; i++)
        free(f->upvalue_names[i]);
    free(f->upvalue_names);
    free(f->first_param);
    free(f->code);
    free(f->lineinfo);
    free(f->abs);
    memset(f, 0, sizeof *f);
}
