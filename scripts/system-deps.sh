#!/usr/bin/env bash
# Installs the Debian packages that some tests drive, when they are missing:
#   chromium        headless rendering of the run report
#   docker-compose  `docker-compose config -q` validation of the production recipe
#   fonts-wqy-microhei  a CJK font, so headless renders of the report show Chinese titles
# Tests that need them skip with a reason when they cannot be installed (not root, no apt).
set -u
need=()
command -v chromium >/dev/null 2>&1 || need+=(chromium)
command -v docker-compose >/dev/null 2>&1 || need+=(docker-compose)
fc-list :lang=zh 2>/dev/null | grep -q . || need+=(fonts-wqy-microhei)
[ ${#need[@]} -eq 0 ] && exit 0
if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null 2>&1; then
  echo "system-deps: missing ${need[*]} and cannot apt-get; the tests that need them will skip" >&2
  exit 0
fi
echo "system-deps: installing ${need[*]}" >&2
DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${need[@]}" >/dev/null 2>&1 \
  || { apt-get update -q >/dev/null 2>&1 && DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${need[@]}" >/dev/null 2>&1; } \
  || echo "system-deps: could not install ${need[*]}; the tests that need them will skip" >&2
exit 0
