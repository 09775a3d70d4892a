#!/usr/bin/env bash
# Installs the built Debian package for real, runs the daemon as its unit would and through systemd socket
# activation (TCP and UNIX), asks it with Postfix's own postmap, then purges the package and checks nothing is
# left. Needs root, postfix (postmap), systemd-socket-activate (package systemd), setpriv and unshare
# (util-linux), ss (iproute2). No systemd as PID 1 is needed: the units' commands are run directly.
#
#   bash packaging/src/test/install-test.sh [packaging/target/mtasts_*.deb]
#
# Every daemon runs in a private network namespace (unshare -n), so port 8461 of the machine is not touched and
# nothing is fetched from outside: example.com has no MTA-STS policy anyway, and the answer is NOTFOUND.
set -euo pipefail
cd "$(dirname "$0")/../../.."

deb=${1:-$(ls packaging/target/mtasts_*_all.deb 2>/dev/null | head -1)}
[ -f "$deb" ] || { echo "install-test: no package; build it: mvn -B -Pdeb -pl packaging -am package -DskipTests" >&2; exit 2; }
[ "$(id -u)" = 0 ] || { echo "install-test: must run as root (it installs a package)" >&2; exit 2; }
# installed, half-installed or config-files: anything but not-installed (or unknown)
present() {
    local status
    status=$(dpkg-query -W -f='${db:Status-Status}' mtasts 2>/dev/null || true)
    [ -n "$status" ] && [ "$status" != not-installed ]
}
if present; then
    echo "install-test: mtasts is installed already; purge it first (apt-get purge -y mtasts)" >&2
    exit 2
fi

work=$(mktemp -d)
# the daemons run as user mtasts and read their configuration files from here
chmod 755 "$work"
failures=0
fail() { echo "FAIL: $*" >&2; failures=$((failures + 1)); }
ok() { echo "ok: $*"; }
cleanup() {
    # whatever a failed step left: the package, then the work directory
    if present; then
        apt-get purge -y -q mtasts >/dev/null 2>&1 || true
    fi
    rm -rf "$work"
}
trap cleanup EXIT

export DEBIAN_FRONTEND=noninteractive
echo "== installing $deb"
if ! apt-get install -y -q --no-install-recommends "./$deb" >"$work/apt.log" 2>&1; then
    # a fresh machine may need the package lists to resolve the Java dependency
    apt-get update -q >/dev/null
    apt-get install -y -q --no-install-recommends "./$deb" >"$work/apt.log" 2>&1 || { cat "$work/apt.log"; exit 1; }
fi

getent passwd mtasts >/dev/null && ok "system user mtasts" || fail "no user mtasts"
[ "$(stat -c %U:%a /var/lib/mtasts 2>/dev/null)" = mtasts:700 ] && ok "/var/lib/mtasts is mtasts's, 0700" \
    || fail "/var/lib/mtasts: $(stat -c %U:%a /var/lib/mtasts 2>&1)"
[ "$(stat -c %U:%G:%a /etc/mtasts/mtasts.yml)" = root:mtasts:640 ] && ok "mtasts.yml is root:mtasts 0640" \
    || fail "/etc/mtasts/mtasts.yml: $(stat -c %U:%G:%a /etc/mtasts/mtasts.yml)"
grep -qx /etc/mtasts/mtasts.yml /var/lib/dpkg/info/mtasts.conffiles && ok "mtasts.yml is a conffile" \
    || fail "/etc/mtasts/mtasts.yml is not a conffile"
for f in /usr/bin/mtasts /usr/share/mtasts/bin/mta-sts-daemon /usr/share/mtasts/bin/mta-sts-query \
        /usr/share/mtasts/mtasts.jar \
        /lib/systemd/system/mtasts-daemon.service /lib/systemd/system/mtasts-daemon.socket \
        /lib/systemd/system/mtasts-tlsrpt.service /usr/share/man/man1/mtasts-daemon.1.gz; do
    [ -e "$f" ] || fail "missing $f"
done
zcat /usr/share/man/man1/mtasts-daemon.1.gz | grep -q '^\.TH MTASTS-DAEMON 1' && ok "man page mtasts-daemon(1)" \
    || fail "man page mtasts-daemon(1) unreadable"
version=$(MTASTS_CDS_ARCHIVE=off /usr/share/mtasts/bin/mta-sts-daemon --version 2>&1) && ok "drop-in mta-sts-daemon --version: $version" \
    || fail "/usr/share/mtasts/bin/mta-sts-daemon --version: $version"
