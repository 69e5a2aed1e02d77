#!/bin/sh
# Which privileges the lab target needs in a container, measured without a
# container engine: as root, run `synack run --target lab` with a
# container engine's default capability set plus the ones named, and
# /proc/sys read-only as engines mount it (a private mount namespace; the
# host's mounts are untouched). Not emulated: seccomp and AppArmor.
#
#   sh contrib/container/privilege-check.sh BIN CASES
set -eu
bin="${1:?privilege-check.sh BIN CASES}"
cases="${2:?privilege-check.sh BIN CASES}"
[ "$(id -u)" = 0 ] || { echo "privilege-check.sh: run as root" >&2; exit 2; }
# Docker's and Podman's default capabilities (moby's defaultCapabilities).
default=chown,dac_override,fsetid,fowner,mknod,net_raw,setgid,setuid,setfcap,setpcap,net_bind_service,sys_chroot,kill,audit_write
plus() { echo "-all,$1" | sed "s/,,*/,/g" | sed 's/,\([a-z_]*\)/,+\1/g'; }

try() { # try LABEL CAPS RO: RO=ro mounts /proc/sys read-only
    if [ "$3" = ro ]; then
        ro='mount --bind /proc/sys /proc/sys && mount -o remount,bind,ro /proc/sys && '
    else
        ro=''
    fi
    printf '%s: ' "$1"
    unshare -m --propagation private sh -c "${ro}exec setpriv --bounding-set=$(plus "$2") \"\$@\"" \
        sh "$bin" run --target lab "$cases" >/tmp/privilege-check.$$ 2>&1 && rc=0 || rc=$?
    echo "exit $rc: $(tail -n 1 /tmp/privilege-check.$$)"
    rm -f /tmp/privilege-check.$$
}
try "defaults + NET_ADMIN" "$default,net_admin" ro
try "defaults + NET_ADMIN + SYS_ADMIN" "$default,net_admin,sys_admin" ro
try "defaults + NET_ADMIN + SYS_ADMIN, /proc/sys writable" "$default,net_admin,sys_admin" rw
try "NET_ADMIN + SYS_ADMIN + NET_BIND_SERVICE only, /proc/sys writable" "net_admin,sys_admin,net_bind_service" rw
