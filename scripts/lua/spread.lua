-- wrk: one wrk process whose threads each load a different node of a cluster, so that its latency
-- figures (p99 included) are those of every request together, not one per node.
-- Usage: KVORTEX_NODES=host:port,host:port,... KVORTEX_LOAD=path/to/kv-get.lua \
--          wrk -tT -cC -s spread.lua URL -- ARGS...   (ARGS go to the load script's init)
-- Thread k (in creation order) connects to node k mod the node count; URL gives the Host header only.
local nodes = {}
for entry in string.gmatch(os.getenv("KVORTEX_NODES") or "", "[^,]+") do nodes[#nodes + 1] = entry end
local created = 0
function setup(thread)
  assert(#nodes > 0, "KVORTEX_NODES is empty: give host:port,host:port,...")
  local host, port = string.match(nodes[created % #nodes + 1], "^(.+):(%d+)$")
  thread.addr = wrk.lookup(host, port)[1]
  created = created + 1
end
dofile(assert(os.getenv("KVORTEX_LOAD"), "KVORTEX_LOAD names the load script (kv-get.lua, kv-post.lua)"))
