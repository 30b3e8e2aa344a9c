---@meta
-- Editor types for the zuora binding (stdlib/zuora.lua, reads only):
-- present in a workflow that declares uses = { "zuora" }.

---@class zuora.Subscription
---@field id string
---@field subscriptionNumber string
---@field accountId string
---@field accountNumber string
---@field accountName string
---@field invoiceOwnerAccountId string
---@field invoiceOwnerAccountNumber string
---@field invoiceOwnerAccountName string
---@field status string
---@field termType string
---@field termStartDate string
---@field termEndDate string
---@field currency string
---@field ratePlans table[]

zuora = { subscriptions = {}, accounts = {} }

---A subscription by number ("A-S00001234") or id.
---@param key string
---@return zuora.Subscription|nil subscription
---@return hb.ServiceError|nil err
function zuora.subscriptions.get(key) end

---Every subscription of an account (number or id).
---@param account string
---@return fun(): zuora.Subscription?
function zuora.subscriptions.by_account(account) end

---basicInfo, billToContact, soldToContact, the latest subscriptions, invoices and payments.
---@param account string
---@return table|nil summary
---@return hb.ServiceError|nil err
function zuora.accounts.summary(account) end

---Every record a ZOQL query matches.
---@param zoql string
---@return fun(): table?
function zuora.query(zoql) end
