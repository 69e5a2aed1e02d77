#!/bin/sh
# Captures real TCP traffic between two network namespaces joined by a veth
# pair, for the oracle's mutation test (harness/tests/mutation.rs):
#   tools/capture-mutation-traffic.sh OUT.pcap
# Needs root, nginx (nginx-light), curl, wget, ab (apache2-utils), tcpdump,
# ethtool and iproute2. Documentation addresses only (192.0.2.1 server,
# 192.0.2.2 client); both namespaces and the temporary directory are removed
# on exit. Segmentation and checksum offloads are off on both ends, so the
# capture holds the segments as they were on the wire, checksums included.
# Traffic: downloads (curl, wget), keep-alive (ab -k), a transfer the client
# aborts, and a SYN to a closed port.
set -eu
out=${1:?usage: tools/capture-mutation-traffic.sh OUT.pcap}
case $out in /*) ;; *) out=$(pwd)/$out ;; esac
id=synmut$$
srv=$id-s
cli=$id-c
dir=$(mktemp -d /tmp/$id.XXXX)
cleanup() {
    [ -f "$dir/tcpdump.pid" ] && kill "$(cat "$dir/tcpdump.pid")" 2>/dev/null || true
    [ -f "$dir/nginx.pid" ] && kill "$(cat "$dir/nginx.pid")" 2>/dev/null || true
    ip netns del "$srv" 2>/dev/null || true
    ip netns del "$cli" 2>/dev/null || true
    rm -rf "$dir"
}
trap cleanup EXIT INT TERM
ip netns add "$srv"
ip netns add "$cli"
ip link add "${id}a" type veth peer name "${id}b"
ip link set "${id}a" netns "$srv"
ip link set "${id}b" netns "$cli"
ip -n "$srv" addr add 192.0.2.1/24 dev "${id}a"
ip -n "$cli" addr add 192.0.2.2/24 dev "${id}b"
for ns in "$srv:${id}a" "$cli:${id}b"; do
    n=${ns%%:*}
    i=${ns#*:}
    ip -n "$n" link set lo up
    ip -n "$n" link set "$i" up
    ip netns exec "$n" ethtool -K "$i" tso off gso off gro off tx off rx off >/dev/null 2>&1 || true
done
mkdir -p "$dir/www"
head -c 6000 /dev/zero | tr '\0' a >"$dir/www/small"
head -c 12000 /dev/zero | tr '\0' b >"$dir/www/medium"
head -c 2000000 /dev/zero | tr '\0' c >"$dir/www/big"
cat >"$dir/nginx.conf" <<CONF
daemon on;
pid $dir/nginx.pid;
error_log $dir/error.log;
events { worker_connections 64; }
http {
    access_log off;
    client_body_temp_path $dir;
    proxy_temp_path $dir;
    fastcgi_temp_path $dir;
    uwsgi_temp_path $dir;
    scgi_temp_path $dir;
    keepalive_timeout 5s;
    server { listen 192.0.2.1:80; root $dir/www; }
}
CONF
ip netns exec "$srv" nginx -c "$dir/nginx.conf"
ip netns exec "$srv" tcpdump -i "${id}a" -s 0 -U -w "$out" tcp >/dev/null 2>&1 &
echo $! >"$dir/tcpdump.pid"
sleep 1
c() { ip netns exec "$cli" "$@"; }
c curl -s -o /dev/null http://192.0.2.1/small
c curl -s -o /dev/null http://192.0.2.1/medium
c wget -q -O /dev/null http://192.0.2.1/medium
c ab -q -k -n 3 -c 1 http://192.0.2.1/small >/dev/null
# An aborted transfer: the client stops reading and closes with data unread.
c curl -s -o /dev/null --limit-rate 20k --max-time 1 http://192.0.2.1/big || true
# A closed port.
c curl -s -o /dev/null http://192.0.2.1:81/ || true
sleep 1
kill "$(cat "$dir/tcpdump.pid")"
rm -f "$dir/tcpdump.pid"
sleep 0.5
