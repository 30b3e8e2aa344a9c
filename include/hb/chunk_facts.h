/* What a Lua chunk does with globals and with ctx.input, found without
 * running it: the chunk is compiled (never run) in a bare Lua state, dumped
 * with lua_dump and its Lua 5.4 bytecode walked, nested functions included.
 *
 * Why bytecode rather than a lexer: the compiler has already resolved every
 * name to a local, an upvalue or a global (an _ENV field), so scoping rules
 * (shadowing, nested functions, `local function`, loop variables) come for
 * free and cannot drift from the language. The cost is a dependency on the
 * 5.4 dump format and opcode numbers, which are stable across 5.4.x and are
 * checked against the header (version 0x54, format 0) before use; a chunk
 * in any other format is reported, not misread. Columns are not in the
 * bytecode: lint finds them in the source line. */
#ifndef HB_CHUNK_FACTS_H
#define HB_CHUNK_FACTS_H

#include <stdbool.h>
#include <stddef.h>

#include "hb/error.h"

typedef struct hb_global_use {
    char *name;
    int line;
    bool write;       /* assignment rather than read */
    bool in_function; /* inside a function body, not the chunk's top level */
} hb_global_use;

/* A constant-name field read from a global or from a field of one:
 * os.execute is {"os", "execute"}; zendesk.tickets.get gives
 * {"zendesk", "tickets"} and {"zendesk.tickets", "get"}. */
typedef struct hb_field_use {
    char *global; /* the dotted path the field is read from */
    char *field;
    int line;
} hb_field_use;

typedef struct hb_chunk_facts {
    hb_global_use *globals; /* in the order found: chunk first, then nested functions */
    size_t nglobals;
    hb_field_use *fields; /* constant-name fields read from a global's value */
    size_t nfields;
    char **input_fields; /* NAME of every `<x>.input.NAME` read (duplicates removed) */
    size_t ninput_fields;
    /* ctx.input indexed with a computed key, or ctx / ctx.input handed to a
     * function: any input may be read, so none can be called unused. */
    bool input_opaque;
    /* NAME of every `require "NAME"` (a constant name), anywhere in the
     * chunk, nested functions included (duplicates removed): the modules it
     * may load without running it. */
    char **requires;
    size_t nrequires;
} hb_chunk_facts;

/* Compiles src as text (chunkname shown in messages: pass the file path).
 * A syntax error is HB_EUSAGE with e->msg "file:line: message"; a dump this
 * code cannot read is HB_EINTERNAL. */
hb_status hb_chunk_facts_read(const char *chunkname, const char *src, size_t len,
                              hb_chunk_facts *out, hb_err *e);
void hb_chunk_facts_free(hb_chunk_facts *f);

#endif
