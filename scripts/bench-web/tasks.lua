-- wrk script: the supervisor's task list as JSON, 50 rows a page, cycling over every
-- page of the document so no single page is "hot".
--   PAGES     number of pages (default 200 = 10,000 tasks / 50)
--   DOCUMENT  document id (default 1)
-- The session cookie comes from `wrk -H "Cookie: duban_session=…"`.
local pages = tonumber(os.getenv("PAGES") or "200")
local document = os.getenv("DOCUMENT") or "1"
local threads = 0

function setup(thread)
  thread:set("index", threads)
  threads = threads + 1
end

function init(args)
  -- Threads start on different pages.
  n = (index or 0) * 7919
end

function request()
  n = n + 1
  return wrk.format("GET", "/api/tasks?document=" .. document .. "&page=" .. (n % pages + 1))
end
