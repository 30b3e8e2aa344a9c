/* $HB_HOME/credentials: NAME=value lines behind the environment. */
#include <stdlib.h>

#include "hb/credentials.h"
#include "hb/env_file.h"
#include "hb/util.h"

struct hb_credentials {
    hb_env_file file;
};

void hb_credentials_free(hb_credentials *c)
{
    if (!c)
        return;
    hb_env_file_free(&c->file);
    free(c);
}

hb_status hb_credentials_load(const char *path, hb_credentials **out, hb_err *e)
{
    *out = NULL;
    char *owned = NULL;
    if (!path) {
        char *home = hb_home_dir();
        owned = hb_path_join(home, "credentials");
        free(home);
        path = owned;
    }
    hb_credentials *c = hb_xcalloc(1, sizeof *c);
    hb_status st = hb_env_file_read(path, 077, "secrets", &c->file, e);
    free(owned);
    if (st != HB_OK) {
        free(c);
        return st;
    }
    *out = c;
    return HB_OK;
}

const char *hb_credentials_getvar(void *ud, const char *name)
{
    const char *env = getenv(name);
    if (env && *env)
        return env;
    const hb_credentials *c = ud;
    const hb_env_entry *it = c ? hb_env_file_get(&c->file, name) : NULL;
    return it && *it->value ? it->value : NULL;
}
