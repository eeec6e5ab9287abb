#!/usr/bin/env bash
# Installs the Debian packages the tests and the simulators need, when they are missing.
# As root it installs them; otherwise it prints the exact apt-get line and fails.
set -euo pipefail

# socat: virtual serial port pairs; chromium: browser tests; libusb-1.0-0: node-hid at run time;
# poppler-utils: the printer simulator's PDF renderer (pdftoppm); postgresql: server-mode database tests;
# libnfc-bin, libnfc-pn53x-examples: nfc-list and pn53x-tamashell drive the PN532 emulator in the interop test.
# zbar-tools: zbarimg, a QR decoder that is not ours, reads the QR codes on the printer simulator's page images.
# iproute2, ethtool, python3: the dedicated line between network namespaces (tests/netline: ip netns, tc htb,
# offloads off on the veths, and the userspace bridge that adds delay, jitter and loss).
packages=(socat chromium libusb-1.0-0 poppler-utils postgresql libnfc-bin libnfc-pn53x-examples zbar-tools iproute2 ethtool python3)

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi

if [ "$(id -u)" -ne 0 ]; then
  echo "Missing Debian packages: ${missing[*]}" >&2
  echo "Install them with:" >&2
  echo "  sudo apt-get update && sudo apt-get install -y ${missing[*]}" >&2
  exit 1
fi

echo "Installing Debian packages: ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq >/dev/null
apt-get install -y -qq "${missing[@]}" >/dev/null
echo "Installed: ${missing[*]}" >&2
