package org.mptcp4j.pcap;

import java.io.Closeable;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Writes IP packets in the classic libpcap format with link type RAW (101): each record is a bare
 * IPv4 or IPv6 packet, which Wireshark and tshark dissect down to the MPTCP options.
 *
 * <p>The writer never opens a file: the caller passes the stream (a simulator tap, a driver, a
 * test), so the engine stays free of I/O. Timestamps are the caller's nanoseconds, written with
 * nanosecond resolution (magic {@code a1b23c4d}). Not thread-safe; one owner writes.
 */
public final class PcapWriter implements Closeable {
    /** LINKTYPE_RAW: the packet begins with an IPv4 or IPv6 header. */
    public static final int LINKTYPE_RAW = 101;
    static final int MAGIC_NANOS = 0xA1B2_3C4D;
    static final int DEFAULT_SNAPLEN = 262_144;

    private final OutputStream out;
    private final int snapLen;
    private final ByteBuffer header = ByteBuffer.allocate(24).order(ByteOrder.LITTLE_ENDIAN);
    private byte[] scratch = new byte[2048];
    private long packetsWritten;

    public PcapWriter(OutputStream out) throws IOException {
        this(out, DEFAULT_SNAPLEN);
    }

    public PcapWriter(OutputStream out, int snapLen) throws IOException {
        this.out = out;
        this.snapLen = snapLen;
        header.clear();
        header.putInt(MAGIC_NANOS).putShort((short) 2).putShort((short) 4)
                .putInt(0).putInt(0).putInt(snapLen).putInt(LINKTYPE_RAW);
        out.write(header.array(), 0, 24);
    }

    /** Appends one packet: the bytes from {@code packet.position()} to its limit, unchanged. */
    public void write(long timeNanos, ByteBuffer packet) throws IOException {
        int length = packet.remaining();
        int captured = Math.min(length, snapLen);
        if (scratch.length < captured) {
            scratch = new byte[Math.max(captured, scratch.length * 2)];
        }
        packet.get(packet.position(), scratch, 0, captured);
        writeRecordHeader(timeNanos, captured, length);
        out.write(scratch, 0, captured);
        packetsWritten++;
    }

    /** Appends one packet held in {@code bytes[offset, offset + length)}. */
    public void write(long timeNanos, byte[] bytes, int offset, int length) throws IOException {
        int captured = Math.min(length, snapLen);
        writeRecordHeader(timeNanos, captured, length);
        out.write(bytes, offset, captured);
        packetsWritten++;
    }

    private void writeRecordHeader(long timeNanos, int captured, int length) throws IOException {
        long t = Math.max(0, timeNanos);
        header.clear();
        header.putInt((int) (t / 1_000_000_000L)).putInt((int) (t % 1_000_000_000L))
                .putInt(captured).putInt(length);
        out.write(header.array(), 0, 16);
    }

    public long packetsWritten() {
        return packetsWritten;
    }

    public void flush() throws IOException {
        out.flush();
    }

    @Override
    public void close() throws IOException {
        out.close();
    }
}
