#!/usr/bin/env bash
# Make sure the report's test tools are installed: Debian's `chromium` (Playwright drives it
# through executable_path; `playwright install` is never run, it downloads) and
# `poppler-utils` (pdftoppm / pdfinfo render the PDF report to images in the tests).
# Idempotent: does nothing when both are on the PATH; otherwise runs `apt-get update` once
# and installs the missing packages with --no-install-recommends (needs root, or sudo
# without a password), as scripts/pg-ensure.sh does for PostgreSQL.
set -euo pipefail

die() { echo "report-deps-ensure: error: $*" >&2; exit 1; }

missing=()
if command -v chromium >/dev/null 2>&1 || [[ -x /usr/bin/chromium ]]; then
    echo "report-deps-ensure: found chromium"
else
    missing+=(chromium)
fi
if command -v pdftoppm >/dev/null 2>&1 && command -v pdfinfo >/dev/null 2>&1; then
    echo "report-deps-ensure: found pdftoppm and pdfinfo"
else
    missing+=(poppler-utils)
fi
[[ ${#missing[@]} -eq 0 ]] && exit 0

command -v apt-get >/dev/null 2>&1 ||
    die "${missing[*]} not installed and apt-get is not available; install them by hand."

if [[ $(id -u) -eq 0 ]]; then
    sudo=()
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
    sudo=(sudo -n)
else
    die "${missing[*]} not installed and installing needs root: run 'apt-get install ${missing[*]}' as root."
fi

echo "report-deps-ensure: installing Debian's ${missing[*]}"
"${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -q ||
    die "apt-get update failed"
"${sudo[@]}" env DEBIAN_FRONTEND=noninteractive \
    apt-get install -y -q --no-install-recommends "${missing[@]}" ||
    die "apt-get install ${missing[*]} failed"

command -v chromium >/dev/null 2>&1 || [[ -x /usr/bin/chromium ]] || die "chromium still missing"
command -v pdftoppm >/dev/null 2>&1 || die "pdftoppm still missing"
