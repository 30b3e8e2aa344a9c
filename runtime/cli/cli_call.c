/* hb call SERVICE.FUNC ARGS… [--sandbox] [--dry-run] [--json]
 *
 * Invokes one binding operation from the shell and prints its JSON result
 * (a list operation: one array of every item of every page). Each ARG is
 * JSON when it parses as JSON, a string otherwise. A service error prints
 * the uniform error as JSON and exits 1.
 *
 * Every call is audited as a one-step run of its own (workflow
 * "call:zendesk.tickets.get"): run_started, step_started, the bindings'
 * intent/api_call events, step_finished, run_finished; the modules it
 * loaded are pinned with the run like a workflow's. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <lauxlib.h>

#include "hb/audit.h"
#include "hb/canonical_json.h"
#include "hb/cli.h"
#include "hb/credentials.h"
#include "hb/engine.h"
#include "hb/json_print.h"
#include "hb/lua_host.h"
#include "hb/lua_json.h"
#include "hb/paths.h"
#include "hb/sandbox.h"
#include "hb/service_table.h"
#include "hb/services.h"
#include "hb/sha256.h"
#include "hb/util.h"

#define CALL_STEP "call"

typedef struct call_opts {
    const char *target; /* SERVICE.FUNC */
    char *service;
    const char *func; /* points into target, after the first '.' */
    cJSON *args;      /* array */
    bool sandbox;
    bool dry_run;
    bool compact;
} call_opts;

typedef struct pin {
    char *module;
    char sha[65];
    char *content;
    size_t len;
} pin;

typedef struct call_ctx {
    call_opts o;
    hb_store *store;
    hb_run run;
    char *actor;
    hb_sandbox *sandbox;
    hb_service_vars *vars;
    hb_credentials *creds;
    hb_services *svc;
    hb_service_store_sink sink;
    hb_lua *lua;
    char *stdlib_dir;
    pin *pins;
    size_t npins;
    const char *uses[2]; /* the one service called */
} call_ctx;

static const char ABOUT[] =
    "Runs one binding operation and prints its JSON result; a list operation\n"
    "prints one array of every item of every page. Each ARG is JSON when it\n"
    "parses as JSON (123, '{\"status\":\"open\"}'), a string otherwise.\n";

static const char MORE[] =
    "Examples:\n"
    "  hb call zendesk.tickets.get 123\n"
    "  hb call gitlab.issues.list group/project '{\"labels\":[\"bug\"]}'\n"
    "  hb call zuora.subscriptions.get A-S00001234\n"
    "  hb call salesforce.query \"SELECT Id FROM Opportunity LIMIT 5\"\n\n"
    "Exit codes: 0 ok, 1 the service refused (the error is printed as JSON),\n"
    "2 usage or configuration, 4 store busy, 5 internal.\n";

static hb_status add_arg(void *opts, const char *text, hb_err *e)
{
    (void)e;
    call_opts *o = opts;
    cJSON *v = cJSON_Parse(text);
    cJSON_AddItemToArray(o->args, v ? v : cJSON_CreateString(text));
    return HB_OK;
}

/* The operation's service and function, once the arguments are parsed. */
static hb_status split_target(call_opts *o, hb_err *e)
{
    const char *dot = strchr(o->target, '.');
    if (!dot || !dot[1])
        return hb_err_set(e, HB_EUSAGE, "call: '%s' is not SERVICE.FUNC (e.g. zendesk.tickets.get)",
                          o->target);
    o->service = hb_xstrndup(o->target, (size_t)(dot - o->target));
    o->func = dot + 1;
    if (hb_service_lookup(o->service))
        return HB_OK;
    return hb_err_set(e, HB_EUSAGE, "call: unknown service '%s' (hb knows %s)", o->service,
                      hb_service_names_text());
}

/* Pins every module the call loads, as a workflow run pins its sources. */
static hb_status module_loaded(void *ud, const char *module, const char *path, const char *content,
                               size_t len, hb_err *e)
{
    (void)path;
    (void)e;
    call_ctx *c = ud;
    c->pins = hb_xrealloc(c->pins, (c->npins + 1) * sizeof *c->pins);
    pin *p = &c->pins[c->npins++];
    p->module = hb_xstrdup(module);
    hb_sha256_hex(content, len, p->sha);
    p->content = hb_xstrndup(content, len);
    p->len = len;
    return HB_OK;
}