# (no CDS training in the background: a JVM of root's outliving the test)
version=$(MTASTS_CDS_ARCHIVE=off /usr/bin/mtasts --version 2>&1) && ok "mtasts --version: $version" || fail "mtasts --version: $version"

# The unit's command line and environment, as systemd would run them (User=mtasts).
unit=/lib/systemd/system/mtasts-daemon.service
exec_start=$(sed -n 's/^ExecStart=//p' "$unit")
unit_env=$(sed -n 's/^Environment=//p' "$unit")
[ -n "$exec_start" ] || fail "no ExecStart in $unit"
echo "   ExecStart=$exec_start"

cat > "$work/main.cf" <<'EOF'
compatibility_level = 3.6
EOF
# Postfix's postmap with an empty main.cf of our own: the machine's Postfix need not be configured.
# postmap -q exits 1 both for "not found" and for a failed lookup; only the latter writes to stderr.
postmap_answers() {
    local map=$1 out err rc=0
    out=$(postmap -c "$work" -q example.com "$map" 2>"$work/postmap.err") || rc=$?
    err=$(cat "$work/postmap.err")
    if [ "$rc" -le 1 ] && [ -z "$err" ]; then
        echo "answered (${out:-NOTFOUND})"
        return 0
    fi
    echo "no answer (exit $rc): $err"
    return 1
}

