#!/bin/bash
# Side-by-side socketmap benchmark: fixedsrv (the machine's limit), the Python postfix-mta-sts-resolver and our
# daemon, loaded by the same load generator with the same keys, alternating, at 16 and 256 connections.
#
# Both daemons discover real policies: everything runs inside a private network namespace with dnsmasq serving
# the _mta-sts TXT records and A records, and an HTTPS server (certificate from a throwaway CA both daemons are
# told to trust) serving the policy. A warm-up pass makes every key a cache hit; the measured passes check each
# reply is the policy answer (--expect "OK secure"), so a miss or a fallback shows up as an error.
#
# Needs root (network namespace) and: postfix-mta-sts-resolver python3-uvloop dnsmasq gcc openssl iproute2
# (installed with apt when missing). Build the jar first: mvn -B -DskipTests package
#
# Environment: SHARED (default ../shared, holds benchmarks/scripts/fixedsrv.c), DURATION (measured s per run, 10),
# WARMUP (s, 2), ROUNDS (alternations, 3), KEYS (number of domains, 200), LEVELS ("16 256"),
# TARGETS ("fixedsrv python ours"), CACHE (cache type for both daemons: internal or sqlite, default internal),
# SOAK (seconds of 16-connection load on ours after the table, live heap sampled every SOAK_EVERY s;
# default 0: no soak), LOADGEN (c: benchmarks/scripts/socketmap-load.c, compiled here, the default; java: `mtasts-bench.jar
# socketmap`, which on a 2-core machine takes CPU from the server it measures), LOAD_THREADS (client threads,
# default 1 for c: the setting that lets fixedsrv reach the machine's limit; the Java tool's default otherwise),
# OURS_YAML (configuration lines added to our daemon's file, e.g. 'socketmap: {transport: epoll}'). Our daemon is
# started by bin/mta-sts-daemon with this environment, so MTASTS_JAVA_OPTS and MTASTS_JVM_DEFAULTS apply to it.
# HOLD (seconds to keep both daemons up after the load, for inspection; default none). After the table: both daemons' resident memory (VmRSS, and VmHWM: the peak) once started, once warm, after the runs.
set -euo pipefail

here=$(cd "$(dirname "$(readlink -f "$0")")" && pwd)
root=$(cd "$here/../.." && pwd)
SHARED=${SHARED:-$root/../shared}
DURATION=${DURATION:-10}
WARMUP=${WARMUP:-2}
ROUNDS=${ROUNDS:-3}
KEYS=${KEYS:-200}
LEVELS=${LEVELS:-"16 256"}
TARGETS=${TARGETS:-"fixedsrv python ours"}
CACHE=${CACHE:-internal}
SOAK=${SOAK:-0}
SOAK_EVERY=${SOAK_EVERY:-60}
LOADGEN=${LOADGEN:-c}
LOAD_THREADS=${LOAD_THREADS:-}
OURS_YAML=${OURS_YAML:-}
ns=mtasts-bench-$$
work=$(mktemp -d /tmp/mtasts-bench.XXXXXX)
declare -A port=([fixedsrv]=19461 [python]=18461 [ours]=28461)
pids=()

cleanup() {
    for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
    wait 2>/dev/null || true
    ip netns del "$ns" 2>/dev/null || true
    rm -rf "/etc/netns/$ns"
}
trap cleanup EXIT

in_ns() { ip netns exec "$ns" "$@"; }

need=()
dpkg -s postfix-mta-sts-resolver >/dev/null 2>&1 || need+=(postfix-mta-sts-resolver)
dpkg -s python3-uvloop >/dev/null 2>&1 || need+=(python3-uvloop)
command -v dnsmasq >/dev/null || need+=(dnsmasq)
command -v gcc >/dev/null || need+=(gcc)
command -v openssl >/dev/null || need+=(openssl)
command -v ip >/dev/null || need+=(iproute2)
if [ ${#need[@]} -gt 0 ]; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
fi
jar=${MTASTS_JAR:-$root/cli/target/mtasts.jar}
[ -f "$jar" ] || { echo "side-by-side: $jar missing; build it: mvn -B -DskipTests package" >&2; exit 2; }
gcc -O2 -pthread -o "$work/fixedsrv" "$SHARED/bench/fixedsrv.c"
case "$LOADGEN" in
    c) gcc -O2 -pthread -o "$work/socketmap-load" "$here/socketmap-load.c"
       loadgen=("$work/socketmap-load")
       loadgen_label="C benchmarks/scripts/socketmap-load.c, ${LOAD_THREADS:-1} epoll thread(s)" ;;
    java) loadgen=(java -jar "$root/benchmarks/target/mtasts-bench.jar" socketmap)
          loadgen_label="Java mtasts-bench.jar socketmap, ${LOAD_THREADS:-one per core} selector thread(s)" ;;
    *) echo "side-by-side: LOADGEN is c or java, not $LOADGEN" >&2; exit 2 ;;
esac

