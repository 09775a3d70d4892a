#!/bin/bash
# build-postfix.sh VERSION: Postfix VERSION built with TLSRPT (-DUSE_TLSRPT, libtlsrpt 0.5.0) from the verified
# tarballs in $MTASTS_SHARED/postfix-tlsrpt/src (default: ../shared beside the repository), nothing downloaded.
# Prints the install root on its last line of stdout; progress goes to stderr.
#
# The result is cached in $MTASTS_POSTFIX_CACHE (default /var/cache/mtasts-it) under a name made of the version
# and the checksums of both tarballs and of this script, so it survives runs and is rebuilt when any of them
# changes. Postfix compiles its paths in, so it is configured for the final directory, installed into a staging
# tree beside it (install_root) and moved into place by one rename: an interrupted build leaves only a staging
# directory, never a half-built root, and a lock makes concurrent runs wait for the one building.
# Needs: build-essential libssl-dev libdb-dev m4 (libtlsrpt is compiled with one gcc line, no autotools).
set -euo pipefail

version=${1:?usage: build-postfix.sh POSTFIX_VERSION}
libtlsrpt=libtlsrpt-0.5.0
script=$(readlink -f "$0")
repo=$(cd "$(dirname "$script")/../../../.." && pwd)
shared=${MTASTS_SHARED:-$repo/../shared}
src=$shared/postfix-tlsrpt/src
cache=${MTASTS_POSTFIX_CACHE:-/var/cache/mtasts-it}

[ -f "$src/SHA256SUMS" ] || { echo "build-postfix: no $src/SHA256SUMS (set MTASTS_SHARED)" >&2; exit 1; }
sums=$(grep -E "  (postfix-$version|$libtlsrpt)\.tar\.xz\$" "$src/SHA256SUMS" || true)
[ "$(printf '%s\n' "$sums" | grep -c .)" -eq 2 ] || {
    echo "build-postfix: SHA256SUMS lists no checksum for postfix-$version.tar.xz or $libtlsrpt.tar.xz" >&2; exit 1; }
(cd "$src" && printf '%s\n' "$sums" | sha256sum --check --quiet --strict -) >&2 || {
    echo "build-postfix: a tarball in $src does not match SHA256SUMS" >&2; exit 1; }
key=$( { printf '%s\n' "$sums"; sha256sum <"$script"; } | sha256sum | cut -c1-16)
final=$cache/postfix-$version-$key

mkdir -p "$cache"
exec 8>"$cache/postfix-$version.lock"
flock 8
if [ -x "$final/usr/sbin/postfix" ]; then
    echo "$final"
    exit 0
fi

# under the lock, a staging directory of this version is what a killed build left behind
rm -rf "$cache/.build-$version-"*
stage=$(mktemp -d "$cache/.build-$version-XXXXXX")
trap 'rm -rf "$stage"' EXIT
echo "build-postfix: building Postfix $version with TLSRPT into $final (log: $stage/build.log while it runs)" >&2
start=$(date +%s)
tar -C "$stage" -xJf "$src/$libtlsrpt.tar.xz"
tar -C "$stage" -xJf "$src/postfix-$version.tar.xz"

lib=$stage/$libtlsrpt
sed 's/@TLSRPT_VERSION_MAJOR@/0/;s/@TLSRPT_VERSION_MINOR@/5/;s/@TLSRPT_VERSION_PATCH@/0/;s/@TLSRPT_VERSION_IS_PRERELEASE@/0/;s/@TLSRPT_VERSION_PRERELEASE@//' \
    "$lib/tlsrpt_version.h.in" >"$lib/tlsrpt_version.h"
(cd "$lib" && gcc -O2 -fPIC -shared -Wl,-soname,libtlsrpt.so.0 -o libtlsrpt.so.0 libtlsrpt.c json-escape-initializer-list.c \
    && ln -s libtlsrpt.so.0 libtlsrpt.so)

install=$stage/install
mkdir -p "$install$final/lib"
cp "$lib/libtlsrpt.so.0" "$install$final/lib/"
cd "$stage/postfix-$version"
{
    make -f Makefile.init makefiles \
        CCARGS="-DUSE_TLS -DUSE_TLSRPT -I$lib" \
        AUXLIBS="-lssl -lcrypto -L$lib -Wl,-rpath,$final/lib -ltlsrpt" \
        config_directory="$final/etc/postfix" meta_directory="$final/etc/postfix" \
        command_directory="$final/usr/sbin" daemon_directory="$final/usr/libexec/postfix" \
        queue_directory="$final/var/spool/postfix" data_directory="$final/var/lib/postfix" \
        manpage_directory="$final/usr/share/man" sendmail_path="$final/usr/sbin/sendmail" \
        newaliases_path="$final/usr/bin/newaliases" mailq_path="$final/usr/bin/mailq" \
        html_directory=no readme_directory=no
    make -j2
    make non-interactive-package install_root="$install"
} >"$stage/build.log" 2>&1 || { tail -30 "$stage/build.log" >&2; echo "build-postfix: build failed" >&2; exit 1; }
# a package install sets no special permissions; these two are what a real installation has
chgrp postdrop "$install$final/usr/sbin/postdrop" "$install$final/usr/sbin/postqueue"
chmod g+s "$install$final/usr/sbin/postdrop" "$install$final/usr/sbin/postqueue"
mv -T "$install$final" "$final"
echo "build-postfix: Postfix $version built in $(( $(date +%s) - start )) s" >&2
echo "$final"
