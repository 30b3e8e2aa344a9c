---@meta
-- Editor types for the salesforce binding (stdlib/salesforce.lua): present
-- in a workflow that declares uses = { "salesforce" }.

salesforce = { sobjects = {} }

---Every record a SOQL query returns (following nextRecordsUrl).
---@param soql string
---@return fun(): table?
function salesforce.query(soql) end

---A record; `fields` limits what is read.
---@param type_name string e.g. "Opportunity"
---@param id string
---@param fields? string[]
---@return table|nil record
---@return hb.ServiceError|nil err
function salesforce.sobjects.get(type_name, id, fields) end

---Sets the given fields and no others.
---@param type_name string
---@param id string
---@param fields table<string, any>
---@return true|hb.Planned
function salesforce.sobjects.update(type_name, id, fields) end
