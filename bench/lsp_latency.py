#!/usr/bin/env python3
"""How long `policy lsp` takes to publish diagnostics after a one-character edit.

Opens policies/hk/employment.policy in a server on the bundled policies, then alternately deletes
and re-types the last letter of `level` in rule relaxation_2014 (each edit makes or clears an
E0203, so each is answered with new diagnostics), and measures from sending the edit to receiving
the diagnostics. Prints the median, the 90th percentile and the server's own check time
(`policy/status`). The goal (issue 24) is a median under 50 ms on this 2-core machine.

    python3 bench/lsp_latency.py [build/cli/policy] [EDITS]
"""
import json
import os
import statistics
import subprocess
import sys
import time

root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
policy = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else os.path.join(root, "build/cli/policy"))
edits = int(sys.argv[2]) if len(sys.argv) > 2 else 100

server = subprocess.Popen([policy, "lsp", "--as-of", "2025-09-01", os.path.join(root, "policies")],
                          stdin=subprocess.PIPE, stdout=subprocess.PIPE)


def send(message):
    body = json.dumps(message).encode()
    server.stdin.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)
    server.stdin.flush()


def receive():
    header = b""
    while not header.endswith(b"\r\n\r\n"):
        byte = server.stdout.read(1)
        if not byte:
            sys.exit("the server closed its output")
        header += byte
    length = int(header.lower().split(b"content-length:")[1].split(b"\r\n")[0])
    return json.loads(server.stdout.read(length))


def request(id_, method, params):
    send({"jsonrpc": "2.0", "id": id_, "method": method, "params": params})
    while True:
        message = receive()
        if message.get("id") == id_:
            return message["result"]


path = os.path.join(root, "policies", "hk", "employment.policy")
uri = "file://" + path
text = open(path, encoding="utf-8").read()
request(1, "initialize", {"rootUri": "file://" + root, "capabilities": {}})
send({"jsonrpc": "2.0", "method": "initialized", "params": {}})
send({"jsonrpc": "2.0", "method": "textDocument/didOpen",
      "params": {"textDocument": {"uri": uri, "languageId": "policy", "version": 1, "text": text}}})
request(2, "policy/status", {})  # the first check is done

at = text.index("c.programme.level", text.index("rule relaxation_2014")) + len("c.programme.leve")
line = text.count("\n", 0, at)
character = at - (text.rfind("\n", 0, at) + 1)
times, checks = [], []
for k in range(edits):
    if k % 2 == 0:
        change = {"range": {"start": {"line": line, "character": character},
                            "end": {"line": line, "character": character + 1}}, "text": ""}
    else:
        change = {"range": {"start": {"line": line, "character": character},
                            "end": {"line": line, "character": character}}, "text": "l"}
    start = time.perf_counter()
    send({"jsonrpc": "2.0", "method": "textDocument/didChange",
          "params": {"textDocument": {"uri": uri, "version": k + 2}, "contentChanges": [change]}})
    while True:
        message = receive()
        if message.get("method") == "textDocument/publishDiagnostics" and message["params"]["uri"] == uri:
            expected = 1 if k % 2 == 0 else 0
            if len(message["params"]["diagnostics"]) != expected:
                sys.exit(f"edit {k}: expected {expected} diagnostics, got {message['params']['diagnostics']}")
            break
    times.append((time.perf_counter() - start) * 1000)
    checks.append(request(1000 + k, "policy/status", {})["check_ms"])

request(9999, "shutdown", None)
send({"jsonrpc": "2.0", "method": "exit"})
server.wait(timeout=10)
times.sort()
print(f"lsp diagnostics after a one-character edit in hk/employment.policy ({edits} edits):")
print(f"  median {statistics.median(times):.1f} ms, p90 {times[int(len(times) * 0.9) - 1]:.1f} ms, "
      f"max {times[-1]:.1f} ms (goal: median under 50 ms)")
print(f"  of which the server's check: median {statistics.median(checks):.1f} ms")
