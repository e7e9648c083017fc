#!/usr/bin/env bash
# Debian packages the delivery tests need (tests/transforms/delivery): headless Chromium renders the
# report (and prints its PDF), LibreOffice Calc opens the workbook. Installs only what is missing, so
# a second run costs nothing. Idempotent; needs root (CI and the developers' machines run as root).
set -euo pipefail

missing=()
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
command -v soffice >/dev/null 2>&1 || missing+=(libreoffice-calc)
if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi
echo "Installing Debian packages for the delivery tests: ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq >/dev/null
apt-get install -y -qq --no-install-recommends "${missing[@]}" fonts-dejavu-core >/dev/null
