#!/usr/bin/env bash
# Builds synack-lwip (lwIP as a stack under test for --target tap/tun)
# against Debian's liblwip-dev and prints the binary's path.
#   apt-get install liblwip-dev pkg-config    # once
#   bash native/lwip/build.sh                 # -> target/lwip/synack-lwip
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
out="${1:-$root/target/lwip/synack-lwip}"
if ! pkg-config --exists lwip; then
    echo "build.sh: lwIP not found: apt-get install liblwip-dev pkg-config" >&2
    exit 3
fi
mkdir -p "$(dirname "$out")"
# shellcheck disable=SC2046 # pkg-config prints several words on purpose
cc -O2 -Wall -Wextra -Werror -o "$out" "$root/native/lwip/synack-lwip.c" \
    "$root/native/lwip/agent.c" "$root/native/lwip/agent-calls.c" -I"$root/native/lwip" \
    $(pkg-config --cflags --libs lwip) -lpthread
echo "$out"
