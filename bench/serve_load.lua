-- wrk script for bench/serve_load.sh: each request is the next query of
-- QUERY_FILE (qid<TAB>query lines) as GET /search?q=...&SEARCH_PARAMS, and
-- the run ends with one machine-readable line:
--   RESULT requests=N elapsed=S p50_us=A p99_us=B errors=E non2xx=X
local queries = {}
local params = os.getenv("SEARCH_PARAMS") or "k=10"

local function encode(text)
  return (text:gsub("[^%w%-_%.~]", function(c) return string.format("%%%02X", string.byte(c)) end))
end

for line in io.lines(os.getenv("QUERY_FILE")) do
  local query = line:match("^[^\t]*\t(.*)$")
  if query and query ~= "" then
    queries[#queries + 1] = "/search?q=" .. encode(query) .. "&" .. params
  end
end
assert(#queries > 0, "no queries in QUERY_FILE")

local next_query = 0
function setup(thread)
  thread:set("offset", math.random(#queries))
end

function request()
  next_query = next_query + 1
  return wrk.format("GET", queries[(next_query + (offset or 0)) % #queries + 1])
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("RESULT requests=%d elapsed=%.3f p50_us=%d p99_us=%d errors=%d non2xx=%d\n",
    summary.requests, summary.duration / 1e6, latency:percentile(50), latency:percentile(99),
    e.connect + e.read + e.write + e.timeout, e.status))
end
