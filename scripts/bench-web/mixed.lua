-- wrk script: the mixed run (issue 11): 90 % reads of task pages (every page of the
-- document in turn, one in five with a filter), 10 % saves of reports (save_draft, each
-- on another report, so the state of not-yet-started reports changes and every server's
-- cached pages are invalidated as in real use).
--   PAGES, DOCUMENT   as tasks.lua
--   SUP               the supervisor's session cookie value (reads)
--   IDS               file of "COOKIE REPORT_ID" lines (writes), as submit.lua
local pages = tonumber(os.getenv("PAGES") or "200")
local document = os.getenv("DOCUMENT") or "1"
local sup = os.getenv("SUP")
local filters = { "", "", "", "", "&state=not_started", "", "", "", "", "&state=draft" }
local list = {}
for line in io.lines(os.getenv("IDS")) do
  local cookie, id = line:match("^(%S+)%s+(%d+)$")
  if cookie then list[#list + 1] = { cookie = cookie, id = id } end
end
local threads = 0

function setup(thread)
  thread:set("index", threads)
  threads = threads + 1
end

function init(args)
  step = tonumber(os.getenv("THREADS") or "2")
  n = (index or 0) * 7919
  i = index or 0
end

function request()
  n = n + 1
  if n % 10 == 0 then
    local item = list[(i % #list) + 1]
    i = i + step
    local body = '{"action":"save_draft","text":"已完成第' .. n .. '批次任务，正在加快推进。","percent":"' ..
      (n % 100) .. '"}'
    return wrk.format("POST", "/api/reports/" .. item.id .. "/actions", {
      ["Content-Type"] = "application/json",
      ["Cookie"] = "duban_session=" .. item.cookie,
    }, body)
  end
  return wrk.format("GET", "/api/tasks?document=" .. document .. "&page=" .. (n % pages + 1) ..
    filters[(n % #filters) + 1], { ["Cookie"] = "duban_session=" .. sup })
end
