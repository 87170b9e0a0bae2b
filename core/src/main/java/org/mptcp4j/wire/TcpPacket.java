package org.mptcp4j.wire;

/** An IP packet carrying a TCP segment, both decoded. */
public record TcpPacket(IpHeader ip, TcpSegment tcp) {}