echo "# work directory $work" >&2
# keys, DNS, certificate, policy
: > "$work/keys.txt"
: > "$work/dnsmasq.conf"
san=""
for i in $(seq 1 "$KEYS"); do
    d="d$i.bench.test"
    echo "$d" >> "$work/keys.txt"
    echo "txt-record=_mta-sts.$d,\"v=STSv1; id=20261129T000000\"" >> "$work/dnsmasq.conf"
    san="$san,DNS:mta-sts.$d"
done
cat >> "$work/dnsmasq.conf" <<CONF
no-resolv
no-hosts
listen-address=127.0.0.1
bind-interfaces
address=/bench.test/127.0.0.1
CONF
printf 'version: STSv1\r\nmode: enforce\r\nmx: mx1.example.test\r\nmax_age: 86400\r\n' > "$work/policy.txt"
openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=mtasts bench CA" \
    -keyout "$work/ca.key" -out "$work/ca.pem" 2>/dev/null
openssl req -newkey rsa:2048 -nodes -subj "/CN=mta-sts.d1.bench.test" -keyout "$work/host.key" -out "$work/host.csr" 2>/dev/null
printf 'subjectAltName=%s\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n' "${san#,}" > "$work/host.ext"
openssl x509 -req -in "$work/host.csr" -CA "$work/ca.pem" -CAkey "$work/ca.key" -CAcreateserial -days 2 \
    -extfile "$work/host.ext" -out "$work/host.pem" 2>/dev/null

# the two daemons, same settings: port, cache type, zone defaults (require_sni on), a cache grace longer than the
# run so that every measured request is a hit on both
for who in python ours; do
    if [ "$CACHE" = sqlite ]; then
        cache="cache:
  type: sqlite
  options:
    filename: $work/$who-cache.db"
    else
        cache="cache:
  type: internal
  options:
    cache_size: $((KEYS * 2))"
    fi
    cat > "$work/$who.yml" <<YML
host: 127.0.0.1
port: ${port[$who]}
cache_grace: 3600
$cache
default_zone:
  strict_testing: false
  timeout: 4
YML
done
echo "ca_file: $work/ca.pem" >> "$work/ours.yml"
[ -z "$OURS_YAML" ] || printf '%s\n' "$OURS_YAML" >> "$work/ours.yml"

ip netns add "$ns"
ip -n "$ns" link set lo up
mkdir -p "/etc/netns/$ns"
echo "nameserver 127.0.0.1" > "/etc/netns/$ns/resolv.conf"

ip netns exec "$ns" dnsmasq --keep-in-foreground --conf-file="$work/dnsmasq.conf" --pid-file="$work/dnsmasq.pid" 2>"$work/dnsmasq.log" &
pids+=($!)
ip netns exec "$ns" /usr/bin/python3 "$here/policy-server.py" 127.0.0.1 443 "$work/host.pem" "$work/host.key" "$work/policy.txt" &
pids+=($!)
ip netns exec "$ns" "$work/fixedsrv" "${port[fixedsrv]}" 1 &
pids+=($!)

now_ms() { date +%s%3N; }

# start to first answer: the cache is cold, so this includes one local discovery
started=$(now_ms)
SSL_CERT_FILE="$work/ca.pem" ip netns exec "$ns" mta-sts-daemon -c "$work/python.yml" -v warn -l "$work/python.log" &
pids+=($!)
python_pid=$!
python_start=$(in_ns /usr/bin/python3 "$here/probe.py" first-answer "${port[python]}" "$started" d1.bench.test)
started=$(now_ms)
MTASTS_JAR="$jar" ip netns exec "$ns" "$root/bin/mta-sts-daemon" -c "$work/ours.yml" >"$work/ours.log" 2>&1 &
pids+=($!)
ours_pid=$!
ours_start=$(in_ns /usr/bin/python3 "$here/probe.py" first-answer "${port[ours]}" "$started" d1.bench.test)

# resident memory of both daemons (ip netns exec and the launchers exec, so these pids are the daemons themselves):
# VmRSS now and VmHWM, the peak since start, from /proc, in MiB; one line per stage in memory.txt
declare -A daemon_pid=([python]=$python_pid [ours]=$ours_pid)
memory() {  # stage
    for who in python ours; do
        awk -v stage="$1" -v who="$who" '$1 == "VmRSS:" {rss = $2} $1 == "VmHWM:" {hwm = $2}
            END {printf "%s %s %.1f %.1f\n", stage, who, rss / 1024, hwm / 1024}' "/proc/${daemon_pid[$who]}/status" \
            >> "$work/memory.txt"
    done
}
: > "$work/memory.txt"
memory started

load() {  # target connections duration warmup
    in_ns "${loadgen[@]}" --port "${port[$1]}" --connections "$2" ${LOAD_THREADS:+--threads "$LOAD_THREADS"} \
        --duration "$3" --warmup "$4" --keys "$work/keys.txt" --expect "OK secure" --json || true
}

