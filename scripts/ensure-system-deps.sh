#!/usr/bin/env bash
# The tests run real programs (Apache, coturn, shellcheck, ...). On Debian as root, install
# whatever is missing; elsewhere, say what is needed and stop.
set -euo pipefail

# command -> Debian package
declare -A NEED=(
  [apache2]=apache2
  [turnserver]=coturn
  [turnutils_stunclient]=coturn
  [shellcheck]=shellcheck
  [openssl]=openssl
  [curl]=curl
  [ssh-keygen]=openssh-client
  [python3]=python3
  [pip3]=python3-pip
  [mmdebstrap]=mmdebstrap
  [zsh]=zsh
  [fish]=fish
  [dockerd]=docker.io
)
# Python module -> Debian package, imported as the Synapse stand-in imports them (Debian's
# dist-packages appended to sys.path); its unit tests run it against PostgreSQL.
declare -A NEED_PY=(
  [psycopg2]=python3-psycopg2
  [yaml]=python3-yaml
)
missing=()
for cmd in "${!NEED[@]}"; do
  if ! command -v "$cmd" >/dev/null 2>&1 && ! [ -x "/usr/sbin/$cmd" ]; then
    missing+=("${NEED[$cmd]}")
  fi
done
for mod in "${!NEED_PY[@]}"; do
  if ! python3 -c "import sys; sys.path.append('/usr/lib/python3/dist-packages'); import $mod" >/dev/null 2>&1; then
    missing+=("${NEED_PY[$mod]}")
  fi
done
[ ${#missing[@]} -eq 0 ] && exit 0
mapfile -t pkgs < <(printf '%s\n' "${missing[@]}" | sort -u)
if [ "$(id -u)" -ne 0 ] || ! command -v apt-get >/dev/null 2>&1; then
  echo "The tests need these Debian packages: ${pkgs[*]}" >&2
  echo "Install them (apt-get install ${pkgs[*]}) or run the tests as root on Debian." >&2
  exit 1
fi
echo "Installing test dependencies: ${pkgs[*]}"
# Packages must not start their services here: the tests start what they need themselves.
printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d
chmod 755 /usr/sbin/policy-rc.d
trap 'rm -f /usr/sbin/policy-rc.d' EXIT
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${pkgs[@]}" >/dev/null
