-- wrk script (scripts/bench): random task-list pages as JSON, 50 rows a page.
--   MODE=document  GET /api/tasks?document=D&page=P, D random in 1..DOCS (each with
--                  DOC_PAGES pages)
--   MODE=all       GET /api/tasks?page=P, P random in 1..PAGES (every document's tasks)
--   MODE=detail    GET /api/documents/D/tasks/N, the task page with its reports across
--                  rounds, status history and reading: D random in 1..DOCS, N in
--                  1..TASKS_PER_DOC
-- The session cookie comes from `wrk -H "Cookie: duban_session=…"`.
local mode = os.getenv("MODE") or "document"
local docs = tonumber(os.getenv("DOCS") or "100")
local doc_pages = tonumber(os.getenv("DOC_PAGES") or "2")
local pages = tonumber(os.getenv("PAGES") or "200")
local per_doc = tonumber(os.getenv("TASKS_PER_DOC") or "100")
local threads = 0

function setup(thread)
  thread:set("index", threads)
  threads = threads + 1
end

function init(args)
  math.randomseed(7919 * ((index or 0) + 1))
end

function request()
  if mode == "all" then
    return wrk.format("GET", "/api/tasks?page=" .. math.random(pages))
  elseif mode == "detail" then
    return wrk.format("GET", "/api/documents/" .. math.random(docs) .. "/tasks/" .. math.random(per_doc))
  end
  return wrk.format("GET", "/api/tasks?document=" .. math.random(docs) .. "&page=" .. math.random(doc_pages))
end
