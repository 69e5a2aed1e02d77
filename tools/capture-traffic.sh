#!/usr/bin/env bash
# Captures real TCP traffic: curl, wget and ab against nginx, in anonymous
# network namespaces of its own (nothing leaves them). One tool for the
# judge's tests (harness/tests/real_traffic.rs) and the oracle's mutation
# test (harness/tests/mutation.rs), each with its own mix of traffic:
#
#   sudo tools/capture-traffic.sh OUT.pcap [SMALL_GETS]
#   sudo tools/capture-traffic.sh --mix mutation OUT.pcap
#
# Two anonymous namespaces joined by a veth pair (checksum and segmentation
# offloads off, so the capture holds the segments as they were on the wire,
# checksums included): nginx on 192.0.2.1:80 in one, the clients and tcpdump
# in the other (documentation addresses). Both namespaces end with the script.
#
# `--mix judge` (the default; client 198.51.100.7) holds, in this order:
#   - SMALL_GETS (default 100) single GETs by curl, one connection each;
#   - ab: 100 GETs over 4 keep-alive connections, then 100 on 100 connections;
#   - 2 downloads of 256 KiB by wget;
#   - 3 aborted downloads (nginx sends at 2 MB/s, curl reads at 50 KB/s and stops
#     after 0.3 s: its close
#     with unread data resets the connection);
#   - 3 connection attempts to a closed port (81), answered by RST.
# `--mix mutation` (client 192.0.2.2; six connections, each judged from both
# sides by the mutation test, whose score is measured on this mix):
#   - curl downloads of 6,000 and 12,000 octets, a wget of the 12,000;
#   - 3 GETs on one keep-alive connection (ab -k);
#   - a 2 MB transfer the client aborts (curl at 20 KB/s, stopped after 1 s:
#     zero windows, probes, the client's RST);
#   - a SYN to a closed port (81).
# Needs root (a namespace), nginx (nginx-light), curl, wget, ab
# (apache2-utils), tcpdump and ethtool; `.ci/run` installs them.
set -euo pipefail

