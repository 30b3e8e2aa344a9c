-- Calendar arithmetic for support.lua, in whole seconds since 1970-01-01
-- UTC. os.time reads a table as local time, so dates are computed here.
-- What a date means in the support domain (a Zuora term end) is decided in
-- support.lua; parse_time documents the rule it implements.

local T = {}

T.HOUR = 3600
T.DAY = 86400

-- Days since 1970-01-01 of a proleptic Gregorian date, counted in 400-year
-- eras of 146097 days so that leap years need no table.
local function days_from_civil(y, m, d)
  y = m <= 2 and y - 1 or y
  local era = (y >= 0 and y or y - 399) // 400
  local yoe = y - era * 400
  local mp = (m + 9) % 12
  local doy = (153 * mp + 2) // 5 + d - 1
  local doe = yoe * 365 + yoe // 4 - yoe // 100 + doy
  return era * 146097 + doe - 719468
end

local function civil_from_days(z)
  z = z + 719468
  local era = (z >= 0 and z or z - 146096) // 146097
  local doe = z - era * 146097
  local yoe = (doe - doe // 1460 + doe // 36524 - doe // 146096) // 365
  local y = yoe + era * 400
  local doy = doe - (365 * yoe + yoe // 4 - yoe // 100)
  local mp = (5 * doy + 2) // 153
  local d = doy - (153 * mp + 2) // 5 + 1
  local m = mp < 10 and mp + 3 or mp - 9
  return m <= 2 and y + 1 or y, m, d
end

local function valid_date(y, m, d)
  if m < 1 or m > 12 or d < 1 then
    return false
  end
  local y2, m2 = civil_from_days(days_from_civil(y, m, d))
  return y2 == y and m2 == m
end

-- Seconds since the epoch of an ISO 8601 date or time, or nil and a message.
-- A date alone ("2026-11-23") means the start of that day, UTC: Zuora's
-- termEndDate is the first day the term no longer covers (a term from
-- 2026-01-01 to 2027-01-01 covers 2026), so a license with that term end
-- stops at 2027-01-01T00:00:00Z.
function T.parse_time(text)
  if type(text) ~= "string" then
    return nil, "not a date: " .. tostring(text)
  end
  local y, m, d, rest = text:match("^(%d%d%d%d)%-(%d%d)%-(%d%d)(.*)$")
  if not y then
    return nil, "not an ISO 8601 date: " .. text
  end
  y, m, d = tonumber(y), tonumber(m), tonumber(d)
  if not valid_date(y, m, d) then
    return nil, "no such date: " .. text
  end
  local t = days_from_civil(y, m, d) * T.DAY
  if rest == "" then
    return t
  end
  local hh, mm, ss, zone = rest:match("^[T ](%d%d):(%d%d):?(%d*)%.?%d*(.*)$")
  if not hh then
    return nil, "not an ISO 8601 time: " .. text
  end
  t = t + tonumber(hh) * 3600 + tonumber(mm) * 60 + (tonumber(ss) or 0)
  if zone == "Z" or zone == "" or zone == "+00:00" then
    return t
  end
  local sign, zh, zm = zone:match("^([+-])(%d%d):?(%d%d)$")
  if not sign then
    return nil, "unknown time zone in " .. text
  end
  local offset = tonumber(zh) * 3600 + tonumber(zm) * 60
  return sign == "+" and t - offset or t + offset
end

-- Like parse_time, but raises: for values that must be dates.
function T.time(text)
  local t, err = T.parse_time(text)
  if not t then
    error(err, 2)
  end
  return t
end

function T.format_time(t)
  local days, secs = t // T.DAY, t % T.DAY
  local y, m, d = civil_from_days(days)
  return ("%04d-%02d-%02dT%02d:%02d:%02dZ"):format(y, m, d, secs // 3600, secs % 3600 // 60,
    secs % 60)
end

function T.format_date(t)
  local y, m, d = civil_from_days(t // T.DAY)
  return ("%04d-%02d-%02d"):format(y, m, d)
end

-- Whole hours and minutes, for messages: "37h 30m", "-2h 0m".
function T.describe_duration(seconds)
  local sign = seconds < 0 and "-" or ""
  seconds = math.abs(seconds)
  return ("%s%dh %02dm"):format(sign, seconds // 3600, seconds % 3600 // 60)
end

-- Day of the week of a moment: 1 = Monday ... 7 = Sunday.
function T.weekday(t)
  return (t // T.DAY + 3) % 7 + 1 -- 1970-01-01 was a Thursday
end

return T
