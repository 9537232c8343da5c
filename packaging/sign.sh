#!/usr/bin/env bash
# Writes an ASCII-armoured detached signature FILE.asc for every file in SHA256SUMS and for SHA256SUMS itself,
# with the key NETSENTINEL_GPG_KEY (key id, fingerprint or user id), and exports that public key as
# net-sentinel-release-key.asc so a release carries what to import. Usage: sign.sh DIST_DIR
set -euo pipefail
dist=${1:?usage: sign.sh DIST_DIR}
key=${NETSENTINEL_GPG_KEY-}
[ -n "$key" ] || { echo "sign: set NETSENTINEL_GPG_KEY to the signing key's id or fingerprint (gpg --list-secret-keys)" >&2; exit 1; }
command -v gpg >/dev/null || { echo "sign: gpg is missing (apt-get install gnupg)" >&2; exit 1; }
[ -f "$dist/SHA256SUMS" ] || { echo "sign: $dist/SHA256SUMS is missing: run make dist first" >&2; exit 1; }
gpg --batch --list-secret-keys -- "$key" >/dev/null 2>&1 || { echo "sign: no secret key '$key' in the keyring (GNUPGHOME=${GNUPGHOME:-~/.gnupg})" >&2; exit 1; }

cd "$dist"
mapfile -t files < <(sed -E 's/^[0-9a-f]{64} [ *]//' SHA256SUMS)
for f in "${files[@]}" SHA256SUMS; do
  [ -f "$f" ] || { echo "sign: $f is listed in SHA256SUMS but missing" >&2; exit 1; }
  gpg --batch --yes --armor --local-user "$key" --output "$f.asc" --detach-sign -- "$f"
  echo "sign: $f.asc"
done
gpg --batch --yes --armor --output net-sentinel-release-key.asc --export -- "$key"
echo "sign: net-sentinel-release-key.asc (fingerprint $(gpg --batch --with-colons --fingerprint -- "$key" | awk -F: '/^fpr/ {print $10; exit}'))"