static hb_status in_tx(call_ctx *c, hb_status (*fn)(call_ctx *, void *, hb_err *), void *arg,
                       hb_err *e)
{
    hb_status st = hb_store_begin(c->store, e);
    if (st != HB_OK)
        return st;
    st = fn(c, arg, e);
    if (st == HB_OK)
        return hb_store_commit(c->store, e);
    hb_store_rollback(c->store);
    return st;
}

static hb_status append(call_ctx *c, const char *type, const char *step, cJSON *data, hb_err *e)
{
    hb_status st = hb_audit_append(c->store, c->run.id, type, step, c->actor, data, NULL, e);
    cJSON_Delete(data);
    return st;
}

static hb_status begin_run(call_ctx *c, void *arg, hb_err *e)
{
    (void)arg;
    hb_run_scrub(&c->run);
    hb_status st = c->store->ops->run_insert(c->store, &c->run, e);
    if (st != HB_OK)
        return st;
    cJSON *d = cJSON_CreateObject();
    cJSON_AddStringToObject(d, "workflow", c->run.workflow);
    cJSON_AddStringToObject(d, "version", c->run.version);
    cJSON_AddItemToObject(d, "inputs", cJSON_Parse(c->run.inputs_json));
    cJSON_AddStringToObject(d, "actor", c->actor);
    cJSON_AddStringToObject(d, "target", hb_run_target_name(c->run.target));
    cJSON_AddBoolToObject(d, "dry_run", c->run.dry_run);
    if ((st = append(c, "run_started", NULL, d, e)) != HB_OK)
        return st;
    cJSON *s = cJSON_CreateObject();
    cJSON_AddStringToObject(s, "kind", "task");
    return append(c, "step_started", CALL_STEP, s, e);
}

typedef struct finish_args {
    const char *outcome;
    const char *error;
    double ms;
} finish_args;

static hb_status end_run(call_ctx *c, void *arg, hb_err *e)
{
    const finish_args *f = arg;
    hb_status st = HB_OK;
    for (size_t i = 0; st == HB_OK && i < c->npins; i++) {
        st = c->store->ops->source_put(c->store, c->pins[i].sha, c->pins[i].content, c->pins[i].len,
                                       e);
        if (st == HB_OK)
            st = c->store->ops->run_source_add(c->store, c->run.id, c->pins[i].module,
                                               c->pins[i].sha, e);
    }
    if (st != HB_OK)
        return st;
    cJSON *sf = cJSON_CreateObject();
    cJSON_AddStringToObject(sf, "kind", "task");
    cJSON_AddStringToObject(sf, "outcome", f->outcome);
    cJSON_AddNumberToObject(sf, "ms", (double)(long long)f->ms);
    if (f->error)
        cJSON_AddStringToObject(sf, "error", f->error);
    if ((st = append(c, "step_finished", CALL_STEP, sf, e)) != HB_OK)
        return st;
    cJSON *rf = cJSON_CreateObject();
    cJSON_AddStringToObject(rf, "status", hb_run_status_name(c->run.status));
    if (f->error)
        cJSON_AddStringToObject(rf, "error", f->error);
    if ((st = append(c, "run_finished", NULL, rf, e)) != HB_OK)
        return st;
    c->run.updated_at = hb_clock_now();
    hb_run_scrub(&c->run);
    return c->store->ops->run_update(c->store, &c->run, e);
}

