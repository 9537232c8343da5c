#!/usr/bin/env bash
# Release packaging check (make package-test). Builds the release files into a temporary directory and checks:
#   1. the .NET tool package installs into a temporary tool path; net-sentinel --version and --once run from there;
#   2. the .deb: control fields, conffiles, contents, modes and owners (dpkg -x into a temporary root),
#      the unit file (systemd-analyze verify), the postinst (run in a private mount namespace over a copy
#      of /etc: it creates the user, the net-sentinel-readers group and /var/log/net-sentinel 0750; purge removes the
#      group), and the unit's capability set: the
#      packaged binary runs the eBPF monitor as that user with exactly the unit's ambient capabilities,
#      no_new_privs and PR_SET_MDWE (what MemoryDenyWriteExecute= sets), and its log is net-sentinel-readers 0640:
#      a member of that group (a shipper) reads it, another user does not;
#   3. signing: a throwaway key in a temporary GNUPGHOME, make sign + make verify pass; a flipped byte, a
#      missing signature and a signature by another key each make make verify fail.
# Everything it creates lives under one temporary directory, removed on exit (also the gpg-agent it starts).
# PACKAGE_TEST_WINDOWS=yes also builds and checks the win-x64 zip (about a minute more).
set -uo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
cd "$repo"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

work=$(mktemp -d /tmp/ns-package-test.XXXXXX)
cleanup() {
  if [ -d "$work/gnupg" ]; then GNUPGHOME=$work/gnupg gpgconf --kill all >/dev/null 2>&1; fi
  rm -rf "$work"
}
trap cleanup EXIT

passed=0
pass() { passed=$((passed + 1)); echo "  ok   $*"; }
fail() { echo "  FAIL $*" >&2; echo "package-test: FAILED after $passed check(s)" >&2; exit 1; }
expect() { local what=$1; shift; "$@" >/dev/null 2>&1 && pass "$what" || fail "$what (command: $*)"; }
skip() { echo "  skip $*"; }

version=$(sed -n 's|.*<Version>\(.*\)</Version>.*|\1|p' Directory.Build.props)
abi=$(sed -nE 's/^#define[[:space:]]+NS_ABI_VERSION[[:space:]]+([0-9]+).*/\1/p' bpf/netsentinel.h)
commit=$(git rev-parse --short=7 HEAD)
version_line="net-sentinel $version (commit $commit, bpf abi $abi)"
dist=$work/dist

echo "package-test: building the release files into $dist"
windows=${PACKAGE_TEST_WINDOWS:-no}
make --no-print-directory dist DIST_DIR="$dist" DIST_WINDOWS="$windows" >"$work/dist.log" 2>&1 \
  || { tail -30 "$work/dist.log" >&2; fail "make dist"; }
pass "make dist (version $version)"
for f in "net-sentinel-$version-linux-x64.tar.gz" "net-sentinel.$version.nupkg" "net-sentinel_${version}_amd64.deb" \
         "net-sentinel-$version.tar.gz" SHA256SUMS; do
  [ -s "$dist/$f" ] || fail "dist/$f exists"
done
pass "dist/ holds the tarball, tool package, .deb, source archive and SHA256SUMS"
expect "SHA256SUMS matches" bash -c "cd '$dist' && sha256sum --strict --quiet -c SHA256SUMS"

got=$(tar -xOzf "$dist/net-sentinel-$version.tar.gz" "net-sentinel-$version/packaging/source-commit")
[ "$got" = "$(git rev-parse HEAD)" ] || fail "source archive: packaging/source-commit holds HEAD (got '$got')"
pass "source archive: git archive of HEAD, packaging/source-commit = $(git rev-parse --short=7 HEAD) (so its builds know their commit)"

