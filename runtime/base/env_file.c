/* Reading NAME=value files, for settings and credentials alike. */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "hb/env_file.h"
#include "hb/util.h"

static bool valid_name(const char *s, size_t n)
{
    if (n == 0 || isdigit((unsigned char)s[0]))
        return false;
    for (size_t i = 0; i < n; i++)
        if (!isalnum((unsigned char)s[i]) && s[i] != '_')
            return false;
    return true;
}

/* Parses one line; false when it is not NAME=value. Blank lines and
 * comments are fine and add nothing. */
static bool parse_line(hb_env_file *f, char *line, int lineno)
{
    char *p = line;
    while (isspace((unsigned char)*p))
        p++;
    if (!*p || *p == '#')
        return true;
    if (!strncmp(p, "export ", 7))
        p += 7;
    char *eq = strchr(p, '=');
    if (!eq)
        return false;
    char *name_end = eq;
    while (name_end > p && isspace((unsigned char)name_end[-1]))
        name_end--;
    if (!valid_name(p, (size_t)(name_end - p)))
        return false;
    char *v = eq + 1;
    while (*v == ' ' || *v == '\t')
        v++;
    size_t vlen = strlen(v);
    while (vlen > 0 && isspace((unsigned char)v[vlen - 1]))
        vlen--;
    if (vlen >= 2 && (v[0] == '"' || v[0] == '\'') && v[vlen - 1] == v[0]) {
        v++;
        vlen -= 2;
    }
    f->items = hb_xrealloc(f->items, (f->n + 1) * sizeof *f->items);
    f->items[f->n].name = hb_xstrndup(p, (size_t)(name_end - p));
    f->items[f->n].value = hb_xstrndup(v, vlen);
    f->items[f->n].line = lineno;
    f->n++;
    return true;
}

static hb_status parse_text(hb_env_file *f, char *text, const char *path, hb_err *e)
{
    int lineno = 0;
    /* Walked by hand: strtok would merge empty lines and miscount. */
    char *line = text;
    while (line && *line) {
        lineno++;
        char *nl = strchr(line, '\n');
        if (nl)
            *nl = '\0';
        if (!parse_line(f, line, lineno))
            return hb_err_set(e, HB_EUSAGE, "%s:%d: expected NAME=value", path, lineno);
        line = nl ? nl + 1 : NULL;
    }
    return HB_OK;
}

static hb_status refuse_mode(const char *path, unsigned mode, unsigned refused_mode,
                             const char *holds, hb_err *e)
{
    if (refused_mode & 044)
        return hb_err_set(e, HB_EUSAGE,
                          "%s is accessible to other users (mode %03o); it holds %s, so hb "
                          "refuses it: run `chmod 600 %s`",
                          path, mode & 0777, holds, path);
    return hb_err_set(e, HB_EUSAGE,
                      "%s can be changed by other users (mode %03o); it holds %s, so hb "
                      "refuses it: run `chmod go-w %s`",
                      path, mode & 0777, holds, path);
}

hb_status hb_env_file_read(const char *path, unsigned refused_mode, const char *holds,
                           hb_env_file *out, hb_err *e)
{
    out->items = NULL;
    out->n = 0;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        if (errno == ENOENT)
            return HB_OK;
        return hb_err_set(e, HB_EUSAGE, "cannot read %s: %s", path, strerror(errno));
    }
    hb_status st = HB_OK;
    hb_buf text;
    hb_buf_init(&text);
    /* fstat on the open file: the mode checked is the mode of what is read. */
    struct stat sb;
    if (fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode)) {
        st = hb_err_set(e, HB_EUSAGE, "%s is not a regular file", path);
        goto out;
    }
    if (sb.st_mode & refused_mode) {
        st = refuse_mode(path, (unsigned)sb.st_mode, refused_mode, holds, e);
        goto out;
    }
    char chunk[4096];
    ssize_t n;
    while ((n = read(fd, chunk, sizeof chunk)) > 0)
        hb_buf_append(&text, chunk, (size_t)n);
    hb_wipe(chunk, sizeof chunk);
    if (n < 0)
        st = hb_err_set(e, HB_EUSAGE, "cannot read %s: %s", path, strerror(errno));
    else if (text.data)
        st = parse_text(out, text.data, path, e);
out:
    close(fd);
    if (text.data)
        hb_wipe(text.data, text.len);
    hb_buf_free(&text);
    if (st != HB_OK)
        hb_env_file_free(out);
    return st;
}

const hb_env_entry *hb_env_file_get(const hb_env_file *f, const char *name)
{
    for (size_t i = f->n; i-- > 0;)
        if (!strcmp(f->items[i].name, name))
            return &f->items[i];
    return NULL;
}

void hb_env_file_free(hb_env_file *f)
{
    for (size_t i = 0; i < f->n; i++) {
        free(f->items[i].name);
        hb_wipe_free(f->items[i].value);
    }
    free(f->items);
    f->items = NULL;
    f->n = 0;
}
