#!/bin/bash
# Socketmap cache hits, two builds of our daemon and fixedsrv in one run, without network: both daemons
# start from the same SQLite store holding KEYS policies (mode enforce, mx mx1.example.test), loaded at
# start-up, so every measured request is a cache hit rendered as "OK secure match=...".
#   benchmarks/scripts/hit-ab.sh                 env: JAR_A (default: cli/target/mtasts.jar) JAR_B (default: none)
#                                   YAML_A, YAML_B: configuration lines added to that daemon's file (e.g.
#                                   'socketmap: {transport: io_uring}'; JAR_B=$JAR_A then compares settings)
#                                   OPTS_A, OPTS_B: that daemon's MTASTS_JAVA_OPTS; DEFAULTS_A, DEFAULTS_B: its
#                                   MTASTS_JVM_DEFAULTS (off: the JVM's own defaults instead of the launcher's)
#                                   SHARED ROUNDS DURATION WARMUP KEYS LEVELS
#                                   LOADGEN (c: benchmarks/scripts/socketmap-load.c, default; java: bench socketmap) LOAD_THREADS
# Runs alternate fixedsrv, A, B per level and round; prints the median of each cell with the load average and the
# server's CPU time per answer over the measured window (/proc/PID/stat), B/A per round, then
# each daemon's resident memory after the runs (VmRSS, and VmHWM: its peak since start, from /proc).
set -euo pipefail
here=$(cd "$(dirname "$(readlink -f "$0")")" && pwd)
root=$(cd "$here/../.." && pwd)
SHARED=${SHARED:-$root/../shared}
JAR_A=${JAR_A:-$root/cli/target/mtasts.jar}
JAR_B=${JAR_B:-}
ROUNDS=${ROUNDS:-3}
DURATION=${DURATION:-8}
WARMUP=${WARMUP:-2}
KEYS=${KEYS:-200}
LEVELS=${LEVELS:-"16 256"}
LOADGEN=${LOADGEN:-c}
LOAD_THREADS=${LOAD_THREADS:-}
YAML_A=${YAML_A:-}
YAML_B=${YAML_B:-}
OPTS_A=${OPTS_A:-}
OPTS_B=${OPTS_B:-}
DEFAULTS_A=${DEFAULTS_A:-}
DEFAULTS_B=${DEFAULTS_B:-}

work=$(mktemp -d /tmp/hit-ab.XXXXXX)
pids=()
cleanup() {
    for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
    wait 2>/dev/null || true
}
trap cleanup EXIT
gcc -O2 -o "$work/fixedsrv" "$SHARED/bench/fixedsrv.c"
case "$LOADGEN" in
    c) gcc -O2 -pthread -o "$work/socketmap-load" "$here/socketmap-load.c"
       loadgen=("$work/socketmap-load")
       loadgen_label="C benchmarks/scripts/socketmap-load.c, ${LOAD_THREADS:-1} epoll thread(s)" ;;
    java) loadgen=(java -jar "$root/benchmarks/target/mtasts-bench.jar" socketmap)
          loadgen_label="Java mtasts-bench.jar socketmap, ${LOAD_THREADS:-one per core} selector thread(s)" ;;
    *) echo "hit-ab: LOADGEN is c or java, not $LOADGEN" >&2; exit 2 ;;
esac
"$work/fixedsrv" 19461 >/dev/null 2>&1 &
pids+=($!)
declare -A daemon_pid=([fixedsrv]=$!)
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }  # user + system CPU of a process, in clock ticks

ask() {  # port key: the reply payload
    /usr/bin/python3 -c '
import socket, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=5)
q = ("postfix " + sys.argv[2]).encode()
s.sendall(b"%d:%s," % (len(q), q))
r = b""
while not r.endswith(b","):
    c = s.recv(4096)
    if not c:
        break
    r += c
print(r.split(b":", 1)[1][:-1].decode())' "$@" 2>/dev/null || true
}

config() {  # name port [extra YAML]
    printf 'host: 127.0.0.1\nport: %s\ncache_grace: 86400\ncache: {type: sqlite, options: {filename: %s}}\n%s\n' \
        "$2" "$work/$1.db" "${3:-}" > "$work/$1.yml"
}

start() {  # name jar port [extra YAML [MTASTS_JAVA_OPTS [MTASTS_JVM_DEFAULTS]]]
    config "$1" "$3" "${4:-}"
    MTASTS_JAR=$2 MTASTS_JAVA_OPTS=${5:-} MTASTS_JVM_DEFAULTS=${6:-} "$root/bin/mta-sts-daemon" -c "$work/$1.yml" \
        >"$work/$1.log" 2>&1 &
    pids+=($!)
    daemon_pid[$1]=$!  # the launchers exec: this is the JVM
    for _ in $(seq 600); do
        [ -n "$(ask "$3" '[192.0.2.1]')" ] && return 0
        sleep 0.1
    done
    echo "daemon $1 did not start; its log:" >&2
    cat "$work/$1.log" >&2
    exit 1
}

# the schema comes from the daemon itself; the policies are written as a daemon that discovered them would
start schema "$JAR_A" 17461
kill "${pids[-1]}"
wait "${pids[-1]}" || true
/usr/bin/python3 - "$work/schema.db" "$KEYS" "$work/keys.txt" <<'PY'
import sqlite3, sys, time
db = sqlite3.connect(sys.argv[1])
now = int(time.time())
text = "version: STSv1\nmode: enforce\nmx: mx1.example.test\nmax_age: 604800\n"
with open(sys.argv[3], "w") as keys:
    for i in range(int(sys.argv[2])):
        domain = "d%d.bench.test" % i
        db.execute("INSERT INTO policy VALUES (?, 'bench1', 'ENFORCE', 604800, 'mx1.example.test', ?, ?, ?, ?)",
                   (domain, text, now, now + 604800, now))
        keys.write(domain + "\n")
