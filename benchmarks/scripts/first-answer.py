#!/usr/bin/python3
"""Daemon start to first socketmap answer, median of several runs.

  first-answer.py [--runs N] [--port P] [--key KEY] [--expect PREFIX] [--variant 'LABEL VAR=VALUE...']... \
                  -- COMMAND...

Launches COMMAND (e.g. bin/mta-sts-daemon -c FILE), asks `postfix KEY` on 127.0.0.1:PORT every 5 ms until
a reply starting with PREFIX arrives, and takes the milliseconds from launch to that reply; then stops the
daemon with SIGTERM and waits for it. With several --variant (a label, then environment assignments in shell
syntax, e.g. --variant 'cds MTASTS_JAVA_OPTS="-XX:SharedArchiveFile=a.jsa"'), the variants take turns run by
run, so that a shared machine's changing load falls on each alike. Prints every run (with the CPU time the
whole process used, start to exit) and each variant's medians.
"""
import argparse
import os
import shlex
import signal
import socket
import statistics
import subprocess
import sys
import time


def netstring(text):
    data = text.encode()
    return str(len(data)).encode() + b":" + data + b","


def ask(port, key):
    with socket.create_connection(("127.0.0.1", port), timeout=5) as s:
        s.sendall(netstring("postfix " + key))
        reply = b""
        while not reply.endswith(b","):
            chunk = s.recv(4096)
            if not chunk:
                break
            reply += chunk
        return reply.split(b":", 1)[1][:-1].decode() if b":" in reply else ""


def one_run(command, env, port, key, expect, limit_s=60):
    started = time.monotonic()
    daemon = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        while time.monotonic() - started < limit_s:
            if daemon.poll() is not None:
                sys.exit("daemon exited with %d before answering" % daemon.returncode)
            try:
                if ask(port, key).startswith(expect):
                    return (time.monotonic() - started) * 1000, daemon
            except OSError:
                pass
            time.sleep(0.005)
        sys.exit("no answer within %d s" % limit_s)
    finally:
        daemon.send_signal(signal.SIGTERM)


def stop(daemon):
    """CPU seconds (user + system) the daemon used from start to exit."""
    _, _, usage = os.wait4(daemon.pid, 0)
    return usage.ru_utime + usage.ru_stime


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--port", type=int, default=8461)
    parser.add_argument("--key", default="[192.0.2.1]")
    parser.add_argument("--expect", default="NOTFOUND")
    parser.add_argument("--variant", action="append", default=[])
    parser.add_argument("command", nargs="+")
    args = parser.parse_args()
    variants = []
    for spec in args.variant or ["default"]:
        label, *assignments = shlex.split(spec)
        env = dict(os.environ)
        env.update(a.split("=", 1) for a in assignments)
        variants.append((label, env, [], []))
    for run in range(args.runs):
        for label, env, times, cpu in variants:
            ms, daemon = one_run(args.command, env, args.port, args.key, args.expect)
            cpu.append(stop(daemon))
            times.append(ms)
            print("run %d %s: %.0f ms to first answer, %.2f s CPU in all" % (run + 1, label, ms, cpu[-1]),
                  flush=True)
    load = os.getloadavg()
    for label, _, times, cpu in variants:
        print("%s: median %.0f ms to first answer (min %.0f, max %.0f), median CPU %.2f s, %d runs"
              % (label, statistics.median(times), min(times), max(times), statistics.median(cpu), len(times)))
    print("load average at the end: %.2f %.2f %.2f" % load)


if __name__ == "__main__":
    main()
