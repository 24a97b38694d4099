#!/usr/bin/env bash
# Installs the Debian packages the mesh and its tests use, if any are missing (as root), and says which.
# Used by .ci/run and by `npm start`; safe to run again.
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive
# iptables/nftables/ipset and iproute2 for in-pod redirection in network namespaces, the CNI reference plugins
# (bridge, host-local) for the local cluster, curl for exec'ing into pods, stunnel4 as a benchmark baseline,
# a C/C++ toolchain for the native module, and the nghttp2 and OpenSSL headers its HBONE data path compiles
# against (the code itself runs on the nghttp2 and OpenSSL inside the node binary).
PACKAGES=(iptables nftables ipset iproute2 containernetworking-plugins curl stunnel4 python3 make g++ ca-certificates libnghttp2-dev libssl-dev)
# kubectl (a real client we did not write) checks the local API server; Debian's kubernetes-client provides one.
# Only when none is on PATH: another package may already own /usr/bin/kubectl.
command -v kubectl >/dev/null 2>&1 || PACKAGES+=(kubernetes-client)
missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ "${#missing[@]}" -eq 0 ]; then
  echo "debian packages: all present (${PACKAGES[*]})"
  exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
  echo "debian packages: missing ${missing[*]}; run as root to install them" >&2
  exit 1
fi
echo "debian packages: installing ${missing[*]}"
apt-get update -q
apt-get install -y -q --no-install-recommends "${missing[@]}"
