#!/usr/bin/env python3
"""Adds an MPTCP endpoint through Linux's generic netlink family "mptcp_pm" (MPTCP_PM_CMD_ADD_ADDR),
with flags iproute2 may not know yet (laminar: Linux 6.18; iproute2 6.1 cannot set it).

    mptcp_endpoint.py ADDRESS FLAGS [--id N] [--dev NAME] [--port P]

FLAGS is the numeric MPTCP_PM_ADDR_FLAG_* mask of include/uapi/linux/mptcp.h (signal 1, subflow 2,
backup 4, fullmesh 8, laminar 32). Exits 0 when the kernel acknowledged the endpoint, else prints
the kernel's error and exits 1.
"""
import argparse
import ipaddress
import os
import socket
import struct
import sys

NETLINK_GENERIC = 16
GENL_ID_CTRL = 0x10
CTRL_CMD_GETFAMILY = 3
CTRL_ATTR_FAMILY_ID = 1
CTRL_ATTR_FAMILY_NAME = 2
NLM_F_REQUEST = 1
NLM_F_ACK = 4
NLMSG_ERROR = 2
NLA_F_NESTED = 0x8000

MPTCP_PM_VER = 1
MPTCP_PM_CMD_ADD_ADDR = 1
MPTCP_PM_ATTR_ADDR = 1
ADDR_ATTR_FAMILY, ADDR_ATTR_ID, ADDR_ATTR_ADDR4, ADDR_ATTR_ADDR6 = 1, 2, 3, 4
ADDR_ATTR_PORT, ADDR_ATTR_FLAGS, ADDR_ATTR_IF_IDX = 5, 6, 7


def attr(kind, payload):
    length = 4 + len(payload)
    return struct.pack("=HH", length, kind) + payload + b"\0" * (-length % 4)


def attrs(data):
    """The (type, payload) pairs of a run of netlink attributes."""
    out = []
    while len(data) >= 4:
        length, kind = struct.unpack_from("=HH", data)
        if length < 4:
            break
        out.append((kind & ~NLA_F_NESTED, data[4:length]))
        data = data[(length + 3) & ~3:]
    return out


def request(sock, family, cmd, version, payload, seq):
    """Sends one generic netlink request with an ACK asked for; returns the reply messages' payloads."""
    body = struct.pack("=BBH", cmd, version, 0) + payload
    sock.send(struct.pack("=IHHII", 16 + len(body), family, NLM_F_REQUEST | NLM_F_ACK, seq, 0) + body)
    replies = []
    while True:
        data = sock.recv(65536)
        while len(data) >= 16:
            length, kind, _flags, rseq, _pid = struct.unpack_from("=IHHII", data)
            message = data[16:length]
            data = data[(length + 3) & ~3:]
            if rseq != seq:
                continue
            if kind == NLMSG_ERROR:
                error = struct.unpack_from("=i", message)[0]
                if error != 0:
                    raise OSError(-error, os.strerror(-error))
                return replies
            replies.append(message[4:])  # past the genlmsghdr


def main():
    p = argparse.ArgumentParser()
    p.add_argument("address")
    p.add_argument("flags", type=int)
    p.add_argument("--id", type=int, default=0)
    p.add_argument("--dev")
    p.add_argument("--port", type=int, default=0)
    a = p.parse_args()

    sock = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, NETLINK_GENERIC)
    sock.bind((0, 0))
    family = None
    for reply in request(sock, GENL_ID_CTRL, CTRL_CMD_GETFAMILY, 1,
                         attr(CTRL_ATTR_FAMILY_NAME, b"mptcp_pm\0"), 1):
        for kind, value in attrs(reply):
            if kind == CTRL_ATTR_FAMILY_ID:
                family = struct.unpack_from("=H", value)[0]
    if family is None:
        print("no mptcp_pm generic netlink family", file=sys.stderr)
        return 1

    ip = ipaddress.ip_address(a.address)
    inner = attr(ADDR_ATTR_FAMILY, struct.pack("=H", socket.AF_INET if ip.version == 4 else socket.AF_INET6))
    inner += attr(ADDR_ATTR_ADDR4 if ip.version == 4 else ADDR_ATTR_ADDR6, ip.packed)
    inner += attr(ADDR_ATTR_FLAGS, struct.pack("=I", a.flags))
    if a.id:
        inner += attr(ADDR_ATTR_ID, struct.pack("=B", a.id))
    if a.port:
        inner += attr(ADDR_ATTR_PORT, struct.pack("=H", a.port))
    if a.dev:
        inner += attr(ADDR_ATTR_IF_IDX, struct.pack("=i", socket.if_nametoindex(a.dev)))
    try:
        request(sock, family, MPTCP_PM_CMD_ADD_ADDR, MPTCP_PM_VER, attr(MPTCP_PM_ATTR_ADDR | NLA_F_NESTED, inner), 2)
    except OSError as e:
        print("MPTCP_PM_CMD_ADD_ADDR %s: %s" % (a.address, e), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
