#!/usr/bin/env bash
# Write .env for `docker compose up`: .env.example with every empty secret filled with a fresh random
# value and AIRFLOW_UID set to yours. Never overwrites an existing file: its TRAPPE_PSEUDONYM_KEY must
# never change. A municipality that already has a key passes it in: TRAPPE_PSEUDONYM_KEY=... bash docker/make-env.sh
#
# usage: bash docker/make-env.sh [TARGET]     (default: .env at the repository's root; written with mode 600)
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
target=${1:-$repo/.env}
if [ -e "$target" ]; then
  echo "$target exists: not overwritten (its TRAPPE_PSEUDONYM_KEY must stay the same)" >&2
  exit 1
fi
uid=$(id -u)
[ "$uid" = 0 ] && uid=50000  # never run Airflow as root in the containers
umask 077
"${PYTHON:-python3}" - "$repo/.env.example" "$target" "$uid" <<'PY'
import base64
import os
import re
import secrets
import sys

template, target, uid = sys.argv[1:]
lines = []
for line in open(template, encoding="utf-8"):
    m = re.fullmatch(r"([A-Z][A-Z0-9_]*)=(.*)", line.rstrip("\n"))
    if m:
        name, value = m.groups()
        if name == "AIRFLOW_UID":
            value = uid
        elif value == "":
            if name == "TRAPPE_PSEUDONYM_KEY" and os.environ.get(name):
                value = os.environ[name]
            elif name == "AIRFLOW_FERNET_KEY":
                value = base64.urlsafe_b64encode(os.urandom(32)).decode()
            else:
                value = secrets.token_hex(32)
        line = f"{name}={value}\n"
    lines.append(line)
with open(target, "w", encoding="utf-8") as out:
    out.writelines(lines)
PY
echo "wrote $target (mode 600). Back up its TRAPPE_PSEUDONYM_KEY off this machine: losing it changes every pseudonym."
