#!/usr/bin/env bash
# What the browser tests need beyond .venv: Debian's Chromium and a CJK font (so screenshots show Chinese, not boxes).
# The playwright package itself comes with the dev dependencies; it drives /usr/bin/chromium and downloads no browser.
set -euo pipefail
missing=()
command -v chromium >/dev/null || missing+=(chromium)
dpkg -s fonts-noto-cjk >/dev/null 2>&1 || dpkg -s fonts-wqy-zenhei >/dev/null 2>&1 || missing+=(fonts-noto-cjk)
[ ${#missing[@]} -eq 0 ] && exit 0
echo "setup: installing ${missing[*]} for the browser tests"
if [ "$(id -u)" -ne 0 ]; then
    echo "error: the browser tests need ${missing[*]}; run: sudo apt-get install ${missing[*]}" >&2
    exit 1
fi
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