# --- tarball -------------------------------------------------------------------------------------------
echo "package-test: linux-x64 tarball"
listing=$(tar -tzf "$dist/net-sentinel-$version-linux-x64.tar.gz" | sort | tr '\n' ' ')
want="net-sentinel-$version-linux-x64/ net-sentinel-$version-linux-x64/LICENSE net-sentinel-$version-linux-x64/README.md net-sentinel-$version-linux-x64/config.toml net-sentinel-$version-linux-x64/net-sentinel "
[ "$listing" = "$want" ] || fail "tarball contents: got '$listing'"
pass "tarball holds exactly net-sentinel, config.toml, README.md, LICENSE"
mkdir "$work/tarball" && tar -xzf "$dist/net-sentinel-$version-linux-x64.tar.gz" -C "$work/tarball"
got=$("$work/tarball/net-sentinel-$version-linux-x64/net-sentinel" --version)
[ "$got" = "$version_line" ] || fail "tarball binary --version: got '$got', want '$version_line'"
pass "tarball binary --version: $got"
expect "tarball sample config parses" "$work/tarball/net-sentinel-$version-linux-x64/net-sentinel" --print-config -c "$work/tarball/net-sentinel-$version-linux-x64/config.toml"

if [ "$windows" = yes ]; then
  listing=$(unzip -Z1 "$dist/net-sentinel-$version-win-x64.zip" | sort | tr '\n' ' ')
  want="net-sentinel-$version-win-x64/ net-sentinel-$version-win-x64/LICENSE.txt net-sentinel-$version-win-x64/README.md net-sentinel-$version-win-x64/config.toml net-sentinel-$version-win-x64/net-sentinel.exe "
  [ "$listing" = "$want" ] || fail "zip contents: got '$listing'"
  unzip -q "$dist/net-sentinel-$version-win-x64.zip" -d "$work/zip" || fail "unzip the win-x64 zip"
  [ "$(head -c 2 "$work/zip/net-sentinel-$version-win-x64/net-sentinel.exe")" = MZ ] || fail "net-sentinel.exe is a PE executable"
  pass "win-x64 zip holds net-sentinel.exe (PE), config.toml, README.md, LICENSE.txt"
else
  skip "win-x64 zip (PACKAGE_TEST_WINDOWS=yes builds it)"
fi

# --- .NET tool -----------------------------------------------------------------------------------------
echo "package-test: .NET tool package"
tools=$work/tools
dotnet tool install --tool-path "$tools" --add-source "$dist" --version "$version" net-sentinel >"$work/tool.log" 2>&1 \
  || { cat "$work/tool.log" >&2; fail "dotnet tool install --tool-path --add-source dist net-sentinel"; }
pass "dotnet tool install --tool-path $tools --add-source dist net-sentinel"
got=$("$tools/net-sentinel" --version)
[ "$got" = "$version_line" ] || fail "tool --version: got '$got', want '$version_line'"
pass "tool --version: $got"
"$tools/net-sentinel" --once --log-file "$work/tool-once.jsonl" >"$work/once.out" 2>"$work/once.err"
code=$?
{ [ "$code" -eq 0 ] || [ "$code" -eq 1 ]; } || { cat "$work/once.err" >&2; fail "tool --once exits 0 or 1 (got $code)"; }
[ -s "$work/once.out" ] || fail "tool --once printed its snapshot"
pass "tool --once exit $code, $(wc -l <"$work/once.out") line(s) of snapshot"

# --- Debian package ------------------------------------------------------------------------------------
echo "package-test: Debian package"
deb=$dist/net-sentinel_${version}_amd64.deb
field() { dpkg-deb -f "$deb" "$1"; }
[ "$(field Package)" = net-sentinel ] && [ "$(field Version)" = "$version" ] && [ "$(field Architecture)" = amd64 ] \
  || fail "control: Package/Version/Architecture"
field Depends | grep -qE '(^|, )libbpf1(,|$| )' || fail "control: Depends names libbpf1 (got '$(field Depends)')"
# `net-sentinel selftest` builds its test host with ip(8); without it the self-test exits 3 saying what to install.
[ "$(field Recommends)" = iproute2 ] || fail "control: Recommends iproute2 for the self-test (got '$(field Recommends)')"
pass "control: net-sentinel $version amd64, Depends: $(field Depends), Recommends: $(field Recommends)"
dpkg-deb -e "$deb" "$work/control"
[ "$(cat "$work/control/conffiles")" = /etc/net-sentinel/config.toml ] || fail "conffiles is exactly /etc/net-sentinel/config.toml"
pass "conffiles: /etc/net-sentinel/config.toml"
for script in postinst prerm postrm; do
  [ "$(stat -c %a "$work/control/$script")" = 755 ] || fail "$script is mode 0755"
  sh -n "$work/control/$script" || fail "$script is valid sh"
