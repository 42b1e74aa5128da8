#!/usr/bin/env bash
# Make sure a Java runtime (17 or later) is installed, for the Spark parity tests: pyspark 4
# starts its JVM in local mode (tests/sparksession.py). Idempotent: does nothing if `java`
# on PATH (or $JAVA_HOME/bin/java) reports version 17 or later; otherwise installs Debian's
# `openjdk-17-jre-headless` with apt-get (needs root, or sudo without a password).
set -euo pipefail

die() { echo "java-ensure: error: $*" >&2; exit 1; }

java_major() {  # the major version of a java binary: 17, 21, ...
    "$1" -version 2>&1 | awk -F'"' '/version/ {split($2, v, "."); print (v[1] == "1" ? v[2] : v[1]); exit}'
}

have_java() {
    local java
    for java in "${JAVA_HOME:+$JAVA_HOME/bin/java}" "$(command -v java || true)"; do
        [[ -n $java && -x $java ]] || continue
        local major
        major=$(java_major "$java")
        if [[ -n $major && $major -ge 17 ]]; then
            echo "java-ensure: found $java (Java $major)"
            return 0
        fi
        echo "java-ensure: $java is Java ${major:-?}; pyspark 4 needs 17 or later"
    done
    return 1
}

have_java && exit 0

command -v apt-get >/dev/null 2>&1 ||
    die "Java 17 is not installed and apt-get is not available; install a Java 17 runtime by hand (or set JAVA_HOME)."

if [[ $(id -u) -eq 0 ]]; then
    sudo=()
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
    sudo=(sudo -n)
else
    die "Java 17 is not installed and installing it needs root: run 'apt-get install openjdk-17-jre-headless' as root."
fi

echo "java-ensure: Java 17 not found, installing Debian's openjdk-17-jre-headless"
# The package's postinst needs this folder on slim images.
"${sudo[@]}" mkdir -p /usr/share/man/man1
"${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -q ||
    die "apt-get update failed"
"${sudo[@]}" env DEBIAN_FRONTEND=noninteractive \
    apt-get install -y -q --no-install-recommends openjdk-17-jre-headless ||
    die "apt-get install openjdk-17-jre-headless failed"

have_java || die "openjdk-17-jre-headless was installed but no java 17 is on PATH"
