#!/usr/bin/env python3
"""Drives duban's crash-safety test (scripts/crash-test.sh); standard library only.

Subcommands:

  load URL STATE SECONDS   Several reporters save their reports as fast as they can for
                           SECONDS (or until the server dies). Every write acknowledged
                           with 2xx is appended to STATE (JSON lines: report, text,
                           percent, acked), and so is every write sent but not answered
                           (acked false): a write in flight at the kill may or may not
                           have committed, but nothing else is allowed.
  check STATE DUMP         Compares STATE with DUMP (the reports and event counts read from
                           the database after the kill): every acknowledged write must be
                           there with exactly its content. Prints the figures as JSON;
                           exits 1 on any loss.
  login URL USER COOKIES   Logs in as USER and keeps the session in the file COOKIES.
  write URL COOKIES        One save of the first report of the session's user, printing
                           the HTTP status and error (the full-disk and read-only cases).

The reporters and their reports come from STATE's first line (written by `setup`):
  setup URL STATE USER...  Logs in as each reporter, lists its unit's reports.
"""

import http.cookiejar
import json
import sys
import threading
import time
import urllib.error
import urllib.request

PASSWORD = "crash-Test-1"


def client():
    jar = http.cookiejar.CookieJar()
    return urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))


def call(opener, url, body=None, timeout=10):
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(url, data=data, method="GET" if body is None else "POST")
    req.add_header("Content-Type", "application/json")
    try:
        with opener.open(req, timeout=timeout) as r:
            return r.status, json.loads(r.read() or b"null")
    except urllib.error.HTTPError as e:
        raw = e.read()
        try:
            return e.code, json.loads(raw)
        except ValueError:
            return e.code, raw.decode("utf-8", "replace")


def login(url, user, password=PASSWORD):
    opener = client()
    status, body = call(opener, f"{url}/api/login", {"username": user, "password": password})
    if status != 200:
        raise SystemExit(f"login {user}: {status} {body}")
    return opener


def setup(url, state, users):
    plan = {}
    for user in users:
        opener = login(url, user)
        status, mine = call(opener, f"{url}/api/reports/mine")
        ids = [r["id"] for r in mine if r.get("state") in ("not_started", "draft")]
        if not ids:
            raise SystemExit(f"{user} has no report to write")
        plan[user] = ids
    with open(state, "w", encoding="utf-8") as f:
        f.write(json.dumps({"plan": plan}, ensure_ascii=False) + "\n")


def load(url, state, seconds):
    with open(state, encoding="utf-8") as f:
        plan = json.loads(f.readline())["plan"]
        previous = sum(1 for _ in f)
    lock = threading.Lock()
    out = open(state, "a", encoding="utf-8")
    deadline = time.time() + seconds
    cycle = int(time.time() * 1000)

    def record(row):
        with lock:
            out.write(json.dumps(row, ensure_ascii=False) + "\n")
            out.flush()

    def reporter(user, reports):
        try:
            opener = login(url, user)
        except Exception:
            return
        n = 0
        while time.time() < deadline:
            report = reports[n % len(reports)]
            text = f"{user} 第{cycle}-{previous}-{n}次保存：已完成阶段目标，累计推进{n}项工作"
            percent = n % 101
            body = {"action": "save_draft", "text": text, "percent": str(percent)}
            try:
                status, answer = call(opener, f"{url}/api/reports/{report}/actions", body)
            except Exception:
                # No answer: the server died with the write in flight.
                record({"report": report, "text": text, "percent": percent, "acked": False})
                return
            if 200 <= status < 300:
                record({"report": report, "text": text, "percent": percent, "acked": True})
            else:
                record({"report": report, "text": text, "percent": percent, "acked": False,
                        "status": status, "error": str(answer)[:200]})
            n += 1

    threads = [threading.Thread(target=reporter, args=(u, r)) for u, r in plan.items()]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    out.close()


def check(state, dump):
    with open(state, encoding="utf-8") as f:
        f.readline()
        writes = [json.loads(line) for line in f if line.strip()]
    with open(dump, encoding="utf-8") as f:
        stored = json.load(f)
    reports = {int(r["id"]): r for r in stored["reports"]}
    events = {int(k): int(v) for k, v in stored["events"].items()}
    acked_per_report = {}
    last = {}
    inflight = {}
    for w in writes:
        if w["acked"]:
            acked_per_report[w["report"]] = acked_per_report.get(w["report"], 0) + 1
            last[w["report"]] = w
            inflight.pop(w["report"], None)
        elif "status" not in w:
            inflight[w["report"]] = w
    lost = []
    for report, w in last.items():
        r = reports.get(report)
        candidates = [w] + ([inflight[report]] if report in inflight else [])
        if r is None or not any(
            r["text"] == c["text"] and int(r["percent"]) == c["percent"] for c in candidates
        ):
            lost.append({"report": report, "expected": w["text"], "found": r and r["text"]})
        if events.get(report, 0) < acked_per_report[report]:
            lost.append({"report": report, "events": events.get(report, 0),
                         "acknowledged": acked_per_report[report]})
    figures = {
        "acknowledged": sum(1 for w in writes if w["acked"]),
        "unanswered": sum(1 for w in writes if not w["acked"] and "status" not in w),
        "refused": sum(1 for w in writes if not w["acked"] and "status" in w),
        "reports_checked": len(last),
        "lost": len(lost),
    }
    print(json.dumps(figures))
    if lost:
        print(json.dumps(lost[:5], ensure_ascii=False), file=sys.stderr)
        for item in lost[:2]:
            print(f"every write to report {item['report']}:", file=sys.stderr)
            for w in writes:
                if w["report"] == item["report"]:
                    print("  " + json.dumps(w, ensure_ascii=False), file=sys.stderr)
        sys.exit(1)


def keep_login(url, user, cookies):
    jar = http.cookiejar.MozillaCookieJar(cookies)
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    status, body = call(opener, f"{url}/api/login", {"username": user, "password": PASSWORD})
    if status != 200:
        raise SystemExit(f"login {user}: {status} {body}")
    jar.save(ignore_discard=True)


def write(url, cookies):
    jar = http.cookiejar.MozillaCookieJar(cookies)
    jar.load(ignore_discard=True)
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    status, mine = call(opener, f"{url}/api/reports/mine")
    report = mine[0]["id"]
    status, body = call(opener, f"{url}/api/reports/{report}/actions",
                        {"action": "save_draft", "text": "磁盘满或只读时的写入" * 400, "percent": "50"})
    print(status)
    print(body["error"] if isinstance(body, dict) and "error" in body else body)


if __name__ == "__main__":
    command, *args = sys.argv[1:]
    if command == "setup":
        setup(args[0], args[1], args[2:])
    elif command == "load":
        load(args[0], args[1], float(args[2]))
    elif command == "check":
        check(args[0], args[1])
    elif command == "login":
        keep_login(*args)
    elif command == "write":
        write(*args)
    else:
        raise SystemExit(f"unknown command {command}")
