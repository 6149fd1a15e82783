#!/usr/bin/env bash
# Installs the Debian packages the project needs that a bare Python image may lack.
# Runs apt-get only for what is missing, and only as root (CI); otherwise it says what to install.
set -euo pipefail
need=()
python3 -c 'import ensurepip, venv' 2>/dev/null || need+=(python3-venv)
[ -x /usr/bin/chromium ] || need+=(chromium)  # browser tests (Playwright drives Debian's Chromium)
fc-list :lang=zh 2>/dev/null | grep -q . || need+=(fonts-wqy-microhei)  # Chinese text in pages and screenshots
[ ${#need[@]} -eq 0 ] && exit 0
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  echo "installing Debian packages: ${need[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
else
  echo "please install these Debian packages: ${need[*]}" >&2
  case " ${need[*]} " in *" python3-venv "*) exit 1;; esac
fi