static hb_status make_run(call_ctx *c, hb_err *e)
{
    hb_run *r = &c->run;
    r->workflow = hb_xasprintf("call:%s", c->o.target);
    char *module_path = hb_xasprintf("%s/%s.lua", c->stdlib_dir, c->o.service);
    size_t len = 0;
    char *src = hb_read_file(module_path, &len, e);
    if (!src) {
        free(module_path);
        return hb_err_wrap(e, "call: the %s bindings are not installed", c->o.service);
    }
    hb_sha256_hex(src, len, r->version);
    free(src);
    r->workflow_file = module_path;
    r->status = HB_RUN_RUNNING;
    r->step = hb_xstrdup(CALL_STEP);
    r->target = c->o.sandbox ? HB_TARGET_SANDBOX : HB_TARGET_LIVE;
    r->dry_run = c->o.dry_run;
    r->actor = hb_xstrdup(c->actor);
    cJSON *inputs = cJSON_CreateObject();
    cJSON_AddItemToObject(inputs, "args", cJSON_Duplicate(c->o.args, true));
    r->inputs_json = hb_canonical_json(inputs, e);
    cJSON_Delete(inputs);
    if (!r->inputs_json)
        return hb_err_wrap(e, "call: arguments");
    hb_run_prepare_new(r);
    r->created_at = r->updated_at = hb_clock_now();
    return in_tx(c, begin_run, NULL, e);
}

static hb_status open_services(call_ctx *c, hb_err *e)
{
    hb_status st;
    const char *(*getvar)(void *, const char *) = hb_credentials_getvar;
    void *getvar_ud;
    if (c->o.sandbox) {
        char *home = hb_home_dir();
        char *dir = hb_path_join(home, "sandbox");
        char *state = hb_path_join(dir, "state.json");
        st = hb_mkdirs(dir, 0700, e);
        hb_sandbox_config cfg = {.state_path = state};
        if (st == HB_OK)
            st = hb_sandbox_start(&cfg, &c->sandbox, e);
        free(home);
        free(dir);
        free(state);
        if (st != HB_OK)
            return hb_err_wrap(e, "starting the sandbox");
        c->vars = hb_service_vars_new();
        hb_sandbox_each_var(c->sandbox, hb_service_vars_set_cb, c->vars);
        getvar = hb_service_vars_get;
        getvar_ud = c->vars;
    } else {
        if ((st = hb_credentials_load(NULL, &c->creds, e)) != HB_OK)
            return st;
        getvar_ud = c->creds;
    }
    c->sink = (hb_service_store_sink){
        .store = c->store, .run = c->run.id, .step = CALL_STEP, .actor = c->actor};
    c->uses[0] = c->o.service;
    hb_services_config cfg = {
        .getvar = getvar,
        .getvar_ud = getvar_ud,
        .dry_run = c->o.dry_run,
        .uses = c->uses,
        .workflow = c->run.workflow,
        .audit = hb_service_audit_to_store(&c->sink),
    };
    c->svc = hb_services_new(&cfg, e);
    return c->svc ? HB_OK : e->code;
}

/* Runs the operation in the stdlib environment. A list operation returns an
 * iterator: drain it into one array. A get-style read that found nothing
 * returns nil, err: the error is the result. */
static const char RUNNER[] = "local fn, args_json = ...\n"
                             "local args = json.decode(args_json)\n"
                             "local r1, r2 = fn(table.unpack(args, 1, #args))\n"
                             "if type(r1) == 'function' then\n"
                             "  local all = json.array({})\n"
                             "  for item in r1 do all[#all + 1] = item end\n"
                             "  return all\n"
                             "end\n"
                             "if r1 == nil and r2 ~= nil then error(r2, 0) end\n"
                             "return r1\n";

/* Pushes the operation's function, or fails naming the ones that exist
 * (the operation table's, for this service). */
