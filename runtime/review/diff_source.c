/* The two versions hb diff compares: a file in the working tree, or a file
 * at a git revision. git runs through fork/exec with an argv, never a
 * shell, so a revision or path cannot inject commands. */
#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "hb/diff.h"
#include "hb/lua_host.h"
#include "hb/paths.h"
#include "hb/workflow_find.h"

#define GIT_OUTPUT_MAX (16u * 1024 * 1024)

/* Reads the child's stdout and stderr together so neither pipe can fill up
 * and stall it. */
static void drain(int out_fd, int err_fd, hb_buf *out, hb_buf *err)
{
    struct pollfd fds[2] = {{.fd = out_fd, .events = POLLIN}, {.fd = err_fd, .events = POLLIN}};
    hb_buf *bufs[2] = {out, err};
    int open_fds = 2;
    while (open_fds > 0) {
        if (poll(fds, 2, -1) < 0) {
            if (errno == EINTR)
                continue;
            break;
        }
        for (int i = 0; i < 2; i++) {
            if (fds[i].fd < 0 || !(fds[i].revents & (POLLIN | POLLHUP | POLLERR)))
                continue;
            char chunk[8192];
            ssize_t n = read(fds[i].fd, chunk, sizeof chunk);
            if (n > 0 && bufs[i]->len < GIT_OUTPUT_MAX) {
                hb_buf_append(bufs[i], chunk, (size_t)n);
            } else if (n == 0 || (n < 0 && errno != EINTR && errno != EAGAIN)) {
                close(fds[i].fd);
                fds[i].fd = -1;
                open_fds--;
            }
        }
    }
}

/* `git -C dir show rev:./file`: the file as it was at rev. */
static hb_status git_show(const char *dir, const char *rev, const char *file, const char *shown,
                          hb_buf *out, hb_err *e)
{
    char *object = hb_xasprintf("%s:./%s", rev, file);
    int out_pipe[2], err_pipe[2];
    if (pipe(out_pipe) < 0) {
        free(object);
        return hb_err_set(e, HB_EINTERNAL, "cannot run git: %s", strerror(errno));
    }
    if (pipe(err_pipe) < 0) {
        close(out_pipe[0]);
        close(out_pipe[1]);
        free(object);
        return hb_err_set(e, HB_EINTERNAL, "cannot run git: %s", strerror(errno));
    }
    pid_t pid = fork();
    if (pid == 0) {
        dup2(out_pipe[1], STDOUT_FILENO);
        dup2(err_pipe[1], STDERR_FILENO);
        close(out_pipe[0]);
        close(out_pipe[1]);
        close(err_pipe[0]);
        close(err_pipe[1]);
        char *argv[] = {"git", "-C", (char *)dir, "show", "--no-textconv", object, NULL};
        execvp("git", argv);
        _exit(127);
    }
    close(out_pipe[1]);
    close(err_pipe[1]);
    if (pid < 0) {
        close(out_pipe[0]);
        close(err_pipe[0]);
        free(object);
        return hb_err_set(e, HB_EINTERNAL, "cannot run git: %s", strerror(errno));
    }
    hb_buf err;
    hb_buf_init(&err);
    drain(out_pipe[0], err_pipe[0], out, &err);
    int status = 0;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
        ;
    hb_status st = HB_OK;
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        char *msg = err.data ? err.data : "";
        size_t len = strlen(msg);
        while (len && (msg[len - 1] == '\n' || msg[len - 1] == '\r'))
            msg[--len] = '\0';
        if (WIFEXITED(status) && WEXITSTATUS(status) == 127 && !len)
            st = hb_err_set(e, HB_EUSAGE, "cannot read %s at %s: git is not installed", shown, rev);
        else
            st = hb_err_set(e, HB_EUSAGE, "cannot read %s at revision %s: %s", shown, rev,
                            len ? msg : "git show failed");
    } else if (out->len >= GIT_OUTPUT_MAX) {
        st = hb_err_set(e, HB_EUSAGE, "%s at %s is too large for a workflow", shown, rev);
    }
    hb_buf_free(&err);
    free(object);
    return st;
}

/* The same setup as hb_workflow_load_file, for text that is not a file. */
static hb_status load_text(hb_diff_side *side, hb_err *e)
{
    hb_lua_limits limits;
    hb_status st = hb_lua_limits_from_env(&limits, e);
    if (st != HB_OK)
        return st;
    char *stdlib = hb_stdlib_dir();
    char *dir = hb_dirname(side->path);
    hb_lua_modules mods = {.stdlib_dir = stdlib, .workflow_dir = dir};
    hb_lua *lua = hb_lua_new(&limits, &mods, e);
    if (lua)
        st = hb_workflow_load(lua, side->label, side->src, side->len, &side->wf, e);
    else
        st = e ? e->code : HB_EINTERNAL;
    free(stdlib);
    free(dir);
    return st;
}

/* A path when it looks like one, else a workflow name on the search path. */
static char *resolve(const char *name_or_path, bool must_exist, hb_err *e)
{
    bool is_path = strchr(name_or_path, '/') || hb_str_ends_with(name_or_path, ".lua");
    if (is_path && !must_exist)
        return hb_xstrdup(name_or_path);
    return hb_workflow_find(name_or_path, e);
}

hb_status hb_diff_side_load(const char *spec, hb_diff_side *side, hb_err *e)
{
    memset(side, 0, sizeof *side);
    const char *at = strrchr(spec, '@');
    bool is_rev = at && at != spec && at[1] && !hb_file_exists(spec);
    if (!is_rev) {
        side->path = resolve(spec, true, e);
        if (!side->path)
            return HB_EUSAGE;
        side->label = hb_xstrdup(side->path);
        side->src = hb_read_file(side->path, &side->len, e);
        if (!side->src)
            return HB_EUSAGE;
        return hb_workflow_load_file(side->path, &side->wf, e);
    }
    if (at[1] == '-')
        return hb_err_set(e, HB_EUSAGE, "'%s' is not a revision (it starts with '-')", at + 1);
    char *name = hb_xstrndup(spec, (size_t)(at - spec));
    side->rev = hb_xstrdup(at + 1);
    side->path = resolve(name, false, e);
    free(name);
    if (!side->path)
        return HB_EUSAGE;
    side->label = hb_xasprintf("%s@%s", side->path, side->rev);
    char *dir = hb_dirname(side->path);
    char *base = hb_basename_noext(side->path, NULL);
    hb_buf text;
    hb_buf_init(&text);
    hb_status st = git_show(dir, side->rev, base, side->path, &text, e);
    free(dir);
    free(base);
    if (st != HB_OK) {
        hb_buf_free(&text);
        return st;
    }
    side->len = text.len;
    side->src = hb_buf_take(&text);
    return load_text(side, e);
}

void hb_diff_side_free(hb_diff_side *side)
{
    hb_workflow_free(side->wf);
    free(side->label);
    free(side->path);
    free(side->rev);
    free(side->src);
    memset(side, 0, sizeof *side);
}