done
pass "maintainer scripts postinst, prerm, postrm: mode 0755, valid sh"

# Owners and modes as dpkg will install them (dpkg -x applies modes but the listing carries the owners).
contents=$(dpkg-deb -c "$deb" | awk '{print $1, $2, $6}')
for entry in "-rwxr-xr-x root/root ./usr/bin/net-sentinel" \
             "-rw-r--r-- root/root ./etc/net-sentinel/config.toml" \
             "-rw-r--r-- root/root ./lib/systemd/system/net-sentinel.service" \
             "-rw-r--r-- root/root ./usr/share/doc/net-sentinel/copyright" \
             "-rw-r--r-- root/root ./usr/share/doc/net-sentinel/README.md" \
             "-rw-r--r-- root/root ./usr/share/doc/net-sentinel/shipping.md"; do
  grep -qxF -- "$entry" <<<"$contents" || fail "deb holds '$entry'"
done
files=$(dpkg-deb -c "$deb" | awk '$1 !~ /^d/ {print $6}' | sort | tr '\n' ' ')
[ "$files" = "./etc/net-sentinel/config.toml ./lib/systemd/system/net-sentinel.service ./usr/bin/net-sentinel ./usr/share/doc/net-sentinel/README.md ./usr/share/doc/net-sentinel/copyright ./usr/share/doc/net-sentinel/shipping.md " ] \
  || fail "deb holds no other files (got $files)"
pass "deb contents: binary 0755, config, unit, doc 0644, all root:root, nothing else"

root=$work/root
dpkg -x "$deb" "$root"
got=$("$root/usr/bin/net-sentinel" --version)
[ "$got" = "$version_line" ] || fail "deb binary --version: got '$got'"
pass "deb binary --version: $got"
# The shipped config names the group postinst creates: before postinst it is one clear line and exit 2
# (the namespace run below parses it after postinst).
if ! getent group net-sentinel-readers >/dev/null; then
  "$root/usr/bin/net-sentinel" --print-config -c "$root/etc/net-sentinel/config.toml" >/dev/null 2>"$work/nogroup.err"
  code=$?
  [ "$code" = 2 ] && grep -q "log.group names a group that does not exist on this machine" "$work/nogroup.err" \
    || { cat "$work/nogroup.err" >&2; fail "default config without the readers group: exit 2 naming log.group (got $code)"; }
  pass "default config before postinst: exit 2, $(cut -c1-90 "$work/nogroup.err")..."
fi

unit=$root/lib/systemd/system/net-sentinel.service
unit_value() { sed -n "s/^$1=//p" "$unit"; }
[ "$(unit_value ExecStart)" = "/usr/bin/net-sentinel -c /etc/net-sentinel/config.toml" ] || fail "unit ExecStart"
[ "$(unit_value User)" = net-sentinel ] || fail "unit User=net-sentinel"
[ "$(unit_value Group)" = net-sentinel-readers ] || fail "unit Group=net-sentinel-readers (the log's group)"
caps=$(unit_value AmbientCapabilities)
[ "$caps" = "CAP_BPF CAP_PERFMON CAP_NET_ADMIN CAP_SYS_PTRACE CAP_DAC_READ_SEARCH" ] || fail "unit AmbientCapabilities (got '$caps')"
[ "$(unit_value CapabilityBoundingSet)" = "$caps" ] || fail "unit CapabilityBoundingSet equals AmbientCapabilities"
for setting in NoNewPrivileges=yes ProtectSystem=strict ProtectHome=yes PrivateTmp=yes ReadWritePaths=/var/log/net-sentinel \
               ProtectKernelModules=yes LockPersonality=yes MemoryDenyWriteExecute=yes SystemCallArchitectures=native \
               "RestrictAddressFamilies=AF_UNIX AF_NETLINK AF_INET AF_INET6" Restart=on-failure; do
  grep -qxF "$setting" "$unit" || fail "unit has $setting"
done
pass "unit: ExecStart, User, Group=net-sentinel-readers, capabilities ($caps), hardening settings"

