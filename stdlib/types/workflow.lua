---@meta
-- Editor types for the workflow language (stdlib/hb/workflow.lua), read by
-- the Lua language server (LuaLS) through the repository's .luarc.json.
-- Nothing here runs: hb never loads this folder.

---A workflow as `workflow "name" { ... }` returns it.
---@class hb.Workflow

---A step as `task "id" { ... }` (or choice, ask, wait, succeed, fail) returns it.
---@class hb.Step

---A duration: an integer and a unit s, m, h or d, several concatenated: "90s", "24h", "1h30m".
---@alias hb.Duration string

---@alias hb.InputType
---| "integer"
---| "number"
---| "string"
---| "boolean"
---| "date"
---| "integer?" # optional
---| "number?" # optional
---| "string?" # optional
---| "boolean?" # optional
---| "date?" # optional

---@class hb.InputSpec
---@field type hb.InputType
---@field optional? boolean
---@field description? string

---@alias hb.Service "zendesk"|"gitlab"|"zuora"|"salesforce"

---A `when` helper: one comparison of a fact, shown as it reads in graphs, docs and `hb diff`.
---@class hb.When
---@field test fun(ctx: hb.Ctx): boolean
---@field text string The comparison as shown: 'request == "merge"'.
---@field fact string The fact it reads (see fact).
---@field values any[] The values it compares with.

---Steps several workflows include: `fragment "name" { ... }`; call it with the targets its `{name}` placeholders stand for.
---@class hb.Fragment
---@overload fun(params: table<string, string>): hb.Fragment

---The workflow table: its settings, then its steps in the handbook's order.
---Descriptions (a step's first item, the title, an input's description, a fail message) may
---be long strings over several lines: their whitespace folds to single spaces.
---@class hb.WorkflowSpec
---@field title string What the process does, in the handbook's words.
---@field words? table<string, string|number> Text for `{name}` placeholders in the descriptions.
---@field handbook? string The handbook page this workflow implements, e.g. "support/workflows/offering-migration".
---@field uses? hb.Service[] The only services present at run time.
---@field forbid? string[] Operations ("zendesk.tickets.update") or capabilities ("zendesk.public_reply") refused for this workflow.
---@field inputs? table<string, hb.InputType|hb.InputSpec> Inputs given on the command line (`ticket=123`), validated before the first step.
---@field [integer] hb.Step|hb.Fragment

---@class hb.TaskSpec
---@field [1] string The step's description: the handbook's words for it.
---@field run fun(ctx: hb.Ctx) What the step does; it may call the services in `uses`.
---@field next? string The step that follows (default: the next one in the file).
---@field retry? { attempts?: integer, backoff?: hb.Duration } Total attempts (1..100) and the wait between them.
---@field on_error? string The step to go to when `run` fails (after its retries).

---A labelled branch: the first whose `when` returns true is taken; one without `when` is the default and comes last.
---@class hb.ChoiceBranch
---@field label string
---@field when? fun(ctx: hb.Ctx): boolean|hb.When A function, or a helper for one comparison: is("request", "merge").
---@field next string

---@class hb.ChoiceSpec
---@field [1] string The question the choice answers from data.
---@field [integer] string|hb.ChoiceBranch

---An option of an ask: its value, and where it leads.
---@class hb.AskOption
---@field [1] string
---@field next? string

---A person's judgement (ordered `options`) or a value to collect (`value`).
---@class hb.AskSpec
---@field [1] string The question, as the person answering reads it.
---@field options? (hb.AskOption|string)[]
---@field value? "string"|"date"|"integer"|"enum"
---@field choices? string[]|fun(ctx: hb.Ctx): string[] The values an "enum" accepts.
---@field shows? string[] Facts shown with the question ("vars.level", "input.ticket", or a name looked up as fact() does).
---@field next? string

