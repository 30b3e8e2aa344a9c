---@meta
-- Editor types for the zendesk binding (stdlib/zendesk.lua): present in a
-- workflow that declares uses = { "zendesk" }. Ids first, then a table of
-- fields. Get-style reads return nil, err when the object does not exist;
-- lists return an iterator over every item of every page.

---@class zendesk.Ticket
---@field id integer
---@field subject string
---@field description string
---@field status string
---@field priority? string
---@field type? string
---@field requester_id integer
---@field assignee_id? integer
---@field organization_id? integer
---@field group_id? integer
---@field tags string[]
---@field custom_fields { id: integer, value: any }[]
---@field ticket_form_id? integer
---@field created_at string
---@field updated_at string

---@class zendesk.Attachment
---@field id integer
---@field file_name string
---@field content_url string
---@field content_type string
---@field size integer

---@class zendesk.Comment
---@field id integer
---@field author_id integer
---@field body string
---@field plain_body string
---@field public boolean
---@field attachments zendesk.Attachment[]
---@field created_at string

---One update of a ticket: what changed (events), who made it and how,
---and the update's own metadata (metadata.custom).
---@class zendesk.Audit
---@field id integer
---@field ticket_id integer
---@field author_id integer
---@field created_at string
---@field events table[]
---@field metadata { custom: table, system: table }
---@field via table

---@class zendesk.Organization
---@field id integer
---@field name string
---@field details? string
---@field notes? string
---@field tags string[]
---@field organization_fields table<string, any>
---@field domain_names string[]

---@class zendesk.User
---@field id integer
---@field name string
---@field email string
---@field role string
---@field organization_id? integer

---A comment: an internal note unless public = true (which forbid = { "zendesk.public_reply" } refuses).
---@class zendesk.NewComment
---@field body? string
---@field html_body? string
---@field public? boolean

---A ticket field as the admin defined it (custom_field_options for drop-downs).
---@class zendesk.TicketField
---@field id integer
---@field type string
---@field title string
---@field raw_title string
---@field description? string
---@field active boolean
---@field required boolean
---@field custom_field_options? { id: integer, name: string, value: string, default: boolean }[]

zendesk = { tickets = {}, organizations = {}, ticket_forms = {}, ticket_fields = {}, users = {} }

---The ticket with this id; nil, err when there is none.
---@param id integer
---@return zendesk.Ticket|nil ticket
---@return hb.ServiceError|nil err
function zendesk.tickets.get(id) end

---Changes ticket fields (status, priority, custom_fields, comment ...); never `tags` (use add_tags / remove_tags).
---@param id integer
---@param fields table
---@return zendesk.Ticket|hb.Planned
function zendesk.tickets.update(id, fields) end

---Adds tags, keeping every other tag of the ticket.
---@param id integer
---@param tags string[]
---@return string[]|hb.Planned tags
function zendesk.tickets.add_tags(id, tags) end

---Removes tags, keeping every other tag of the ticket.
---@param id integer
---@param tags string[]
---@return string[]|hb.Planned tags
function zendesk.tickets.remove_tags(id, tags) end

---Adds a comment: an internal note by default.
---@param id integer
---@param comment string|zendesk.NewComment
---@return zendesk.Ticket|hb.Planned
function zendesk.tickets.comment(id, comment) end

---Every comment, oldest first, with its attachments.
---@param id integer
---@return fun(): zendesk.Comment?
function zendesk.tickets.comments(id) end

---Every audit of the ticket (one per update that changed it), oldest first.
---@param id integer
---@return fun(): zendesk.Audit?
function zendesk.tickets.audits(id) end

---Adds email CCs, keeping the ones already there.
---@param id integer
---@param emails string[]
---@return zendesk.Ticket|hb.Planned
function zendesk.tickets.add_cc(id, emails) end

---The organization with this id; nil, err when there is none.
---@param id integer
---@return zendesk.Organization|nil organization
---@return hb.ServiceError|nil err
function zendesk.organizations.get(id) end

---Changes organization fields (organization_fields, notes ...); never `tags`.
---@param id integer
---@param fields table notes, details, organization_fields ...; never `tags`
---@return zendesk.Organization|hb.Planned
function zendesk.organizations.update(id, fields) end

---Adds tags, keeping every other tag of the organization.
---@param id integer
---@param tags string[]
---@return string[]|hb.Planned
function zendesk.organizations.add_tags(id, tags) end

---Removes tags, keeping every other tag of the organization.
---@param id integer
---@param tags string[]
---@return string[]|hb.Planned
function zendesk.organizations.remove_tags(id, tags) end

---The ticket form with this name (exact, else ignoring case), or nil.
---@param name string
---@return table|nil form
function zendesk.ticket_forms.find(name) end

---The user with this id; nil, err when there is none.
---@param id integer
---@return zendesk.User|nil user
---@return hb.ServiceError|nil err
function zendesk.users.get(id) end

---Every result of a search ("type:ticket organization:5"); new records appear after minutes.
---@param query string
---@return fun(): table?
function zendesk.search(query) end

---Sets the status, with a comment in the same update when given (a reply the customer sees
---needs public = true, which forbid = { "zendesk.public_reply" } refuses).
---@param id integer
---@param status "new"|"open"|"pending"|"hold"|"solved"
---@param comment? string|zendesk.NewComment
---@return zendesk.Ticket|hb.Planned
function zendesk.tickets.set_status(id, status, comment) end

---The ticket's page in the agent interface: https://x.zendesk.com/agent/tickets/123.
---Given a ticket, no request is made.
---@param ticket integer|zendesk.Ticket
---@return string|nil url
---@return hb.ServiceError|nil err
function zendesk.tickets.agent_url(ticket) end

---The ticket's page in the agent interface, from its id alone (no request):
---ZENDESK_WEB_URL (else ZENDESK_URL) .. "/agent/tickets/" .. id.
---@param id integer
---@return string url
function zendesk.tickets.web_url(id) end

---The ticket field with this title (exact, else ignoring case; active ones first), or nil.
---Ids differ between instances: find fields by title.
---@param title string
---@return zendesk.TicketField|nil field
function zendesk.ticket_fields.find(title) end

---The user with this email address (any case), or nil.
---@param email string
---@return zendesk.User|nil user
function zendesk.users.find_by_email(email) end

---Every ticket the user requested, oldest first.
---@param id integer
---@return fun(): zendesk.Ticket?
function zendesk.users.requested_tickets(id) end