if command -v systemd-analyze >/dev/null; then
  # verify resolves ExecStart= inside --root, so the extracted package is checked as installed; the root holds
  # no other units, hence --recursive-errors=no (sysinit.target and friends are not there to load).
  if systemd-analyze verify --root="$root" --recursive-errors=no /lib/systemd/system/net-sentinel.service >"$work/analyze.log" 2>&1 \
     && [ ! -s "$work/analyze.log" ]; then
    pass "systemd-analyze verify: no complaints"
  else
    cat "$work/analyze.log" >&2; fail "systemd-analyze verify"
  fi
  exposure=$(systemd-analyze security --offline=yes --root="$root" /lib/systemd/system/net-sentinel.service 2>/dev/null | sed -n 's/.*Overall exposure level for .*: //p')
  [ -n "$exposure" ] && echo "       systemd-analyze security: overall exposure $exposure"
else
  skip "systemd-analyze verify (systemd-analyze not installed)"
fi

# postinst and the unit's privileges, in a private mount namespace: /etc is a copy, /var/log a tmpfs, so the
# user it creates and the log directory vanish with the namespace.
if [ "$(id -u)" = 0 ] && command -v unshare >/dev/null && command -v setpriv >/dev/null && command -v clang >/dev/null; then
  cat >"$work/mdwe.c" <<'C'
/* Runs a program under PR_SET_MDWE(REFUSE_EXEC_GAIN), what systemd's MemoryDenyWriteExecute=yes applies. */
#include <stdio.h>
#include <sys/prctl.h>
#include <unistd.h>
int main(int argc, char **argv) {
    if (argc < 2) return 125;
    if (prctl(65 /* PR_SET_MDWE */, 1 /* PR_MDWE_REFUSE_EXEC_GAIN */, 0, 0, 0) != 0) { perror("PR_SET_MDWE"); return 126; }
    execv(argv[1], argv + 1);
    perror("execv");
    return 127;
}
C
  clang -O2 -o "$work/mdwe" "$work/mdwe.c" || fail "compile the MDWE wrapper"
  setpriv_caps=$(tr ' ' '\n' <<<"$caps" | sed 's/^CAP_/+/' | tr 'A-Z' 'a-z' | paste -sd, -)
  cp -a /etc "$work/etc"
  cat >"$work/in-namespace.sh" <<SH
set -eu
mount --bind "$work/etc" /etc
mount -t tmpfs -o mode=0755 tmpfs /var/log
sh "$work/control/postinst" configure
sh "$work/control/postinst" configure   # an upgrade runs it again: must be idempotent
getent passwd net-sentinel | cut -d: -f7 > "$work/user.shell"
getent group net-sentinel-readers | cut -d: -f1 > "$work/readers.group"
stat -c '%U:%G %a' /var/log/net-sentinel > "$work/logdir.stat"
"$root/usr/bin/net-sentinel" --print-config -c "$root/etc/net-sentinel/config.toml" > "$work/effective.toml"
# The unit, minus what only systemd can do: its user and group, its capabilities (ambient + bounding), no_new_privs, MDWE.
setpriv --reuid=net-sentinel --regid=net-sentinel-readers --init-groups \
  --inh-caps=-all,$setpriv_caps --ambient-caps=-all,$setpriv_caps --bounding-set=-all,$setpriv_caps --no-new-privs \
  "$work/mdwe" "$root/usr/bin/net-sentinel" -c "$root/etc/net-sentinel/config.toml" --source ebpf --duration 2 \
  > "$work/service.out" 2> "$work/service.err"