# start_daemon [ACTIVATOR...] -- COMMAND...: runs COMMAND as user mtasts (behind ACTIVATOR, run as root as systemd
# would bind), its log in $work/daemon.log, and waits until the log says it answers (or, with an activator, that
# the activator listens: the daemon then starts on the first connection, which waits in the backlog meanwhile). setpriv execs where runuser
# would fork: the daemon keeps the activator's pid, which LISTEN_PID names.
start_daemon() {
    local activator=()
    while [ "$1" != -- ]; do activator+=("$1"); shift; done
    shift
    [ ${#activator[@]} -eq 0 ] || activator+=(--)
    rm -f "$work/daemon.log"
    # the CDS training the launcher would start in the background is a second JVM for half a minute: off here
    # shellcheck disable=SC2086
    env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin $unit_env MTASTS_CDS_ARCHIVE=off "${activator[@]}" \
        setpriv --reuid=mtasts --regid=mtasts --init-groups --inh-caps=-all "$@" >"$work/daemon.log" 2>&1 &
    daemon=$!
    # systemd-socket-activate, like systemd, starts the command on the first connection: ready once it listens
    local ready="answering socketmap requests"
    [ ${#activator[@]} -eq 0 ] || ready="Listening on "
    for _ in $(seq 120); do
        grep -q "$ready" "$work/daemon.log" 2>/dev/null && return 0
        kill -0 "$daemon" 2>/dev/null || break
        sleep 0.5
    done
    echo "daemon did not start:" >&2
    cat "$work/daemon.log" >&2
    # an activator still waiting for its first connection would outlive the test
    kill "$daemon" 2>/dev/null || true
    wait "$daemon" 2>/dev/null || true
    return 1
}

stop_daemon() {
    kill -TERM "$daemon" 2>/dev/null || true
    local status=0
    wait "$daemon" || status=$?
    # 143: the JVM's graceful exit on SIGTERM, SuccessExitStatus= of the unit
    [ "$status" = 143 ] || [ "$status" = 0 ] || { echo "daemon exited with $status:" >&2; cat "$work/daemon.log" >&2; }
}

# Each scenario runs in `unshare -n` (its own loopback) and prints ok/FAIL lines; the functions travel along.
in_netns() {
    unshare -n bash -c "set -uo pipefail; ip link set lo up; failures=0; $1; exit \$failures"
}

scenario_unit_command() {
    # shellcheck disable=SC2086
    start_daemon -- $exec_start || { fail "daemon from ExecStart"; return; }
    if answer=$(postmap_answers socketmap:inet:127.0.0.1:8461:postfix); then
        ok "ExecStart as mtasts: postmap -q example.com socketmap:inet:127.0.0.1:8461:postfix $answer"
    else
        fail "postmap: $answer"
    fi
    stop_daemon
}

scenario_tcp_activation() {
    # the configuration names port 8462: an activated daemon must serve the passed 8461 and bind nothing
    printf 'host: 127.0.0.1\nport: 8462\ncache: {type: internal}\n' > "$work/activated.yml"
    chmod 644 "$work/activated.yml"
    start_daemon systemd-socket-activate -l 127.0.0.1:8461 -- /usr/bin/mtasts daemon -c "$work/activated.yml" \
        || { fail "socket-activated daemon (tcp)"; return; }
    # this first lookup is what starts the daemon; it is answered from the backlog once the JVM serves fd 3
    if answer=$(postmap_answers socketmap:inet:127.0.0.1:8461:postfix); then
        ok "socket activation, tcp: postmap on the passed 127.0.0.1:8461 $answer"
    else
        fail "socket activation, tcp: $answer"
    fi
    grep -q "listening on the inherited tcp socket (fd 3)" "$work/daemon.log" \
        && ok "the daemon says it serves fd 3" || fail "no 'inherited tcp socket (fd 3)' in the log"
    # the one listening socket is the descriptor the activator opened (same inode), and 8462 is not bound
    local inode listening
    inode=$(readlink "/proc/$daemon/fd/3" | sed -n 's/socket:\[\([0-9]*\)\]/\1/p')
    listening=$(ss -Hltn | wc -l)
    if ss -Hltne 'sport = :8461' | grep -q "ino:$inode " && [ "$listening" = 1 ]; then
        ok "only one listening socket, inode $inode: the activator's"
    else
        fail "listening sockets: $(ss -Hltne)"
    fi
    stop_daemon
}

scenario_unix_activation() {
    mkdir -p "$work/spool/private"
    local sock=$work/spool/private/mtasts
    # the configuration names another path: it must not appear
    printf 'path: %s\nmode: 0600\ncache: {type: internal}\n' "$work/spool/private/not-used" > "$work/activated.yml"
    chmod 644 "$work/activated.yml"
    chmod 755 "$work/spool" "$work/spool/private"
    start_daemon systemd-socket-activate -l "$sock" -- /usr/bin/mtasts daemon -c "$work/activated.yml" \
        || { fail "socket-activated daemon (unix)"; return; }
    if answer=$(postmap_answers "socketmap:unix:$sock:postfix"); then
        ok "socket activation, unix: postmap on the passed $sock $answer"
    else
        fail "socket activation, unix: $answer"
    fi
    grep -q "listening on the inherited unix socket $sock (fd 3)" "$work/daemon.log" \
        && ok "the daemon says it serves $sock on fd 3" || fail "no 'inherited unix socket $sock' in the log"
    [ ! -e "$work/spool/private/not-used" ] && ok "the configured path was not bound" \
        || fail "the daemon bound its configured path too"
    local inode
    inode=$(readlink "/proc/$daemon/fd/3" | sed -n 's/socket:\[\([0-9]*\)\]/\1/p')
    awk -v i="$inode" -v p="$sock" '$7 == i && $8 == p' /proc/net/unix | grep -q . \
        && ok "$sock is the activator's socket (inode $inode)" || fail "$sock is not inode $inode"
    stop_daemon
    [ -S "$sock" ] && ok "the socket file stays after the daemon stops (systemd's)" \
        || fail "the daemon deleted the passed socket's file"
}

export work unit_env exec_start
export -f fail ok postmap_answers start_daemon stop_daemon scenario_unit_command scenario_tcp_activation \
    scenario_unix_activation
for scenario in scenario_unit_command scenario_tcp_activation scenario_unix_activation; do
    echo "== $scenario"
    in_netns "$scenario" || failures=$((failures + $?))
done

echo "== purging"
uid=$(id -u mtasts)
apt-get purge -y -q mtasts >"$work/purge.log" 2>&1 || { cat "$work/purge.log"; fail "apt-get purge"; }
present && fail "mtasts still installed: $(dpkg-query -W -f='${db:Status-Status}' mtasts)"
for f in /usr/share/mtasts /etc/mtasts /var/lib/mtasts /var/cache/mtasts /usr/bin/mtasts \
        /lib/systemd/system/mtasts-daemon.service /usr/share/man/man1/mtasts.1.gz /usr/share/doc/mtasts; do
    [ -e "$f" ] && fail "left after purge: $f"
done
getent passwd mtasts >/dev/null && fail "user mtasts left after purge"
getent group mtasts >/dev/null && fail "group mtasts left after purge"
pgrep -U "$uid" >/dev/null && fail "processes of uid $uid (mtasts) left: $(pgrep -a -U "$uid")"
[ "$failures" = 0 ] && ok "purge left no file, user or process"

if [ "$failures" -ne 0 ]; then
    echo "install-test: $failures failure(s)" >&2
    exit 1
fi
echo "install-test: passed"