static hb_status push_operation(call_ctx *c, hb_err *e)
{
    lua_State *L = hb_lua_state(c->lua);
    char *name = hb_xasprintf("%s.%s", c->o.service, c->o.func);
    const hb_operation_def *op = hb_operation_lookup(name);
    free(name);
    hb_status st = HB_OK;
    if (op && !op->internal && (st = hb_lua_require(c->lua, c->o.service, e)) == HB_OK) {
        char *path = hb_xstrdup(c->o.func);
        char *save = NULL;
        for (char *part = strtok_r(path, ".", &save); part; part = strtok_r(NULL, ".", &save)) {
            if (lua_type(L, -1) != LUA_TTABLE) {
                lua_pop(L, 1);
                lua_pushnil(L);
                break;
            }
            lua_getfield(L, -1, part); /* module tables are frozen: read through them */
            lua_remove(L, -2);
        }
        free(path);
        if (lua_type(L, -1) == LUA_TFUNCTION)
            return HB_OK;
        lua_pop(L, 1);
    }
    if (st != HB_OK)
        return st;
    hb_buf known;
    hb_buf_init(&known);
    hb_buf_puts(&known, "");
    for (size_t i = 0; i < hb_operation_count; i++) {
        const hb_operation_def *d = &hb_operation_defs[i];
        if (!d->internal && !strcmp(d->service, c->o.service))
            hb_buf_printf(&known, "%s%s", known.len ? ", " : "", d->name);
    }
    st = hb_err_set(e, HB_EUSAGE, "call: %s has no operation '%s'%s%s", c->o.service, c->o.func,
                    known.len ? "; it has: " : "", known.len ? known.data : "");
    hb_buf_free(&known);
    return st;
}

static void print_json(const cJSON *v, bool compact)
{
    char *text = compact ? hb_json_print(v) : hb_json_print_pretty(v);
    printf("%s\n", text);
    free(text);
}

/* Runs the call; returns the exit status. The outcome and error arguments describe it for
 * the audit trail (error newly allocated). */
/* Opens the Lua host with the bindings and leaves the runner and the
 * operation's function on the stack; a usage error (no such operation)
 * comes before any run is recorded. */
static hb_status prepare_lua(call_ctx *c, hb_err *e)
{
    hb_lua_limits limits;
    hb_status st = hb_lua_limits_from_env(&limits, e);
    if (st != HB_OK)
        return st;
    hb_lua_modules mods = {.stdlib_dir = c->stdlib_dir, .loaded = module_loaded, .ud = c};
    c->lua = hb_lua_new(&limits, &mods, e);
    if (!c->lua)
        return e->code ? e->code : HB_EINTERNAL;
    if ((st = hb_services_open_lua(c->svc, c->lua, e)) != HB_OK)
        return st;
    if ((st = hb_lua_load(c->lua, "=hb call", RUNNER, sizeof RUNNER - 1, true, e)) != HB_OK)
        return st;
    if ((st = push_operation(c, e)) != HB_OK)
        lua_pop(hb_lua_state(c->lua), 1);
    return st;
}

/* Prints the uniform error a failed call raised, if that is what it was,
 * and puts its own words in e (not the runner's position). */
static void report_service_error(call_ctx *c, hb_err *e)
{
    lua_State *L = hb_lua_state(c->lua);
    hb_lua_push_last_error(c->lua);
    if (lua_istable(L, -1)) {
        lua_getfield(L, -1, "service");
        bool uniform = lua_isstring(L, -1);
        lua_pop(L, 1);
        hb_err conv;
        cJSON *err = uniform ? hb_json_from_lua(L, -1, "error", &conv) : NULL;
        if (err) {
            print_json(err, c->o.compact);
            cJSON_Delete(err);
            hb_err_set(e, HB_EFAILED, "%s", luaL_tolstring(L, -1, NULL));
            lua_pop(L, 1);
        }
    }
    lua_pop(L, 1);
}

/* Calls the operation prepared by prepare_lua and prints its result.
 * outcome and error describe the step for the audit trail (error newly
 * allocated). */
static hb_status invoke(call_ctx *c, const char **outcome, char **error, hb_err *e)
{
    lua_State *L = hb_lua_state(c->lua);
    char *args = hb_json_print(c->o.args);
    lua_pushstring(L, args);
    free(args);
    hb_status st = hb_lua_pcall(c->lua, 2, 1, NULL, e);
    if (st == HB_OK) {
        cJSON *result = hb_json_from_lua(L, -1, "result", e);
        lua_pop(L, 1);
        if (!result)
            return hb_err_wrap(e, "call: the result");
        print_json(result, c->o.compact);
        cJSON_Delete(result);
        *outcome = c->o.dry_run ? "planned" : "ok";
        return HB_OK;
    }
    report_service_error(c, e);
    *outcome = "error";
    *error = hb_xstrdup(e->msg);
    hb_status raised = hb_services_lua_last_status(c->lua);
    return raised != HB_OK ? raised : HB_EFAILED;
}

