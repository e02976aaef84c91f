#!/usr/bin/env python3
"""The dashboard's latency (scripts/bench): RUNS requests of `GET /api/dashboard` as
the office, each right after a 审定 (`POST /api/documents/D/tasks/1/status`, D random
among DOCS documents, so one document's figures are computed again), and RUNS with
nothing written in between (kept figures). Prints median and slowest of each, in ms:
"after_median after_max still_median still_max".

    python3 dashboard.py BASE COOKIE DOCS [RUNS]

Public equivalent of one measurement:
    curl -s -b duban_session=$C -H 'Content-Type: application/json' \
      -d '{"status":"lagging","reason":"基准测试审定"}' $BASE/api/documents/7/tasks/1/status
    hyperfine -N --runs 1 "curl -sf -b duban_session=$C $BASE/api/dashboard"
"""
import http.client
import json
import random
import statistics
import sys
import time
from urllib.parse import urlparse

base, cookie, docs = sys.argv[1], sys.argv[2], int(sys.argv[3])
runs = int(sys.argv[4]) if len(sys.argv) > 4 else 20
target = urlparse(base)
headers = {"Cookie": f"duban_session={cookie}"}
rng = random.Random(11)


def request(method, path, body=None):
    conn = http.client.HTTPConnection(target.hostname, target.port, timeout=600)
    extra = {"Content-Type": "application/json"} if body is not None else {}
    start = time.monotonic()
    conn.request(method, path, body=body, headers={**headers, **extra})
    response = conn.getresponse()
    response.read()
    elapsed = (time.monotonic() - start) * 1000
    conn.close()
    if response.status >= 300:
        sys.exit(f"{method} {path}: HTTP {response.status}")
    return elapsed


after = []
for i in range(runs):
    status = "lagging" if i % 2 else "in_progress"
    body = json.dumps({"status": status, "reason": "基准测试审定"})
    request("POST", f"/api/documents/{rng.randint(1, docs)}/tasks/1/status", body)
    after.append(request("GET", "/api/dashboard"))
still = [request("GET", "/api/dashboard") for _ in range(runs)]
print(f"{statistics.median(after):.1f} {max(after):.1f} "
      f"{statistics.median(still):.1f} {max(still):.1f}")