---Waits for one of: an event, a condition polled every N, a time after N, or a moment.
---@class hb.WaitSpec
---@field [1] string What the run waits for.
---@field event? string Ends with `hb resume RUN --event NAME[=JSON]`; the JSON lands in ctx.events[step].
---@field condition? fun(ctx: hb.Ctx): boolean Checked every `every` by `hb worker`.
---@field every? hb.Duration
---@field after? hb.Duration|fun(ctx: hb.Ctx): hb.Duration
---@field at? fun(ctx: hb.Ctx): string An ISO 8601 moment.
---@field timeout? hb.Duration|fun(ctx: hb.Ctx): hb.Duration
---@field on_timeout? string The step to go to when the timeout passes first.
---@field payload? table<string, hb.InputType|hb.InputSpec> An event's fields and their types: shown with the pause, checked when the event comes.
---@field shows? string[] Facts shown while the run waits here ("vars.iid", "input.ticket").
---@field next? string

---@class hb.EndSpec
---@field [1] string What this outcome means.
---@field message? string

---Declares a workflow: `return workflow "name" { title = ..., task "..." { ... }, ... }`.
---@param name string The name engineers run it by: `hb run name`.
---@return fun(spec: hb.WorkflowSpec): hb.Workflow
function workflow(name) end

---A step that runs code and may call services.
---@param id string
---@return fun(spec: hb.TaskSpec): hb.Step
function task(id) end

---A decision taken from data: labelled branches.
---@param id string
---@return fun(spec: hb.ChoiceSpec): hb.Step
function choice(id) end

---A question for a person: pauses the run until answered (`--answer STEP=VALUE`).
---@param id string
---@return fun(spec: hb.AskSpec): hb.Step
function ask(id) end

---Pauses the run until an event, a condition or a time.
---@param id string
---@return fun(spec: hb.WaitSpec): hb.Step
function wait(id) end

---Ends the run successfully.
---@param id string
---@return fun(spec: hb.EndSpec): hb.Step
function succeed(id) end

---Ends the run as failed.
---@param id string
---@return fun(spec: hb.EndSpec): hb.Step
function fail(id) end

---Steps several workflows include, written once in a lib module:
---`M.which_tag = fragment "which_tag" { words = {...}, choice "...", task "...", ... }`.
---Targets may be `"{done}"`: the workflow names them when it includes the fragment,
---`level_tags.which_tag { done = "done" }`.
---@param name string
---@return fun(spec: table): hb.Fragment
function fragment(name) end

---Reads a fact of the run wherever it came from: ctx.input, then ctx.vars, ctx.answers and
---ctx.events. "a.b" walks into a table; "answers.x" looks in one place only. Several names:
---the first that is known. JSON null counts as unknown.
---@param ctx hb.Ctx
---@param ... string
---@return any value, string? where it was found ("answers.ask_level")
function fact(ctx, ...) end

---`when` helper: the fact equals value.
---@param name string
---@param value string|number|boolean
---@return hb.When
function is(name, value) end

---`when` helper: the fact is anything but value.
---@param name string
---@param value string|number|boolean
---@return hb.When
function is_not(name, value) end

---`when` helper: the fact equals one of the values.
---@param name string
---@param values (string|number|boolean)[]
---@return hb.When
function one_of(name, values) end

---`when` helper: the fact is known.
---@param name string
---@return hb.When
function is_set(name) end

---`when` helper: the fact is unknown.
---@param name string
---@return hb.When
function is_unset(name) end

---`when` helper: the fact is an empty list, or unknown.
---@param name string
---@return hb.When
function is_empty(name) end

---The message templates of lib/messages.lua. Every `{name}` a message uses must be declared in
---`placeholders`; `defaults` is what a message says when hb has no value. Each message becomes
---a function(values) -> text.
---@param spec { placeholders: table<string, string>, defaults?: table<string, string>, [string]: any }
---@return table<string, fun(values?: table): string>
function messages(spec) end

---One message template: `name = message [[Hello {customer}, ...]]`. Lines of a paragraph join;
---a blank line starts a paragraph; a list item ("1. ", "- ") starts a line; a line ending in \
---keeps its break.
---@param text string
function message(text) end
