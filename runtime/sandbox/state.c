/* The sandbox state and its file. Several processes may serve the same
 * state file (a paused run and `hb call --sandbox` in another shell), so
 * every request holds an flock on "<state>.lock" and first reloads the
 * state when the file is not the version this process last read or wrote.
 * Saves replace the file by rename, which gives each version a new inode. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "hb/json_print.h"
#include "sandbox_internal.h"

#define STATE_FORMAT 1

/* The sandbox whose state this thread holds, for sb_now. */
static _Thread_local const hb_sandbox *held;

hb_time_us sb_now(void)
{
    return hb_clock_time(held ? held->clock : NULL);
}

static sb_file_stamp stamp_of(const char *path)
{
    sb_file_stamp s = {0};
    struct stat st;
    if (stat(path, &st) == 0) {
        s.present = true;
        s.dev = st.st_dev;
        s.ino = st.st_ino;
        s.size = st.st_size;
        s.mtime_ns = (int64_t)st.st_mtim.tv_sec * 1000000000 + st.st_mtim.tv_nsec;
    }
    return s;
}

static bool same_stamp(const sb_file_stamp *a, const sb_file_stamp *b)
{
    return a->present == b->present && a->dev == b->dev && a->ino == b->ino && a->size == b->size &&
           a->mtime_ns == b->mtime_ns;
}

static hb_status lock_file(hb_sandbox *sb, hb_err *e)
{
    if (sb->lock_fd < 0)
        return HB_OK;
    while (flock(sb->lock_fd, LOCK_EX) != 0) {
        if (errno != EINTR)
            return hb_err_set(e, HB_EINTERNAL, "cannot lock %s: %s", sb->lock_path,
                              strerror(errno));
    }
    return HB_OK;
}

static void unlock_file(hb_sandbox *sb)
{
    if (sb->lock_fd >= 0)
        flock(sb->lock_fd, LOCK_UN);
}

static hb_status save(hb_sandbox *sb, hb_err *e)
{
    if (!sb->state_path)
        return HB_OK;
    char *text = hb_json_print_pretty(sb->state);
    hb_status st = hb_write_file_atomic(sb->state_path, text, strlen(text), 0600, e);
    free(text);
    if (st == HB_OK)
        sb->stamp = stamp_of(sb->state_path);
    return st;
}

static cJSON *read_state_file(const char *path, hb_err *e)
{
    size_t len;
    char *text = hb_read_file(path, &len, e);
    if (!text)
        return NULL;
    cJSON *state = cJSON_ParseWithLength(text, len);
    free(text);
    const cJSON *format = cJSON_GetObjectItemCaseSensitive(state, "format");
    if (!cJSON_IsObject(state) || !cJSON_IsNumber(format) ||
        !cJSON_IsObject(cJSON_GetObjectItemCaseSensitive(state, "data")) ||
        !cJSON_IsObject(cJSON_GetObjectItemCaseSensitive(state, "credentials"))) {
        cJSON_Delete(state);
        hb_err_set(e, HB_EUSAGE,
                   "%s is not a sandbox state file (remove it to start again from the seed)", path);
        return NULL;
    }
    if (format->valueint != STATE_FORMAT) {
        cJSON_Delete(state);
        hb_err_set(e, HB_EUSAGE,
                   "%s has sandbox state format %d; this hb reads format %d (remove the file "
                   "to start again from the seed)",
                   path, format->valueint, STATE_FORMAT);
        return NULL;
    }
    return state;
}

static cJSON *fresh_state(hb_sandbox *sb, hb_err *e)
{
    if (!sb->seed_path) {
        hb_err_set(e, HB_EUSAGE,
                   "no sandbox seed found: pass --data FILE or set HB_SANDBOX_SEED (the shipped "
                   "seed is workflows/sandbox/seed.json)");
        return NULL;
    }
    cJSON *data = sb_seed_load(sb->seed_path, e);
    if (!data)
        return NULL;
    cJSON *state = cJSON_CreateObject();
    cJSON_AddNumberToObject(state, "format", STATE_FORMAT);
    sb_generate_credentials(state, data);
    cJSON_AddArrayToObject(state, "tokens");
    cJSON_AddObjectToObject(state, "counters");
    cJSON_AddItemToObject(state, "data", data);
    return state;
}

/* A state saved before some service existed (Slack, PagerDuty) gets that
 * service's seed data, settings and credentials; what it has stays as it
 * is. True when anything was added. */
