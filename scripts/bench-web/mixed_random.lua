-- wrk script (scripts/bench): the mixed run of issue 11 on a demo-data store. Nine
-- requests in ten read random task-list pages as the office (a document's pages,
-- one in four of them filtered by report state; the list of all documents; a unit's
-- tasks), one in ten saves a report as its unit's reporter (save_draft, each on
-- another report, so not-yet-started reports change state and every cached page of
-- their document goes stale, as in real use).
--   DOCS, DOC_PAGES, PAGES   as pages.lua
--   SUP                      the office's session cookie value (reads)
--   IDS                      file of "COOKIE REPORT_ID" lines (writes)
--   UNITS                    file of URL-encoded unit names (the unit filter)
--   WRITE_EVERY              one request in this many saves (default 10; 0: none)
local docs = tonumber(os.getenv("DOCS") or "100")
local doc_pages = tonumber(os.getenv("DOC_PAGES") or "2")
local pages = tonumber(os.getenv("PAGES") or "200")
local sup = os.getenv("SUP")
local states = { "not_started", "draft", "submitted", "accepted" }
local list = {}
for line in io.lines(os.getenv("IDS")) do
  local cookie, id = line:match("^(%S+)%s+(%d+)$")
  if cookie then list[#list + 1] = { cookie = cookie, id = id } end
end
local units = {}
for line in io.lines(os.getenv("UNITS")) do
  if #line > 0 then units[#units + 1] = line end
end
local write_every = tonumber(os.getenv("WRITE_EVERY") or "10")
local threads = 0

function setup(thread)
  thread:set("index", threads)
  threads = threads + 1
end

function init(args)
  math.randomseed(104729 * ((index or 0) + 1))
  step = tonumber(os.getenv("THREADS") or "2")
  n = 0
  i = index or 0
end

function request()
  n = n + 1
  if write_every > 0 and n % write_every == 0 then
    local item = list[(i % #list) + 1]
    i = i + step
    local body = '{"action":"save_draft","text":"已完成第' .. n .. '批次任务，正在加快推进。","percent":"' ..
      (n % 100) .. '"}'
    return wrk.format("POST", "/api/reports/" .. item.id .. "/actions", {
      ["Content-Type"] = "application/json",
      ["Cookie"] = "duban_session=" .. item.cookie,
    }, body)
  end
  local roll = math.random(100)
  local path
  if roll <= 55 then
    path = "/api/tasks?document=" .. math.random(docs) .. "&page=" .. math.random(doc_pages)
  elseif roll <= 75 then
    path = "/api/tasks?document=" .. math.random(docs) .. "&page=1&state=" .. states[math.random(#states)]
  elseif roll <= 90 then
    path = "/api/tasks?page=" .. math.random(pages)
  else
    path = "/api/tasks?unit=" .. units[math.random(#units)]
  end
  return wrk.format("GET", path, { ["Cookie"] = "duban_session=" .. sup })
end