static void ctx_free(call_ctx *c)
{
    hb_lua_free(c->lua); /* before the services its functions point at */
    hb_services_free(c->svc);
    hb_sandbox_stop(c->sandbox);
    hb_service_vars_free(c->vars);
    hb_credentials_free(c->creds);
    hb_run_free(&c->run);
    hb_store_close(c->store);
    for (size_t i = 0; i < c->npins; i++) {
        free(c->pins[i].module);
        free(c->pins[i].content);
    }
    free(c->pins);
    free(c->stdlib_dir);
    free(c->actor);
    free(c->o.service);
    cJSON_Delete(c->o.args);
}

/* Records how the call ended (status, error, the pins) on its run; returns
 * the call's status, or the recording's failure when the call went well. */
static hb_status end_call(call_ctx *c, hb_status st, const char *outcome, const char *error,
                          double ms, hb_err *e)
{
    char *why = st != HB_OK && !error ? hb_xstrdup(e->msg) : NULL;
    if (why)
        error = why;
    c->run.status = st != HB_OK ? HB_RUN_FAILED : c->o.dry_run ? HB_RUN_PLANNED : HB_RUN_SUCCEEDED;
    free(c->run.error);
    c->run.error = error ? hb_xstrdup(error) : NULL;
    finish_args f = {.outcome = outcome, .error = error, .ms = ms};
    hb_err fe;
    hb_status fst = in_tx(c, end_run, &f, &fe);
    free(why);
    if (fst != HB_OK && st == HB_OK) {
        *e = fe;
        return fst;
    }
    return st;
}

int hb_cmd_call(int argc, char **argv)
{
    call_ctx c = {0};
    c.o.args = cJSON_CreateArray();
    const hb_option options[] = {
        HB_ARG("SERVICE.FUNC", &c.o.target, "the operation, e.g. zendesk.tickets.get"),
        HB_ARGS("ARG", add_arg, &c.o, "its arguments: JSON when they parse as JSON, else strings"),
        HB_FLAG("sandbox", &c.o.sandbox,
                "against the built-in sandbox ($HB_HOME/sandbox/state.json)"),
        HB_FLAG("dry-run", &c.o.dry_run,
                "reads go through; writes are recorded as planned, not sent"),
        HB_FLAG("json", &c.o.compact, "one line of JSON instead of indented output"),
        HB_OPT_END_,
    };
    const hb_cli_spec spec = {.command = "call", .about = ABOUT, .options = options, .more = MORE};
    int rc = hb_cli_parse(&spec, argc, argv);
    if (rc != HB_CLI_GO) {
        cJSON_Delete(c.o.args);
        return rc;
    }
    hb_err e;
    hb_err_clear(&e);
    const char *outcome = "error";
    char *error = NULL;
    c.actor = hb_default_actor();
    hb_status st = split_target(&c.o, &e);
    if (st != HB_OK)
        goto out;
    c.stdlib_dir = hb_stdlib_dir();
    /* The run id before the services: the bindings' audit sink points at it. */
    hb_new_run_id(c.run.id);
    if ((st = hb_store_open_default(&c.store, &e)) != HB_OK ||
        (st = open_services(&c, &e)) != HB_OK || (st = prepare_lua(&c, &e)) != HB_OK ||
        (st = make_run(&c, &e)) != HB_OK)
        goto out;
    int64_t t0 = hb_clock_monotonic_us();
    fprintf(stderr, "hb: run %s (hb audit show %s)\n", c.run.id, c.run.id);
    st = invoke(&c, &outcome, &error, &e);
    st = end_call(&c, st, outcome, error, (double)(hb_clock_monotonic_us() - t0) / 1000.0, &e);
out:
    if (st != HB_OK)
        hb_cli_error("%s", e.msg);
    free(error);
    ctx_free(&c);
    return st;
}