stat -c '%U:%G %a' /var/log/net-sentinel/events.jsonl > "$work/log.stat" 2>/dev/null || echo none > "$work/log.stat"
# A shipper: a system user in net-sentinel-readers (not root) reads the log; a user outside the group does not.
useradd --system --no-create-home --shell /usr/sbin/nologin --groups net-sentinel-readers ns-shipper-probe
if setpriv --reuid=ns-shipper-probe --regid=nogroup --init-groups cat /var/log/net-sentinel/events.jsonl >/dev/null 2>&1; then echo yes; else echo no; fi > "$work/shipper.read"
if setpriv --reuid=nobody --regid=nogroup --clear-groups cat /var/log/net-sentinel/events.jsonl >/dev/null 2>&1; then echo yes; else echo no; fi > "$work/other.read"
# Purge removes the group (remove keeps it: the logs stay).
sh "$work/control/postrm" remove
getent group net-sentinel-readers >/dev/null && echo kept > "$work/remove.group"
sh "$work/control/postrm" purge
getent group net-sentinel-readers >/dev/null && echo kept > "$work/purge.group" || echo gone > "$work/purge.group"
SH
  if unshare --mount --propagation private sh "$work/in-namespace.sh" 2>"$work/ns.err"; then
    [ "$(cat "$work/user.shell")" = /usr/sbin/nologin ] || fail "postinst: user net-sentinel with shell /usr/sbin/nologin"
    [ "$(cat "$work/readers.group")" = net-sentinel-readers ] || fail "postinst: system group net-sentinel-readers"
    [ "$(cat "$work/logdir.stat")" = "net-sentinel:net-sentinel-readers 750" ] || fail "postinst: /var/log/net-sentinel net-sentinel:net-sentinel-readers 0750 (got $(cat "$work/logdir.stat"))"
    pass "postinst (run twice): system user net-sentinel (nologin), group net-sentinel-readers, /var/log/net-sentinel net-sentinel:net-sentinel-readers 0750"
    grep -qxF 'log_file = "/var/log/net-sentinel/events.jsonl"' "$work/effective.toml" && grep -qxF 'mode = "0640"' "$work/effective.toml" \
      && grep -qxF 'group = "net-sentinel-readers"' "$work/effective.toml" || fail "default config: log_file, mode 0640, group net-sentinel-readers"
    pass "default config parses after postinst: log_file = /var/log/net-sentinel/events.jsonl, mode = \"0640\", group = \"net-sentinel-readers\""
    grep -q "ebpf: hooks live" "$work/service.err" || { cat "$work/service.err" >&2; fail "eBPF monitor starts with the unit's capabilities"; }
    pass "as net-sentinel with only $caps, no_new_privs, MDWE: the eBPF monitor starts and stops cleanly"
    [ "$(cat "$work/log.stat")" = "net-sentinel:net-sentinel-readers 640" ] || fail "the service's log is net-sentinel:net-sentinel-readers 0640 (got $(cat "$work/log.stat"))"
    [ "$(cat "$work/shipper.read")" = yes ] || fail "a member of net-sentinel-readers reads the log"
    [ "$(cat "$work/other.read")" = no ] || fail "a user outside net-sentinel-readers cannot read the log"
    pass "the service's log is net-sentinel:net-sentinel-readers 0640: a member of the group reads it, nobody does not"
    [ "$(cat "$work/remove.group" 2>/dev/null)" = kept ] || fail "postrm remove keeps net-sentinel-readers"
    [ "$(cat "$work/purge.group")" = gone ] || fail "postrm purge removes net-sentinel-readers"
    pass "postrm: remove keeps the net-sentinel-readers group, purge removes it"
    getent group net-sentinel-readers >/dev/null && fail "the namespace's group did not leak into the host's /etc/group"
    getent passwd net-sentinel >/dev/null && fail "the namespace's user did not leak into the host's /etc/passwd"
  else
    cat "$work/ns.err" "$work/service.err" 2>/dev/null >&2
    fail "postinst and the unit's privileges in a private mount namespace"
  fi
else
  skip "postinst and capability run (needs root, unshare, setpriv, clang)"
fi

# --- signing -------------------------------------------------------------------------------------------
echo "package-test: sign and verify with a throwaway key"
export GNUPGHOME=$work/gnupg
mkdir -m 0700 "$GNUPGHOME"
gpg --batch --passphrase '' --quick-gen-key "net-sentinel package test <package-test@invalid>" ed25519 sign 1d 2>/dev/null \
  || fail "generate a throwaway GPG key"
key=$(gpg --batch --with-colons --list-secret-keys 2>/dev/null | awk -F: '/^fpr/ {print $10; exit}')
pass "throwaway key $key in $GNUPGHOME"

if NETSENTINEL_GPG_KEY='' make --no-print-directory sign DIST_DIR="$dist" >"$work/sign-unset.log" 2>&1; then
  fail "make sign without NETSENTINEL_GPG_KEY fails"
fi
grep -q "set NETSENTINEL_GPG_KEY" "$work/sign-unset.log" || fail "make sign without a key names NETSENTINEL_GPG_KEY"
pass "make sign without NETSENTINEL_GPG_KEY fails with: $(grep -o 'sign: set NETSENTINEL_GPG_KEY.*' "$work/sign-unset.log" | cut -c1-60)..."

