#!/usr/bin/env bash
# README command 1: install what is needed, build, and run wsmand in the
# foreground on http://127.0.0.1:5985/wsman and https://127.0.0.1:5986/wsman
# with a local account and a server certificate created on first run (the
# password is printed once). Extra arguments go to wsmand; with a --listen
# among them, only the listeners given there are served.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
scripts/build.sh
state="${WSMAND_STATE_DIR:-${XDG_STATE_HOME:-$HOME/.local/state}/wsmand}"
mkdir -p "$state"
chmod 700 "$state"
if [ ! -s "$state/accounts" ]; then
  password="$(openssl rand -base64 18)"
  printf '%s\n' "$password" |
    build/wsmand user add wsman --accounts "$state/accounts" --password-stdin
  cat <<MSG

  Created the local account 'wsman' with password: $password
  (shown once; stored hashed in $state/accounts; manage accounts with
   build/wsmand user add|del|list --accounts $state/accounts)

MSG
fi
# As root, commands run as the authenticated user's system account: the
# default account is also an unprivileged system account (no password, so
# no password login; a home for its commands). docs/authentication.md says
# why this and not [shell] fallback_user.
if [ "$(id -u)" -eq 0 ] && ! getent passwd wsman >/dev/null; then
  useradd --system --create-home --home-dir /var/lib/wsman \
    --shell /bin/sh --comment "wsmand default account" wsman
  echo "  Created the system account 'wsman' (no password; home /var/lib/wsman):"
  echo "  commands of the 'wsman' login run as it."
fi
tls="$state/tls"
if [ ! -s "$tls/server.pem" ] || [ ! -s "$tls/server-key.pem" ]; then
  build/wsmand cert create --out-dir "$tls" --force
  echo "  (clients trust $tls/ca.pem; see docs/https.md)"
fi
# Defaults unless the arguments choose: --listen replaces the listeners,
# --config brings its own [server] listen and [tls] settings.
listen=(--listen http://127.0.0.1:5985 --listen https://127.0.0.1:5986)
tls_args=(--tls-cert "$tls/server.pem" --tls-key "$tls/server-key.pem")
for arg in "$@"; do
  case "$arg" in
    --listen|--listen=*) listen=() ;;
    --config|--config=*) listen=(); tls_args=() ;;
  esac
done
cat <<MSG
  Try it:
    curl -s -u wsman:PASSWORD -H 'Content-Type: application/soap+xml;charset=UTF-8' \\
      --data '<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope" xmlns:wsmid="http://schemas.dmtf.org/wbem/wsman/identity/1/wsmanidentity.xsd"><s:Header/><s:Body><wsmid:Identify/></s:Body></s:Envelope>' \\
      http://127.0.0.1:5985/wsman
    (or https://127.0.0.1:5986/wsman with --cacert $tls/ca.pem)

MSG
exec build/wsmand --accounts "$state/accounts" "${listen[@]}" "${tls_args[@]}" \
  "$@"