static bool add_missing_services(hb_sandbox *sb, cJSON *state)
{
    bool added = false;
    cJSON *data = cJSON_GetObjectItemCaseSensitive(state, "data");
    hb_err e = {0};
    cJSON *seed = sb->seed_path ? sb_seed_load(sb->seed_path, &e) : NULL;
    for (cJSON *it = seed ? seed->child : NULL; it; it = it->next) {
        cJSON *have = cJSON_GetObjectItemCaseSensitive(data, it->string);
        if (!have) {
            cJSON_AddItemToObject(data, it->string, cJSON_Duplicate(it, true));
            added = true;
        } else if (!strcmp(it->string, "sandbox") && cJSON_IsObject(have)) {
            for (cJSON *setting = it->child; setting; setting = setting->next) {
                if (!cJSON_GetObjectItemCaseSensitive(have, setting->string)) {
                    cJSON_AddItemToObject(have, setting->string, cJSON_Duplicate(setting, true));
                    added = true;
                }
            }
        }
    }
    cJSON_Delete(seed);
    return sb_generate_credentials(state, data) || added;
}

static hb_status open_lock(hb_sandbox *sb, hb_err *e)
{
    char *dir = hb_dirname(sb->state_path);
    hb_status st = hb_mkdirs(dir, 0700, e);
    free(dir);
    if (st != HB_OK)
        return st;
    sb->lock_path = hb_xasprintf("%s.lock", sb->state_path);
    sb->lock_fd = open(sb->lock_path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (sb->lock_fd < 0)
        return hb_err_set(e, HB_EUSAGE, "cannot open %s: %s", sb->lock_path, strerror(errno));
    return HB_OK;
}

hb_status sb_state_open(hb_sandbox *sb, hb_err *e)
{
    sb->lock_fd = -1;
    held = sb;
    hb_status st = HB_OK;
    if (!sb->state_path) {
        sb->state = fresh_state(sb, e);
        st = sb->state ? HB_OK : HB_EUSAGE;
        goto out;
    }
    if (open_lock(sb, e) != HB_OK || lock_file(sb, e) != HB_OK) {
        st = e ? e->code : HB_EUSAGE;
        goto out;
    }
    if (hb_file_exists(sb->state_path)) {
        sb->stamp = stamp_of(sb->state_path);
        sb->state = read_state_file(sb->state_path, e);
        if (!sb->state)
            st = e ? e->code : HB_EUSAGE;
        else if (add_missing_services(sb, sb->state))
            st = save(sb, e);
    } else {
        sb->state = fresh_state(sb, e);
        st = sb->state ? save(sb, e) : HB_EUSAGE;
    }
    unlock_file(sb);
out:
    held = NULL;
    return st;
}

hb_status sb_state_begin(hb_sandbox *sb, hb_err *e)
{
    pthread_mutex_lock(&sb->mu);
    held = sb;
    if (!sb->state_path)
        return HB_OK;
    if (lock_file(sb, e) != HB_OK) {
        held = NULL;
        pthread_mutex_unlock(&sb->mu);
        return HB_EINTERNAL;
    }
    sb_file_stamp now = stamp_of(sb->state_path);
    /* A deleted file keeps the state in memory; the next write recreates it. */
    if (!now.present || same_stamp(&now, &sb->stamp))
        return HB_OK;
    cJSON *fresh = read_state_file(sb->state_path, e);
    if (!fresh) {
        unlock_file(sb);
        held = NULL;
        pthread_mutex_unlock(&sb->mu);
        return HB_EINTERNAL;
    }
    cJSON_Delete(sb->state);
    sb->state = fresh;
    sb->stamp = now;
    return HB_OK;
}

hb_status sb_state_end(hb_sandbox *sb, bool changed, hb_err *e)
{
    hb_status st = changed ? save(sb, e) : HB_OK;
    unlock_file(sb);
    held = NULL;
    pthread_mutex_unlock(&sb->mu);
    return st;
}

cJSON *sb_state_data(hb_sandbox *sb)
{
    return cJSON_GetObjectItemCaseSensitive(sb->state, "data");
}

hb_status sb_state_reset_data(hb_sandbox *sb, hb_err *e)
{
    if (!sb->seed_path)
        return hb_err_set(e, HB_EUSAGE, "no sandbox seed to reset to");
    cJSON *data = sb_seed_load(sb->seed_path, e);
    if (!data)
        return HB_EUSAGE;
    sb_set(sb->state, "data", data);
    sb_set(sb->state, "counters", cJSON_CreateObject());
    return HB_OK;
}
