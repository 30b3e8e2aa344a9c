/* Shared between chunk_dump.c (reading a 5.4 binary chunk) and
 * chunk_facts.c (walking its instructions). */
#ifndef HB_CHUNK_INTERNAL_H
#define HB_CHUNK_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "hb/error.h"

typedef struct chunk_constant {
    uint8_t tag;
    char *str; /* string constants only */
} chunk_constant;

typedef struct chunk_abs_line {
    int pc;
    int line;
} chunk_abs_line;

typedef struct chunk_proto {
    int linedefined; /* 0 for the main chunk */
    int lastlinedefined;
    uint8_t numparams;
    char *first_param; /* name of the first parameter, or NULL */
    uint32_t *code;
    size_t ncode;
    chunk_constant *k;
    size_t nk;
    char **upvalue_names; /* NULL entries when unnamed */
    size_t nupvalues;
    struct chunk_proto *protos;
    size_t nprotos;
    uint8_t *lineinfo; /* signed deltas */
    size_t nlineinfo;
    chunk_abs_line *abs;
    size_t nabs;
} chunk_proto;

/* Compiles text (never runs it) and reads the dump back. Syntax errors are
 * HB_EUSAGE "file:line: message". */
hb_status hb_chunk_compile(const char *chunkname, const char *src, size_t len, chunk_proto *main,
                           hb_err *e);
/* Fills lines[pc] for every instruction of f. */
void hb_chunk_lines(const chunk_proto *f, int *lines);
void hb_chunk_proto_free(chunk_proto *f);

#endif