# warm both caches: every key through a real discovery until it is answered with its policy
for who in python ours; do
    echo "warm $who: $(in_ns /usr/bin/python3 "$here/probe.py" warm "${port[$who]}" "$work/keys.txt")" >&2
done

memory warm
echo "# load average before the runs: $(cut -d' ' -f1-3 /proc/loadavg)" >&2
: > "$work/runs.jsonl"
for round in $(seq 1 "$ROUNDS"); do
    for c in $LEVELS; do
        for who in $TARGETS; do
            line=$(load "$who" "$c" "$DURATION" "$WARMUP")
            echo "{\"round\":$round,\"who\":\"$who\",${line#\{}" >> "$work/runs.jsonl"
            echo "round $round $who c=$c: $line" >&2
        done
    done
done

memory loaded
if [ -n "${HOLD:-}" ]; then  # time to inspect both daemons after the load (pmap, jcmd) before they are stopped
    echo "# holding $HOLD s: python pid $python_pid, ours pid $ours_pid" >&2
    sleep "$HOLD"
fi
load_after=$(cut -d' ' -f1-3 /proc/loadavg)

[ -s "$work/runs.jsonl" ] && /usr/bin/python3 - "$work/runs.jsonl" "$python_start" "$ours_start" "$loadgen_label" <<'PY'
import json, statistics, sys
runs = [json.loads(l) for l in open(sys.argv[1])]
cell = {}
for r in runs:
    cell.setdefault((r["who"], r["connections"]), []).append(r)
def med(who, c, field):
    rs = cell.get((who, c))
    return statistics.median(r[field] for r in rs) if rs else None
levels = sorted({r["connections"] for r in runs})
whos = [w for w in ("fixedsrv", "python", "ours") if any(k[0] == w for k in cell)]
print("median of %d alternating runs per cell; load generator: %s" % (max(len(v) for v in cell.values()), sys.argv[4]))
print("%-9s %5s %10s %8s %8s %8s %8s %7s" % ("target", "conns", "req/s", "p50 ms", "p99 ms", "p99.9 ms", "max ms", "errors"))
for c in levels:
    for w in whos:
        if (w, c) in cell:
            print("%-9s %5d %10.0f %8.3f %8.3f %8.3f %8.3f %7d" % (w, c, med(w, c, "requests_per_s"), med(w, c, "p50_ms"),
                  med(w, c, "p99_ms"), med(w, c, "p999_ms"), med(w, c, "max_ms"), sum(r["errors"] for r in cell[(w, c)])))
print()
for c in levels:
    ours, fixed, py = (med(w, c, "requests_per_s") for w in ("ours", "fixedsrv", "python"))
    if ours and fixed:
        print("c=%d ours/fixedsrv %.2f" % (c, ours / fixed))
    if ours and py:
        print("c=%d ours/python   %.2f" % (c, ours / py))
    if py and fixed:
        print("c=%d python/fixedsrv %.2f" % (c, py / fixed))
    if ours:
        print("c=%d queueing bound 3*c/throughput = %.3f ms (ours p99 %.3f ms)" % (c, 3000 * c / ours, med("ours", c, "p99_ms")))
print()
print("start to first answer (cold cache, one local discovery): python %s ms, ours %s ms" % (sys.argv[2], sys.argv[3]))
PY
echo
echo "resident memory, MiB (VmRSS now / VmHWM peak since start); load average after the runs: $load_after"
awk '{rss[$1, $2] = $3; hwm[$1, $2] = $4; if (!($1 in seen)) {seen[$1] = 1; order[++n] = $1}}
    END {for (i = 1; i <= n; i++) {s = order[i]
        printf "%-8s python %6.1f / %6.1f   ours %6.1f / %6.1f   ours/python %.2f (now) %.2f (peak)\n", s,
            rss[s, "python"], hwm[s, "python"], rss[s, "ours"], hwm[s, "ours"],
            rss[s, "ours"] / rss[s, "python"], hwm[s, "ours"] / hwm[s, "python"]}}' "$work/memory.txt"

# soak: does our heap grow under steady load? (ip netns exec and both launchers exec, so $ours_pid is the JVM)
if [ "$SOAK" -gt 0 ]; then
    # the class histogram runs a full GC first and counts live objects only, unaffected by the allocation rate
    heap() { jcmd "$ours_pid" GC.class_histogram | awk '$1 == "Total" {printf "live heap %.1f MiB (%d objects)", $3 / 1048576, $2}'; }
    echo
    echo "soak: 16 connections on ours for $SOAK s, live heap every $SOAK_EVERY s"
    echo "t=0s $(heap)"
    load ours 16 "$SOAK" 0 > "$work/soak.json" &
    soak_load=$!
    for t in $(seq "$SOAK_EVERY" "$SOAK_EVERY" "$SOAK"); do
        sleep "$SOAK_EVERY"
        echo "t=${t}s $(heap)"
    done
    wait "$soak_load"
    echo "soak load: $(cat "$work/soak.json")"
fi
