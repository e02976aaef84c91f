-- wrk script: report submission (save_draft) from several units' reporters, each
-- request on another report. IDS names a file of "COOKIE REPORT_ID" lines (the
-- reporter's session cookie value and one of that unit's reports), interleaved across
-- units; the threads take alternate lines, so ids are distinct until the list wraps.
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
  i = index or 0
  sent = 0
end

function request()
  local item = list[(i % #list) + 1]
  i = i + step
  sent = sent + 1
  local body = '{"action":"save_draft","text":"**阶段进展：**已完成第' .. sent ..
    '批次整改任务，正在加快推进。\\n下一步：持续跟踪督办。","percent":"' .. (sent % 100) .. '"}'
  return wrk.format("POST", "/api/reports/" .. item.id .. "/actions", {
    ["Content-Type"] = "application/json",
    ["Cookie"] = "duban_session=" .. item.cookie,
  }, body)
end