usage="usage: $0 [--mix judge|mutation] OUT.pcap [SMALL_GETS]"
if [[ "${SYNACK_IN_NETNS:-}" != 1 ]]; then
    mix=judge
    if [[ "${1:-}" == --mix ]]; then
        mix=${2:-}
        shift 2 || { echo "$usage" >&2; exit 2; }
    fi
    case $mix in judge | mutation) ;; *) echo "$0: unknown mix '$mix'; $usage" >&2; exit 2 ;; esac
    [[ $# -ge 1 && $# -le 2 ]] || { echo "$usage" >&2; exit 2; }
    for tool in nginx curl wget ab tcpdump ethtool unshare nsenter ip; do
        command -v "$tool" >/dev/null || { echo "$0: needs $tool" >&2; exit 3; }
    done
    out=$(realpath -m "$1")
    SYNACK_IN_NETNS=1 exec unshare --net -- "$0" "$mix" "$out" "${2:-100}"
fi

mix=$1
out=$2
gets=$3
server=192.0.2.1
client=198.51.100.7
[[ $mix == mutation ]] && client=192.0.2.2
work=$(mktemp -d /tmp/synack-capture.XXXXXX)
cleanup() {
    for pid in ${dump:-} ${web:-} ${holder:-}; do
        kill "$pid" 2>/dev/null || true
        wait "$pid" 2>/dev/null || true
    done
    rm -rf "$work"
}
trap cleanup EXIT

# The server gets a namespace of its own (anonymous too: a child process
# holds it), joined to this one by a veth pair with checksum offload off, so
# the capture holds the checksums the stacks computed.
ip link set lo up
unshare --net sleep 1000000 &
holder=$!
sleep 0.1
ip link add veth-client type veth peer name veth-server
ip link set veth-server netns "$holder"
ip addr add "$client/24" dev veth-client
ip link set veth-client up
ip route add "$server/32" dev veth-client
ethtool -K veth-client tx off rx off tso off gso off gro off >/dev/null
in_server() { nsenter --net="/proc/$holder/ns/net" -- "$@"; }
in_server ip link set lo up
in_server ip addr add "$server/24" dev veth-server
in_server ip link set veth-server up
in_server ip route add "$client/32" dev veth-server
in_server ethtool -K veth-server tx off rx off tso off gso off gro off >/dev/null

mkdir -p "$work/www"
echo "hello from nginx" >"$work/www/small.txt"
head -c 262144 /dev/zero | tr '\0' 'x' >"$work/www/big.bin"
head -c 8388608 /dev/zero | tr '\0' 'y' >"$work/www/huge.bin"
head -c 6000 /dev/zero | tr '\0' a >"$work/www/small"
head -c 12000 /dev/zero | tr '\0' b >"$work/www/medium"
head -c 2000000 /dev/zero | tr '\0' c >"$work/www/big"
cat >"$work/nginx.conf" <<CONF
daemon off;
master_process off;
worker_processes 1;
pid $work/nginx.pid;
error_log stderr warn;
events { worker_connections 256; }
http {
    access_log off;
    server_tokens off;
    keepalive_requests 1000;
    keepalive_timeout 5s;
    client_body_temp_path $work/body;
    server {
        listen $server:80;
        root $work/www;
        # Slow enough that the aborted downloads stop mid-way.
        location = /huge.bin { limit_rate 2m; }
    }
}
CONF
# nsenter execs nginx: $! is nginx itself, which cleanup ends.
nsenter --net="/proc/$holder/ns/net" -- nginx -c "$work/nginx.conf" -p "$work" &
web=$!

tcpdump -i veth-client -w "$out" --immediate-mode -B 65536 -U -Z root -s 0 'tcp' 2>"$work/tcpdump.log" &
dump=$!
# Ready when both listen: nginx on :80 (asked from inside the server's
# namespace, so the probe is not in the capture), tcpdump has its socket.
for _ in $(seq 100); do
    if in_server curl -s -o /dev/null "http://$server/small.txt" 2>/dev/null \
        && grep -q "listening on" "$work/tcpdump.log"; then
        break
    fi
    sleep 0.05
done

c=(curl -s -o /dev/null --interface "$client")
if [[ $mix == judge ]]; then
    for _ in $(seq "$gets"); do "${c[@]}" "http://$server/small.txt"; done
    ab -q -k -n 100 -c 4 -B "$client" "http://$server/small.txt" >/dev/null
    ab -q -n 100 -c 4 -B "$client" "http://$server/small.txt" >/dev/null
    for _ in 1 2; do
        wget -q -O /dev/null --bind-address="$client" "http://$server/big.bin"
    done
    for _ in 1 2 3; do
        "${c[@]}" --limit-rate 50k --max-time 0.3 "http://$server/huge.bin" || true
    done
    for _ in 1 2 3; do "${c[@]}" "http://$server:81/" || true; done
else
    "${c[@]}" "http://$server/small"
    "${c[@]}" "http://$server/medium"
    wget -q -O /dev/null --bind-address="$client" "http://$server/medium"
    ab -q -k -n 3 -c 1 -B "$client" "http://$server/small" >/dev/null
    # The client stops reading and closes with data unread.
    "${c[@]}" --limit-rate 20k --max-time 1 "http://$server/big" || true
    "${c[@]}" "http://$server:81/" || true
fi
sleep 0.5
kill -INT "$dump"
wait "$dump" || true
dump=
grep -E 'captured|dropped by kernel' "$work/tcpdump.log" | sed "s|^|$out: |"
# A capture with holes would show the stacks misbehaving where they did not.
if ! grep -q '^0 packets dropped by kernel' "$work/tcpdump.log"; then
    echo "$0: tcpdump dropped packets: the capture has holes; run it again" >&2
    exit 3
fi
