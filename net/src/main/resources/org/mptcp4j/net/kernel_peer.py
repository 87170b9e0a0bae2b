#!/usr/bin/env python3
"""The Linux kernel's side of mptcp4j interop tests and measurements.

server: listen, accept one connection, read to EOF (hashing), optionally send bytes back, close.
client: connect, send bytes (hashing), shutdown(SHUT_WR), read to EOF (hashing), close.
--duplex: both ends send and receive at the same time (the sender shuts down its write side after
--send bytes while a second thread reads to EOF), so the two directions of one connection overlap.
--hold (with --duplex and --expect BYTES): once all is sent and BYTES received, print "HOLDING" and
wait for a line on stdin before shutting down, so that `ss` can read the live subflows' final counters.
--received-file PATH also writes the bytes read to PATH, so that a stream whose SHA-256 differs can be
compared with what was sent and with a capture.
--mptcp opens the socket with IPPROTO_MPTCP (262); --abort closes with SO_LINGER 0 (RST) instead of
FIN after the transfer; --no-hash skips SHA-256 (for measurements); --duration S stops sending after S seconds (--send is then a maximum).
"received_seconds" is the time from the first to the last byte received (goodput at the receiver);
"connection_cpu_user_seconds"/"connection_cpu_system_seconds" the process's CPU from connection set-up to the end. Prints one JSON line with counts, SHA-256 and elapsed seconds; the server
prints "LISTENING <port>" first, once it accepts connections.
"""
import argparse, hashlib, json, os, resource, socket, struct, sys, threading, time

IPPROTO_MPTCP = 262
ARGS = None
CHUNK = 256 * 1024


def pattern(seed):
    # A fixed 1 MiB block derived from the seed: cheap to send at line rate, still not all zeros.
    block = bytearray()
    h = hashlib.sha256(str(seed).encode()).digest()
    while len(block) < 1 << 20:
        h = hashlib.sha256(h).digest()
        block += h * 64
    return bytes(block[: 1 << 20])


class NoDigest:
    """--no-hash: measure the network, not SHA-256."""

    def update(self, data):
        pass

    def hexdigest(self):
        return "not computed"


def new_digest():
    return NoDigest() if ARGS.no_hash else hashlib.sha256()


def send_bytes(sock, count, seed):
    block = memoryview(pattern(seed))
    digest = new_digest()
    sent = 0
    deadline = time.monotonic() + ARGS.duration if ARGS.duration else None
    while sent < count and (deadline is None or time.monotonic() < deadline):
        n = min(len(block), count - sent)
        chunk = block[:n]
        sock.sendall(chunk)
        digest.update(chunk)
        sent += n
    return sent, digest.hexdigest()


RECEIVE_SPAN = [0.0]


def receive_all(sock, progress=None):
    digest = new_digest()
    total = 0
    buf = bytearray(CHUNK)
    view = memoryview(buf)
    first = last = None
    kept = open(ARGS.received_file, "wb") if ARGS.received_file else None
    while True:
        n = sock.recv_into(buf)
        if n == 0:
            RECEIVE_SPAN[0] = (last - first) if first is not None else 0.0
            if kept:
                kept.close()
            return total, digest.hexdigest()
        last = time.monotonic()
        if first is None:
            first = last
        digest.update(view[:n])
        if kept:
            kept.write(view[:n])
        total += n
        if progress:
            progress(total)


def duplex(sock, args, result):
    """Sends --send bytes and then SHUT_WR, while another thread reads to EOF; fills result."""
    got = {}
    expected = threading.Event()
    if args.expect <= 0:
        expected.set()

    def progress(total):
        if total >= args.expect:
            expected.set()

    def reader():
        try:
            got["received"], got["received_sha256"] = receive_all(sock, progress)
            got["received_seconds"] = RECEIVE_SPAN[0]
        except (ConnectionResetError, BrokenPipeError):
            got["error"] = "reset"
        expected.set()

    t = threading.Thread(target=reader)
    t.start()
    result["sent"], result["sent_sha256"] = send_bytes(sock, args.send, args.seed)
    if args.hold:
        expected.wait()
        print("HOLDING", flush=True)
        sys.stdin.readline()
    sock.shutdown(socket.SHUT_WR)
    t.join()
    result.update(got)


def cpu_seconds():
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def connection_cpu(result, before):
    """The process's user and system CPU since `before` (taken when the connection was set up), so
    that the interpreter's start-up does not count; system time is the kernel's work done in this
    process's context (socket calls, and softirq processing that happened to run on its CPU)."""
    r = resource.getrusage(resource.RUSAGE_SELF)
    result["connection_cpu_user_seconds"] = r.ru_utime - before.ru_utime
    result["connection_cpu_system_seconds"] = r.ru_stime - before.ru_stime


