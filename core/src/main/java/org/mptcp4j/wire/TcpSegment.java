package org.mptcp4j.wire;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A TCP segment as values (smoltcp's "Repr"): header fields, options in wire order, and payload.
 * The codec builds it from bytes and writes it back; the TCP machine reads and creates it.
 *
 * @param seq, ack 32-bit sequence numbers, compared only through {@link org.mptcp4j.base.Seq32}
 * @param flags bit set of {@link TcpFlags}
 * @param window the raw 16-bit window field (unscaled)
 * @param options options in the order they appear; EOL/NOP padding is not represented
 * @param payload the data, a read-only buffer from position to limit
 */
public record TcpSegment(int srcPort, int dstPort, int seq, int ack, int flags, int window, int urgentPointer,
        List<TcpOption> options, ByteBuffer payload) {

    public static final ByteBuffer EMPTY = ByteBuffer.allocate(0).asReadOnlyBuffer();

    public TcpSegment {
        options = List.copyOf(options);
        payload = payload.isReadOnly() ? payload : payload.asReadOnlyBuffer();
    }

    public boolean has(int flag) {
        return (flags & flag) != 0;
    }

    public int payloadLength() {
        return payload.remaining();
    }

    /** Sequence space the segment occupies: payload plus one for SYN and one for FIN (RFC 9293 3.4). */
    public int segmentLength() {
        return payload.remaining() + (has(TcpFlags.SYN) ? 1 : 0) + (has(TcpFlags.FIN) ? 1 : 0);
    }

    /** The first option of the given type, if any. */
    public <T extends TcpOption> Optional<T> option(Class<T> type) {
        for (TcpOption o : options) {
            if (type.isInstance(o)) {
                return Optional.of(type.cast(o));
            }
        }
        return Optional.empty();
    }

    /** All MPTCP options, in order (a segment may carry several, e.g. DSS and ADD_ADDR). */
    public List<MptcpOption> mptcpOptions() {
        List<MptcpOption> out = new ArrayList<>(2);
        for (TcpOption o : options) {
            if (o instanceof MptcpOption m) {
                out.add(m);
            }
        }
        return out;
    }

    public TcpSegment withSeq(int newSeq) {
        return new TcpSegment(srcPort, dstPort, newSeq, ack, flags, window, urgentPointer, options, payload);
    }

    public TcpSegment withAck(int newAck) {
        return new TcpSegment(srcPort, dstPort, seq, newAck, flags, window, urgentPointer, options, payload);
    }

    public TcpSegment withFlags(int newFlags) {
        return new TcpSegment(srcPort, dstPort, seq, ack, newFlags, window, urgentPointer, options, payload);
    }

    public TcpSegment withWindow(int newWindow) {
        return new TcpSegment(srcPort, dstPort, seq, ack, flags, newWindow, urgentPointer, options, payload);
    }

    public TcpSegment withOptions(List<TcpOption> newOptions) {
        return new TcpSegment(srcPort, dstPort, seq, ack, flags, window, urgentPointer, newOptions, payload);
    }

    public TcpSegment withPayload(ByteBuffer newPayload) {
        return new TcpSegment(srcPort, dstPort, seq, ack, flags, window, urgentPointer, options, newPayload);
    }

    @Override
    public String toString() {
        return srcPort + "->" + dstPort + " " + TcpFlags.toString(flags) + " seq=" + Integer.toUnsignedString(seq)
                + " ack=" + Integer.toUnsignedString(ack) + " win=" + window + " len=" + payload.remaining()
                + (options.isEmpty() ? "" : " " + options);
    }
}