db.commit()
PY
targets="fixedsrv a"
cp "$work/schema.db" "$work/a.db"
start a "$JAR_A" 18461 "$YAML_A" "$OPTS_A" "$DEFAULTS_A"
if [ -n "$JAR_B" ]; then
    cp "$work/schema.db" "$work/b.db"
    start b "$JAR_B" 28461 "$YAML_B" "$OPTS_B" "$DEFAULTS_B"
    targets="fixedsrv a b"
fi
declare -A port=([fixedsrv]=19461 [a]=18461 [b]=28461)
for who in a ${JAR_B:+b}; do
    reply=$(ask "${port[$who]}" d1.bench.test)
    [[ "$reply" == "OK secure"* ]] || { echo "daemon $who answers \"$reply\", not a cached policy" >&2; exit 1; }
done

: > "$work/runs.jsonl"
for round in $(seq 1 "$ROUNDS"); do
    for c in $LEVELS; do
        for who in $targets; do
            # the server's CPU over the measured window (after the warm-up): CPU per answer holds up on a busy
            # machine, where requests/s mostly measures how much CPU the other jobs left
            "${loadgen[@]}" --port "${port[$who]}" --connections "$c" ${LOAD_THREADS:+--threads "$LOAD_THREADS"} \
                --duration "$DURATION" --warmup "$WARMUP" --keys "$work/keys.txt" --expect "OK secure" --json \
                > "$work/run.json" || true &
            sleep "$WARMUP"
            cpu0=$(cpu_ticks "${daemon_pid[$who]}")
            wait $! || true
            cpu1=$(cpu_ticks "${daemon_pid[$who]}")
            line=$(cat "$work/run.json")
            load=$(cut -d' ' -f1 /proc/loadavg)
            cpu_ms=$(( (cpu1 - cpu0) * 1000 / $(getconf CLK_TCK) ))
            echo "{\"round\":$round,\"who\":\"$who\",\"load\":$load,\"server_cpu_ms\":$cpu_ms,${line#\{}" >> "$work/runs.jsonl"
            echo "round $round $who c=$c load $load: $line" >&2
        done
    done
done

/usr/bin/python3 - "$work/runs.jsonl" "$loadgen_label" <<'PY'
import json, statistics, sys
runs = [json.loads(l) for l in open(sys.argv[1])]
cell = {}
for r in runs:
    cell.setdefault((r["who"], r["connections"]), []).append(r)
def med(who, c, field):
    return statistics.median(r[field] for r in cell[(who, c)])
print("median of %d alternating runs per cell; load generator: %s; load average (1 min) during the runs %.1f-%.1f"
      % (max(len(v) for v in cell.values()), sys.argv[2], min(r["load"] for r in runs), max(r["load"] for r in runs)))
for r in runs:
    r["cpu_us_per_req"] = 1000.0 * r["server_cpu_ms"] / max(1, r["requests"])
print("%-9s %5s %10s %8s %8s %8s %8s %7s %12s" % ("target", "conns", "req/s", "p50 ms", "p99 ms", "p99.9 ms", "max ms",
      "errors", "CPU us/req"))
levels = sorted({r["connections"] for r in runs})
for c in levels:
    for w in ("fixedsrv", "a", "b"):
        if (w, c) in cell:
            print("%-9s %5d %10.0f %8.3f %8.3f %8.3f %8.3f %7d %12.2f" % (w, c, med(w, c, "requests_per_s"), med(w, c, "p50_ms"),
                  med(w, c, "p99_ms"), med(w, c, "p999_ms"), med(w, c, "max_ms"), sum(r["errors"] for r in cell[(w, c)]),
                  med(w, c, "cpu_us_per_req")))
for c in levels:
    if ("b", c) in cell:
        pairs = {}
        for r in cell[("a", c)] + cell[("b", c)]:
            pairs.setdefault(r["round"], {})[r["who"]] = r
        ratio = [p["b"]["requests_per_s"] / p["a"]["requests_per_s"] for p in pairs.values() if len(p) == 2]
        cpu = [p["b"]["cpu_us_per_req"] / p["a"]["cpu_us_per_req"] for p in pairs.values() if len(p) == 2]
        print("c=%d b/a per round: req/s %s; CPU per request %s" % (c, " ".join("%.2f" % x for x in ratio),
              " ".join("%.2f" % x for x in cpu)))
for c in levels:
    for w in ("a", "b"):
        if (w, c) in cell:
            print("c=%d %s/fixedsrv %.2f, queueing bound 3*c/throughput %.3f ms" % (c, w,
                  med(w, c, "requests_per_s") / med("fixedsrv", c, "requests_per_s"), 3000 * c / med(w, c, "requests_per_s")))
PY
for who in a ${JAR_B:+b}; do
    awk -v who="$who" '$1 == "VmRSS:" {rss = $2} $1 == "VmHWM:" {hwm = $2}
        END {printf "%s resident memory after the runs: VmRSS %.1f MiB, VmHWM (peak) %.1f MiB\n", who, rss / 1024, hwm / 1024}' \
        "/proc/${daemon_pid[$who]}/status"
done
echo "raw runs: $work/runs.jsonl" >&2
