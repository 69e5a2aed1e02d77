#!/bin/sh
# The container image's build steps (Containerfile), as a plain script so
# they run and are tested where no container engine runs:
#
#   sh contrib/container/build-steps.sh build OUT    # synack into OUT/bin (the build stage)
#   sh contrib/container/build-steps.sh runtime      # the runtime stage's packages (Debian; root)
#   sh contrib/container/build-steps.sh check BIN CASES   # what the image's users do, without
#                                                    # privilege: the binary's libraries, its
#                                                    # version, the suite from / as nobody
set -eu
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"

case "${1:-}" in
build)
    out="${2:?build OUT: where to install synack}"
    # --locked: the Cargo.lock that CI tested; the binary only, no checkout
    # paths baked in (the cases are found by the path a run is given).
    cargo install --locked --path "$root/harness" --root "$out"
    "$out/bin/synack" --version
    ;;
runtime)
    # The runtime stage, Debian slim: iproute2 (ip, tc, for scripts'
    # `commands` and for looking into the lab), procps (sysctl, ps), and
    # nothing else: synack itself needs only libc and libgcc_s, which the
    # slim image has; the lab and tap targets use /dev/net/tun and netlink.
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
        iproute2 procps
    rm -rf /var/lib/apt/lists/*
    ;;
check)
    bin="${2:?check BIN CASES}"
    cases="${3:?check BIN CASES}"
    # Every shared library resolves, and it is one the slim image has.
    ldd "$bin"
    if ldd "$bin" | grep -q 'not found'; then
        echo "build-steps.sh: $bin needs a library that is missing" >&2
        exit 1
    fi
    extra="$(ldd "$bin" | awk '{print $1}' \
        | grep -v -E '^(linux-vdso|libc|libm|libgcc_s|libpthread|libdl|librt)\.|^/lib(64)?/ld-linux' || true)"
    if [ -n "$extra" ]; then
        echo "build-steps.sh: libraries beyond Debian slim's base: $extra" >&2
        exit 1
    fi
    "$bin" --version
    # As the image runs it with no privilege: user nobody, no capabilities
    # at all, from / (nothing read from a checkout).
    cd /
    if [ "$(id -u)" = 0 ]; then
        setpriv --reuid=65534 --regid=65534 --clear-groups --bounding-set=-all \
            --inh-caps=-all "$bin" run --target embedded "$cases"
    else
        "$bin" run --target embedded "$cases"
    fi
    ;;
*)
    echo "usage: build-steps.sh build OUT | runtime | check BIN CASES" >&2
    exit 2
    ;;
esac
