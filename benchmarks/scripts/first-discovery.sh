#!/bin/bash
# Start to first answer with a cold cache, i.e. one real local discovery (DNS TXT + HTTPS policy fetch), as
# side-by-side.sh's start line measures it, but several runs with variants taking turns (benchmarks/scripts/first-answer.py).
#   first-discovery.sh [first-answer.py options, e.g. --runs 7 --variant 'before MTASTS_JAR=/tmp/b.jar' ...]
# Everything runs in a private network namespace: dnsmasq answers _mta-sts.d1.bench.test and points
# mta-sts.d1.bench.test at 127.0.0.1, where policy-server.py serves the policy with a certificate from a
# throwaway CA that the daemon trusts through ca_file. The daemon uses the internal cache: every start is cold.
# Needs root, dnsmasq, openssl, iproute2. Build the jar first: mvn -B -DskipTests package
set -euo pipefail

here=$(cd "$(dirname "$(readlink -f "$0")")" && pwd)
root=$(cd "$here/../.." && pwd)
ns=mtasts-first-$$
work=$(mktemp -d /tmp/mtasts-first.XXXXXX)
pids=()
cleanup() {
    for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
    wait 2>/dev/null || true
    ip netns del "$ns" 2>/dev/null || true
    rm -rf "/etc/netns/$ns" "$work"
}
trap cleanup EXIT

cat > "$work/dnsmasq.conf" <<CONF
no-resolv
no-hosts
listen-address=127.0.0.1
bind-interfaces
address=/bench.test/127.0.0.1
txt-record=_mta-sts.d1.bench.test,"v=STSv1; id=20261129T000000"
CONF
printf 'version: STSv1\r\nmode: enforce\r\nmx: mx1.example.test\r\nmax_age: 86400\r\n' > "$work/policy.txt"
openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=mtasts bench CA" \
    -keyout "$work/ca.key" -out "$work/ca.pem" 2>/dev/null
openssl req -newkey rsa:2048 -nodes -subj "/CN=mta-sts.d1.bench.test" -keyout "$work/host.key" \
    -out "$work/host.csr" 2>/dev/null
printf 'subjectAltName=DNS:mta-sts.d1.bench.test\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n' \
    > "$work/host.ext"
openssl x509 -req -in "$work/host.csr" -CA "$work/ca.pem" -CAkey "$work/ca.key" -CAcreateserial -days 2 \
    -extfile "$work/host.ext" -out "$work/host.pem" 2>/dev/null
cat > "$work/daemon.yml" <<YML
host: 127.0.0.1
port: 28461
ca_file: $work/ca.pem
cache: {type: internal}
default_zone: {strict_testing: false, timeout: 4}
YML

ip netns add "$ns"
ip -n "$ns" link set lo up
mkdir -p "/etc/netns/$ns"
echo "nameserver 127.0.0.1" > "/etc/netns/$ns/resolv.conf"
ip netns exec "$ns" dnsmasq --keep-in-foreground --conf-file="$work/dnsmasq.conf" --pid-file="$work/dnsmasq.pid" \
    2>"$work/dnsmasq.log" &
pids+=($!)
ip netns exec "$ns" /usr/bin/python3 "$here/policy-server.py" 127.0.0.1 443 "$work/host.pem" "$work/host.key" \
    "$work/policy.txt" &
pids+=($!)
sleep 0.5

ip netns exec "$ns" /usr/bin/python3 "$here/first-answer.py" --port 28461 --key d1.bench.test --expect "OK secure" \
    "$@" -- "$root/bin/mta-sts-daemon" -c "$work/daemon.yml"
