#!/usr/bin/env bash
# The same iperf3 client (mptcpize'd, in the testbed's kernel namespace) measures, alternately and in
# the same run, mptcp4j's iperf3 server (./mptcp4j perf -s on the testbed's TUN, 198.18.1.1) and the
# kernel's MPTCP iperf3 server (the router's kernel in the mptcp4j namespace, 198.18.1.254, over the
# very same two paths). Each test: one stream, SECONDS long, forward and reverse (-R); the kernel
# client joins a second subflow from its path-B address to either server. Prints each test's
# goodput at the receiver (iperf3's end.sum_received) and, per direction, the medians and their ratio.
# Both servers announce their path-B address (the router's kernel has the testbed's 'signal subflow'
# endpoint 198.18.2.254; mptcp4j gets --endpoint 198.18.2.1,signal), so the client opens the same
# subflows to either. mptcp4j's server is one JVM for all rounds, as a server that stays up.
#
# Usage (as root, a testbed up): bench/scripts/iperf3-vs-kernel.sh TESTBED_ID [ROUNDS=3] [SECONDS=10]
set -euo pipefail
id=${1:?testbed id}; rounds=${2:-3}; seconds=${3:-10}
root=$(cd "$(dirname "$0")/../.." && pwd)
k=kernel-$id; m=mptcp4j-$id
out=$(mktemp -d)
"$root/mptcp4j" perf --testbed "$id" -s -p 5402 -i 0 --endpoint 198.18.2.1,signal > "$out/mptcp4j-server.txt" 2>&1 &
server=$!
trap 'kill $server 2>/dev/null; wait $server 2>/dev/null || true; rm -rf "$out"' EXIT
until grep -q "Server listening" "$out/mptcp4j-server.txt"; do
  kill -0 $server 2>/dev/null || { cat "$out/mptcp4j-server.txt"; exit 1; }
  sleep 0.2
done

measure() { # server-address port [-R]
  ip netns exec "$k" mptcpize run iperf3 -c "$1" -p "$2" -t "$seconds" -J ${3:-} > "$out/c.json"
  python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
if "error" in d:
    sys.exit("iperf3 -c " + sys.argv[2] + ": " + d["error"])
print("%.0f" % (d["end"]["sum_received"]["bits_per_second"] / 1e6))' "$out/c.json" "$1"
}

printf '%-6s %-8s %14s %14s\n' round dir "mptcp4j Mb/s" "kernel Mb/s"
for r in $(seq "$rounds"); do
  for dir in "" "-R"; do
    ip netns exec "$m" mptcpize run iperf3 -s -1 -B 198.18.1.254 -p 5401 > /dev/null 2>&1 &
    until ip netns exec "$m" ss -Hltn 'sport = :5401' | grep -q .; do sleep 0.05; done
    kern=$(measure 198.18.1.254 5401 "$dir")
    ours=$(measure 198.18.1.1 5402 "$dir")
    name=${dir:-fwd}; name=${name/-R/reverse}
    printf '%-6s %-8s %14s %14s\n' "$r" "$name" "$ours" "$kern"
    echo "$name $ours $kern" >> "$out/rows"
  done
done
python3 - "$out/rows" <<'PY'
import statistics, sys
rows = [l.split() for l in open(sys.argv[1])]
for d in ("fwd", "reverse"):
    o = statistics.median(float(r[1]) for r in rows if r[0] == d)
    k = statistics.median(float(r[2]) for r in rows if r[0] == d)
    what = "client -> server" if d == "fwd" else "server -> client (-R)"
    print(f"median {what}: mptcp4j {o:.0f} Mb/s, kernel {k:.0f} Mb/s, ratio {o / k:.2f}")
PY
