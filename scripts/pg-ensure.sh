#!/usr/bin/env bash
# Make sure PostgreSQL server binaries (initdb, pg_ctl, postgres) are installed, for the
# PostgreSQL parity tests (tests/pgserver.py starts its own throwaway server from them).
# Idempotent: does nothing if /usr/lib/postgresql/*/bin/initdb exists; otherwise installs
# Debian's `postgresql` package with apt-get (needs root, or sudo without a password).
# It does not start, and does not need, the package's default cluster or service.
set -euo pipefail

have_pg() {
    local initdb
    for initdb in /usr/lib/postgresql/*/bin/initdb; do
        [[ -x $initdb ]] && { echo "pg-ensure: found $initdb"; return 0; }
    done
    return 1
}

die() { echo "pg-ensure: error: $*" >&2; exit 1; }

have_pg && exit 0

command -v apt-get >/dev/null 2>&1 ||
    die "PostgreSQL is not installed and apt-get is not available; install the PostgreSQL server (initdb, pg_ctl) by hand."

if [[ $(id -u) -eq 0 ]]; then
    sudo=()
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
    sudo=(sudo -n)
else
    die "PostgreSQL is not installed and installing it needs root: run 'apt-get install postgresql' as root."
fi

echo "pg-ensure: PostgreSQL not found, installing Debian's postgresql package"
export DEBIAN_FRONTEND=noninteractive
# The package's postinst creates and starts the default cluster when it can; where policy-rc.d
# forbids starting services (containers) it just leaves it stopped. Either way we don't use it.
"${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -q ||
    die "apt-get update failed"
"${sudo[@]}" env DEBIAN_FRONTEND=noninteractive \
    apt-get install -y -q --no-install-recommends postgresql ||
    die "apt-get install postgresql failed"

have_pg || die "postgresql was installed but no /usr/lib/postgresql/*/bin/initdb exists"