export NETSENTINEL_GPG_KEY=$key
make --no-print-directory sign DIST_DIR="$dist" >"$work/sign.log" 2>&1 || { cat "$work/sign.log" >&2; fail "make sign"; }
signed=$(ls "$dist"/*.asc | wc -l)
listed=$(wc -l <"$dist/SHA256SUMS")
# One per listed file, one for SHA256SUMS, plus the exported public key.
[ "$signed" -eq $((listed + 2)) ] || fail "make sign wrote $((listed + 2)) .asc files (got $signed)"
pass "make sign: $((listed + 1)) detached signatures + net-sentinel-release-key.asc"
make --no-print-directory verify DIST_DIR="$dist" >"$work/verify.log" 2>&1 || { cat "$work/verify.log" >&2; fail "make verify on an intact release"; }
pass "make verify: $(tail -1 "$work/verify.log")"
# A user's check, as the README's "Install and verify" tells it: only gpg --verify.
expect "gpg --verify SHA256SUMS.asc SHA256SUMS" gpg --batch --verify "$dist/SHA256SUMS.asc" "$dist/SHA256SUMS"

# One flipped bit in the middle of the .deb.
size=$(stat -c %s "$deb")
offset=$((size / 2))
cp "$deb" "$work/deb.orig"
orig=$(od -An -tu1 -j "$offset" -N1 "$deb" | tr -d ' ')
printf "$(printf '\\%03o' $(( orig ^ 1 )))" | dd of="$deb" bs=1 seek="$offset" conv=notrunc status=none
cmp -s "$deb" "$work/deb.orig" && fail "the byte flip changed the .deb"
if make --no-print-directory verify DIST_DIR="$dist" >"$work/verify-flip.log" 2>&1; then
  fail "make verify fails after one flipped byte in the .deb"
fi
grep -q "net-sentinel_${version}_amd64.deb: bad or missing signature" "$work/verify-flip.log" && grep -q "checksums in SHA256SUMS do not match" "$work/verify-flip.log" \
  || { cat "$work/verify-flip.log" >&2; fail "make verify names the .deb's bad signature and checksum"; }
pass "one flipped byte at offset $offset of the .deb: make verify fails (bad signature + checksum mismatch)"
cp "$work/deb.orig" "$deb"

# A missing signature.
mv "$dist/net-sentinel-$version.tar.gz.asc" "$work/src.asc"
make --no-print-directory verify DIST_DIR="$dist" >"$work/verify-missing.log" 2>&1 && fail "make verify fails when a signature is missing"
grep -q "net-sentinel-$version.tar.gz.asc is missing" "$work/verify-missing.log" || fail "make verify names the missing signature"
pass "a missing .asc: make verify fails naming it"
mv "$work/src.asc" "$dist/net-sentinel-$version.tar.gz.asc"

# A valid signature by another key: pinned to NETSENTINEL_GPG_KEY, verify refuses it.
gpg --batch --passphrase '' --quick-gen-key "someone else <other@invalid>" ed25519 sign 1d 2>/dev/null || fail "second key"
other=$(gpg --batch --with-colons --list-secret-keys "other@invalid" 2>/dev/null | awk -F: '/^fpr/ {print $10; exit}')
cp "$dist/SHA256SUMS.asc" "$work/sums.asc"
gpg --batch --yes --armor --local-user "$other" --output "$dist/SHA256SUMS.asc" --detach-sign "$dist/SHA256SUMS" 2>/dev/null
make --no-print-directory verify DIST_DIR="$dist" >"$work/verify-other.log" 2>&1 && fail "make verify refuses a signature by another key"
grep -q "SHA256SUMS: signed by $other, not by $key" "$work/verify-other.log" || { cat "$work/verify-other.log" >&2; fail "make verify names the wrong signer"; }
pass "SHA256SUMS signed by another key: make verify fails naming the signer"
cp "$work/sums.asc" "$dist/SHA256SUMS.asc"
make --no-print-directory verify DIST_DIR="$dist" >/dev/null 2>&1 || fail "make verify passes again once restored"
pass "restored release verifies again"

echo "package-test: $passed checks passed"
