#!/bin/bash
# Checks that benchmarks/scripts/socketmap-load.c counts what it must: clean runs against fixedsrv, and each kind of error against
# servers that misbehave on purpose. Short runs (1 s each) on loopback ports 19561-19563.
#   benchmarks/scripts/socketmap-load-test.sh            env: SHARED (default ../shared, holds benchmarks/scripts/fixedsrv.c)
set -euo pipefail
here=$(cd "$(dirname "$(readlink -f "$0")")" && pwd)
SHARED=${SHARED:-$here/../../../shared}
work=$(mktemp -d /tmp/socketmap-load-test.XXXXXX)
pids=()
cleanup() {
    for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
    wait 2>/dev/null || true
    rm -rf "$work"
}
trap cleanup EXIT
gcc -O2 -pthread -Wall -Werror -o "$work/socketmap-load" "$here/socketmap-load.c"
gcc -O2 -pthread -o "$work/fixedsrv" "$SHARED/bench/fixedsrv.c"
printf 'd1.test\n# a comment\n\n  d2.test  \n' > "$work/keys.txt"

# a server that misbehaves on the first request of every connection, in the way its mode says
cat > "$work/bad-server.py" <<'PY'
import socket, sys, threading
mode, port = sys.argv[1], int(sys.argv[2])
listener = socket.socket()
listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
listener.bind(("127.0.0.1", port))
listener.listen(64)
replies = {"garbage": b"hello,", "status": b"5:HELLO,", "extra": b"10:NOTFOUND x,10:NOTFOUND x,",
           "close": b"10:NOTFOUND x,"}
def serve(s):
    s.recv(4096)
    s.sendall(replies[mode])
    s.recv(4096)
    s.close()
while True:
    threading.Thread(target=serve, args=(listener.accept()[0],), daemon=True).start()
PY

listening() { for _ in $(seq 100); do ss -ltn | grep -q ":$1 " && return 0; sleep 0.1; done; return 1; }
failed=0
check() {  # name expected-exit field=value... -- load options
    local name=$1 want=$2 rc=0 out
    shift 2
    local fields=()
    while [ "$1" != -- ]; do fields+=("$1"); shift; done
    shift
    out=$("$work/socketmap-load" --keys "$work/keys.txt" --duration 1 --warmup 0.2 --json "$@") || rc=$?
    local ok=1
    [ "$rc" = "$want" ] || ok=0
    for f in "${fields[@]}"; do
        [ "$(/usr/bin/python3 -c 'import json,sys; print(json.loads(sys.argv[1])[sys.argv[2]])' "$out" "${f%%=*}")" = "${f#*=}" ] || ok=0
    done
    if [ "$ok" = 1 ]; then echo "ok   $name"; else echo "FAIL $name: exit $rc (want $want): $out"; failed=1; fi
}

"$work/fixedsrv" 19561 >/dev/null 2>&1 &
pids+=($!)
listening 19561
check "fixedsrv answers every request as expected" 0 errors=0 connections=4 -- --port 19561 --connections 4 --expect "OK secure"
check "a prefix fixedsrv never sends: the replies are unexpected, nothing else" 1 malformed_replies=0 \
    connect_failures=0 closed_by_server=0 -- --port 19561 --connections 4 --expect NOTFOUND
check "nothing listening: one connect failure per connection" 1 connect_failures=5 requests=0 -- --port 19564 --connections 5
for mode in garbage status extra close; do
    /usr/bin/python3 "$work/bad-server.py" "$mode" 19562 &
    pids+=($!)
    listening 19562
    if [ "$mode" = close ]; then
        check "a server that closes after one reply: closed_by_server per connection" 1 closed_by_server=3 malformed_replies=0 -- --port 19562 --connections 3 --warmup 0
    else
        check "reply '$mode' is malformed, once per connection" 1 malformed_replies=3 closed_by_server=0 -- --port 19562 --connections 3
    fi
    kill "${pids[-1]}"
    wait "${pids[-1]}" 2>/dev/null || true
    unset 'pids[-1]'
    for _ in $(seq 50); do ss -ltn | grep -q ':19562 ' || break; sleep 0.1; done
done
rc=0
"$work/socketmap-load" --host 192.0.2.1 --port 19561 --keys "$work/keys.txt" 2>/dev/null || rc=$?
[ "$rc" = 2 ] && echo "ok   a non-loopback host is a usage error" || { echo "FAIL non-loopback host: exit $rc"; failed=1; }
printf 'one two\n' > "$work/bad-keys.txt"
rc=0
msg=$("$work/socketmap-load" --port 19561 --keys "$work/bad-keys.txt" 2>&1) || rc=$?
[ "$rc" = 2 ] && [[ "$msg" == *"line 1"* ]] && echo "ok   a key with a space is a usage error naming its line" \
    || { echo "FAIL key with a space: exit $rc: $msg"; failed=1; }
exit "$failed"
