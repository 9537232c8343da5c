#!/usr/bin/env bash
# Builds the Debian package from the NativeAOT binary: build-deb.sh VERSION BINARY OUTPUT.deb
# Layout: /usr/bin/net-sentinel, /etc/net-sentinel/config.toml (conffile), /lib/systemd/system/net-sentinel.service,
# /usr/share/doc/net-sentinel/{README.md,shipping.md,copyright}; maintainer scripts create the user, the
# net-sentinel-readers group and /var/log/net-sentinel.
set -euo pipefail
version=$1 binary=$2 output=$3
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/.." && pwd)

command -v dpkg-deb >/dev/null || { echo "build-deb: dpkg-deb is missing (apt-get install dpkg)" >&2; exit 1; }
[ -x "$binary" ] || { echo "build-deb: $binary is not an executable (run make publish)" >&2; exit 1; }

stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
root=$stage/net-sentinel

install -D -m 0755 "$binary" "$root/usr/bin/net-sentinel"
install -D -m 0644 "$here/config.toml" "$root/etc/net-sentinel/config.toml"
install -D -m 0644 "$here/systemd/net-sentinel.service" "$root/lib/systemd/system/net-sentinel.service"
install -D -m 0644 "$repo/README.md" "$root/usr/share/doc/net-sentinel/README.md"
install -D -m 0644 "$repo/docs/shipping.md" "$root/usr/share/doc/net-sentinel/shipping.md"
install -D -m 0644 "$repo/LICENSE" "$root/usr/share/doc/net-sentinel/copyright"

install -d -m 0755 "$root/DEBIAN"
installed_kib=$(du -sk --exclude=DEBIAN "$root" | cut -f1)
sed -e "s/@VERSION@/$version/" -e "s/@INSTALLED_SIZE@/$installed_kib/" "$here/debian/control.in" > "$root/DEBIAN/control"
install -m 0644 "$here/debian/conffiles" "$root/DEBIAN/conffiles"
for script in postinst prerm postrm; do install -m 0755 "$here/debian/$script" "$root/DEBIAN/$script"; done
(cd "$root" && find . -path ./DEBIAN -prune -o -type f -printf '%P\0' | sort -z | xargs -0 md5sum) > "$root/DEBIAN/md5sums"
chmod 0644 "$root/DEBIAN/md5sums"

# Same bytes from the same inputs: fixed timestamps (the commit's), root ownership, sorted entries.
export SOURCE_DATE_EPOCH=${SOURCE_DATE_EPOCH:-$(git -C "$repo" log -1 --format=%ct 2>/dev/null || date +%s)}
find "$root" -exec touch -h -d "@$SOURCE_DATE_EPOCH" {} +
dpkg-deb --root-owner-group -Zxz --build "$root" "$output" >/dev/null
echo "build-deb: $output"
