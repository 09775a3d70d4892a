#!/usr/bin/python3
"""Socketmap probes for side-by-side.sh.
  probe.py first-answer PORT STARTED_MS KEY   ms from STARTED_MS (epoch ms) to the first "OK secure" reply for KEY
  probe.py warm PORT KEYSFILE                 asks for every key until each is answered "OK secure" (8 in parallel)
"""
import socket
import sys
import time
from concurrent.futures import ThreadPoolExecutor


def netstring(text):
    data = text.encode()
    return str(len(data)).encode() + b":" + data + b","


def ask(port, key, timeout=10):
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as s:
        s.sendall(netstring("postfix " + key))
        reply = b""
        while not reply.endswith(b","):
            chunk = s.recv(4096)
            if not chunk:
                break
            reply += chunk
        return reply


def first_answer(port, started, key):
    while time.time() * 1000 - started < 60000:
        try:
            if b"OK secure" in ask(port, key):
                return str(int(time.time() * 1000) - started)
        except OSError:
            pass
        time.sleep(0.005)
    return "never"


def warm(port, keys_file):
    keys = [k.strip() for k in open(keys_file) if k.strip() and not k.startswith("#")]

    def until_secure(key):
        for _ in range(20):
            try:
                if b"OK secure" in ask(port, key):
                    return True
            except OSError:
                pass
            time.sleep(0.2)
        return False

    with ThreadPoolExecutor(8) as pool:
        ok = sum(pool.map(until_secure, keys))
    return "%d/%d keys answered OK secure" % (ok, len(keys))


if sys.argv[1] == "first-answer":
    print(first_answer(int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]))
elif sys.argv[1] == "warm":
    print(warm(int(sys.argv[2]), sys.argv[3]))
else:
    sys.exit(__doc__)