def make_socket(args, family):
    proto = IPPROTO_MPTCP if args.mptcp else 0
    sock = socket.socket(family, socket.SOCK_STREAM, proto)
    if args.cc != "default":
        # Per socket, so the host's default (BBR on some machines) does not decide what the
        # reference measures; as root any loaded algorithm may be set. Accepted sockets inherit it.
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_CONGESTION, args.cc.encode())
    return sock


def finish(sock, args):
    if args.abort:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    sock.close()


def server(args):
    family = socket.AF_INET6 if ":" in args.bind else socket.AF_INET
    ls = make_socket(args, family)
    ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    ls.bind((args.bind, args.port))
    ls.listen(8)
    print("LISTENING %d" % ls.getsockname()[1], flush=True)
    ls.settimeout(args.timeout)
    conn, peer = ls.accept()
    conn.settimeout(args.timeout)
    start = time.monotonic()
    cpu_before = resource.getrusage(resource.RUSAGE_SELF)
    result = {"peer": "%s:%d" % peer[:2]}
    if args.abort_after_receive is not None:
        got = 0
        while got < args.abort_after_receive:
            n = len(conn.recv(CHUNK))
            if n == 0:
                break
            got += n
        result["received"] = got
        args.abort = True
    elif args.duplex:
        try:
            duplex(conn, args, result)
        except (ConnectionResetError, BrokenPipeError):
            result["error"] = "reset"
    else:
        try:
            result["received"], result["received_sha256"] = receive_all(conn)
            result["received_seconds"] = RECEIVE_SPAN[0]
            if args.send:
                result["sent"], result["sent_sha256"] = send_bytes(conn, args.send, args.seed)
        except (ConnectionResetError, BrokenPipeError):
            result["error"] = "reset"
    result["seconds"] = time.monotonic() - start
    result["cpu_seconds"] = cpu_seconds()
    connection_cpu(result, cpu_before)
    finish(conn, args)
    ls.close()
    print(json.dumps(result), flush=True)


def client(args):
    family = socket.AF_INET6 if ":" in args.connect else socket.AF_INET
    s = make_socket(args, family)
    if args.bind:
        s.bind((args.bind, 0))
    s.settimeout(args.timeout)
    start = time.monotonic()
    result = {}
    try:
        s.connect((args.connect, args.port))
    except ConnectionRefusedError:
        print(json.dumps({"error": "refused"}), flush=True)
        return
    cpu_before = resource.getrusage(resource.RUSAGE_SELF)
    try:
        if args.duplex:
            duplex(s, args, result)
        else:
            result["sent"], result["sent_sha256"] = send_bytes(s, args.send, args.seed)
            if args.abort:
                finish(s, args)
                result["seconds"] = time.monotonic() - start
                print(json.dumps(result), flush=True)
                return
            s.shutdown(socket.SHUT_WR)
            result["received"], result["received_sha256"] = receive_all(s)
            result["received_seconds"] = RECEIVE_SPAN[0]
    except (ConnectionResetError, BrokenPipeError):
        result["error"] = "reset"
    result["seconds"] = time.monotonic() - start
    result["cpu_seconds"] = cpu_seconds()
    connection_cpu(result, cpu_before)
    finish(s, args)
    print(json.dumps(result), flush=True)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("mode", choices=["server", "client"])
    p.add_argument("--bind", default="")
    p.add_argument("--connect")
    p.add_argument("--port", type=int, default=0)
    p.add_argument("--send", type=int, default=0)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--mptcp", action="store_true")
    p.add_argument("--abort", action="store_true")
    p.add_argument("--duplex", action="store_true")
    p.add_argument("--expect", type=int, default=0)
    p.add_argument("--hold", action="store_true")
    p.add_argument("--abort-after-receive", type=int)
    p.add_argument("--timeout", type=float, default=60.0)
    p.add_argument("--no-hash", action="store_true")
    p.add_argument("--duration", type=float, default=0.0)
    p.add_argument("--received-file")
    p.add_argument("--cc", default=os.environ.get("MPTCP4J_KERNEL_CC", "cubic"),
                   help="congestion control of the kernel socket (default: $MPTCP4J_KERNEL_CC, else Linux's "
                        "default cubic); 'default' keeps the host's")
    args = p.parse_args()
    global ARGS
    ARGS = args
    if args.mode == "server":
        server(args)
    else:
        client(args)


if __name__ == "__main__":
    main()
