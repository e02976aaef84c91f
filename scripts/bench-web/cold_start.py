#!/usr/bin/env python3
"""Cold start to first response (scripts/bench): starts `duban serve` on a free
loopback port RUNS times and measures the time from the exec to the first `200` of
`GET /healthz`, polling every millisecond; then stops it (SIGINT) and waits.
Prints the median and the slowest, in ms.

    python3 cold_start.py BIN DATABASE_URL [RUNS]

Public equivalent (coarser, curl's own start included in each poll):
    hyperfine -N --runs 5 --prepare 'sleep 1' \
      "sh -c 'duban serve --bind 127.0.0.1:8099 & until curl -sf http://127.0.0.1:8099/healthz; do :; done; kill %1'"
"""
import os
import signal
import socket
import statistics
import subprocess
import sys
import time

binary, url = sys.argv[1], sys.argv[2]
runs = int(sys.argv[3]) if len(sys.argv) > 3 else 5


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def healthy(port):
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1) as s:
            s.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
            return s.recv(64).startswith(b"HTTP/1.1 200")
    except OSError:
        return False


times = []
env = dict(os.environ, DATABASE_URL=url)
env.pop("DUBAN_LOG", None)
for _ in range(runs):
    port = free_port()
    start = time.monotonic()
    server = subprocess.Popen([binary, "serve", "--bind", f"127.0.0.1:{port}"], env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        while not healthy(port):
            if server.poll() is not None:
                sys.exit(f"duban serve exited with {server.returncode}")
            if time.monotonic() - start > 120:
                sys.exit("no answer in 120 s")
            time.sleep(0.001)
        times.append((time.monotonic() - start) * 1000)
    finally:
        server.send_signal(signal.SIGINT)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
    time.sleep(0.5)
print(f"{statistics.median(times):.0f} {max(times):.0f}")
