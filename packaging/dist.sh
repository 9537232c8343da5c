#!/usr/bin/env bash
# Assembles the release files in DIST_DIR from binaries already built (make dist builds them first):
#   net-sentinel-V-linux-x64.tar.gz  NativeAOT binary + sample config + README.md + LICENSE
#   net-sentinel-V-win-x64.zip       self-contained single-file net-sentinel.exe + the same (skipped when WINDOWS_EXE is empty)
#   net-sentinel.V.nupkg             .NET tool package (framework-dependent; `dotnet tool install net-sentinel`)
#   net-sentinel_V_amd64.deb         Debian package with the systemd unit
#   net-sentinel-V.tar.gz            source archive: git archive of HEAD
#   SHA256SUMS                       checksums of all of the above
# Environment: VERSION, DIST_DIR, LINUX_BIN, WINDOWS_EXE (may be empty), CONFIGURATION.
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
cd "$repo"
: "${VERSION:?}" "${DIST_DIR:?}" "${LINUX_BIN:?}"
WINDOWS_EXE=${WINDOWS_EXE-}
CONFIGURATION=${CONFIGURATION:-Release}

missing=""
for tool in git gzip dpkg-deb sha256sum dotnet; do command -v "$tool" >/dev/null || missing="$missing $tool"; done
if [ -n "$WINDOWS_EXE" ]; then command -v zip >/dev/null || missing="$missing zip"; fi
[ -z "$missing" ] || { echo "dist: missing tools:$missing (Debian: apt-get install -y zip dpkg gzip git coreutils)" >&2; exit 1; }
case "$DIST_DIR" in /|.|"$repo") echo "dist: refusing DIST_DIR=$DIST_DIR" >&2; exit 1 ;; esac
git rev-parse --verify -q HEAD >/dev/null || { echo "dist: needs a git checkout (the source archive is git archive HEAD)" >&2; exit 1; }
if [ -n "$(git status --porcelain --untracked-files=no)" ]; then
  echo "dist: warning: uncommitted changes: the binaries include them, the source archive (HEAD) does not" >&2
fi

# Every file gets the commit's time, so rebuilding the same commit gives the same archives.
export SOURCE_DATE_EPOCH=${SOURCE_DATE_EPOCH:-$(git log -1 --format=%ct)}
rm -rf "$DIST_DIR"
mkdir -p "$DIST_DIR"
dist=$(cd "$DIST_DIR" && pwd)
stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT

# Archives carry a sample config that logs next to where it runs; the .deb's copy logs under /var/log.
# Their [log] mode and group stay commented out: no postinst creates net-sentinel-readers there (a group
# that does not exist is a configuration error), and Windows takes the log's readers from its ACL.
sample_config() {
  sed -e 's|^log_file = .*|log_file = "net_sentinel_events.jsonl"|' -e 's/^\(mode\|group\) = /# &/' packaging/config.toml > "$1"
}
pin_times() { find "$1" -exec touch -h -d "@$SOURCE_DATE_EPOCH" {} +; }

# 1. Linux tarball
linux=net-sentinel-$VERSION-linux-x64
mkdir -p "$stage/$linux"
install -m 0755 "$LINUX_BIN" "$stage/$linux/net-sentinel"
sample_config "$stage/$linux/config.toml"
install -m 0644 README.md LICENSE "$stage/$linux/"
chmod 0644 "$stage/$linux/config.toml"
pin_times "$stage/$linux"
tar -C "$stage" --sort=name --owner=0 --group=0 --numeric-owner -cf - "$linux" | gzip -n -9 > "$dist/$linux.tar.gz"
artifacts=("$linux.tar.gz")

# 2. Windows zip
if [ -n "$WINDOWS_EXE" ]; then
  windows=net-sentinel-$VERSION-win-x64
  mkdir -p "$stage/$windows"
  install -m 0644 "$WINDOWS_EXE" "$stage/$windows/net-sentinel.exe"
  sample_config "$stage/$windows/config.toml"
  # Windows users open these in Notepad: CRLF line ends.
  sed 's/$/\r/' README.md > "$stage/$windows/README.md"
  sed 's/$/\r/' LICENSE > "$stage/$windows/LICENSE.txt"
  sed -i 's/$/\r/' "$stage/$windows/config.toml"
  pin_times "$stage/$windows"
  (cd "$stage" && find "$windows" -print | LC_ALL=C sort | zip -X -q -9 "$dist/$windows.zip" -@)
  artifacts+=("$windows.zip")
else
  echo "dist: skipping the Windows zip (no WINDOWS_EXE)" >&2
fi

# 3. .NET tool package
dotnet pack src/NetSentinel.Cli -c "$CONFIGURATION" -o "$stage/nupkg" -nologo -v q -clp:ErrorsOnly >/dev/null
install -m 0644 "$stage/nupkg/net-sentinel.$VERSION.nupkg" "$dist/"
artifacts+=("net-sentinel.$VERSION.nupkg")

# 4. Debian package
packaging/build-deb.sh "$VERSION" "$LINUX_BIN" "$dist/net-sentinel_${VERSION}_amd64.deb" >/dev/null
artifacts+=("net-sentinel_${VERSION}_amd64.deb")

# 5. Source archive
git archive --format=tar --prefix="net-sentinel-$VERSION/" HEAD | gzip -n -9 > "$dist/net-sentinel-$VERSION.tar.gz"
artifacts+=("net-sentinel-$VERSION.tar.gz")

# 6. Checksums (sha256sum -c format, names relative to dist/)
(cd "$dist" && sha256sum -- "${artifacts[@]}" > SHA256SUMS)
echo "dist: $DIST_DIR"
(cd "$dist" && ls -l -- "${artifacts[@]}" SHA256SUMS | awk '{printf "  %10s  %s\n", $5, $9}')
