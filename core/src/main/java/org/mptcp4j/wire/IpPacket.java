package org.mptcp4j.wire;

import java.nio.ByteBuffer;

/**
 * A decoded IP packet: its header values and its payload (for TCP, the segment's bytes), a
 * read-only view that shares the decoded buffer's memory.
 */
public record IpPacket(IpHeader header, ByteBuffer payload) {}
