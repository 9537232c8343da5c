#!/usr/bin/env bash
# Checks a signed release directory; any failure exits 1 with the reason:
#   - SHA256SUMS.asc is a good signature of SHA256SUMS,
#   - every file listed in SHA256SUMS has its checksum and a good signature FILE.asc,
#   - no release file lies there unlisted (only *.asc, SHA256SUMS and the exported key may be extra).
# With NETSENTINEL_GPG_KEY set, every signature must come from that key; otherwise any key in the keyring counts
# (and the signer is printed). Usage: verify.sh DIST_DIR
set -uo pipefail
dist=${1:?usage: verify.sh DIST_DIR}
command -v gpg >/dev/null || { echo "verify: gpg is missing (apt-get install gnupg)" >&2; exit 1; }
cd "$dist" || exit 1
failures=0
fail() { echo "verify: FAILED: $*" >&2; failures=$((failures + 1)); }

expected=""
if [ -n "${NETSENTINEL_GPG_KEY-}" ]; then
  expected=$(gpg --batch --with-colons --fingerprint -- "$NETSENTINEL_GPG_KEY" 2>/dev/null | awk -F: '/^fpr/ {print $10; exit}')
  [ -n "$expected" ] || { echo "verify: key '$NETSENTINEL_GPG_KEY' is not in the keyring: import net-sentinel-release-key.asc" >&2; exit 1; }
fi

# One detached signature: good, and by the expected key when one is named. Prints the signer.
check_signature() {
  local file=$1 status
  [ -f "$file.asc" ] || { fail "$file.asc is missing"; return; }
  status=$(gpg --batch --status-fd 1 --verify -- "$file.asc" "$file" 2>/dev/null)
  # VALIDSIG <signing key fpr> ... <primary key fpr>: present only for a good signature.
  local validsig
  validsig=$(grep '^\[GNUPG:\] VALIDSIG ' <<<"$status" | head -1)
  if [ -z "$validsig" ] || ! grep -q '^\[GNUPG:\] GOODSIG ' <<<"$status"; then
    fail "$file: bad or missing signature ($(grep -oE '^\[GNUPG:\] (BADSIG|ERRSIG|NO_PUBKEY|NODATA|EXPKEYSIG|REVKEYSIG)' <<<"$status" | head -1 | cut -d' ' -f2 || true))"
    return
  fi
  local signer primary
  signer=$(awk '{print $3}' <<<"$validsig")
  primary=$(awk '{print $NF}' <<<"$validsig")
  if [ -n "$expected" ] && [ "$primary" != "$expected" ] && [ "$signer" != "$expected" ]; then
    fail "$file: signed by $primary, not by $expected"
    return
  fi
  echo "verify: good signature: $file (key $primary)"
}

[ -f SHA256SUMS ] || { echo "verify: FAILED: $dist/SHA256SUMS is missing" >&2; exit 1; }
check_signature SHA256SUMS

if ! sha256sum --strict --quiet -c SHA256SUMS; then
  fail "checksums in SHA256SUMS do not match (lines above)"
fi

mapfile -t files < <(sed -E 's/^[0-9a-f]{64} [ *]//' SHA256SUMS)
[ "${#files[@]}" -gt 0 ] || fail "SHA256SUMS lists no files"
for f in "${files[@]}"; do check_signature "$f"; done

for f in *; do
  case "$f" in *.asc|SHA256SUMS) continue ;; esac
  printf '%s\n' "${files[@]}" | grep -qxF -- "$f" || fail "$f is not listed in SHA256SUMS"
done

if [ "$failures" -ne 0 ]; then
  echo "verify: $failures problem(s) in $dist: do not install these files" >&2
  exit 1
fi
echo "verify: OK: ${#files[@]} file(s) and SHA256SUMS match their checksums and signatures"
