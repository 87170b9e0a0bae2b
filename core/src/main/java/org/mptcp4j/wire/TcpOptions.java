package org.mptcp4j.wire;

import java.nio.ByteBuffer;
import java.util.List;
import org.mptcp4j.mib.MibCounter;

/**
 * The TCP option space (RFC 9293 section 3.2) to and from {@link TcpOption} values.
 *
 * <p>Layout on encode follows Linux ({@code tcp_options_write}, {@code mptcp_write_options}) so
 * that segments this codec writes are byte-identical to a kernel's: MSS 4-aligned; SACK-permitted
 * directly before timestamps as {@code 04 02 08 0a} or else NOP-NOP-aligned; timestamps and SACK
 * blocks after NOPs at offset 2 mod 4; window scale after one NOP; MPTCP options 4-aligned with
 * trailing NOPs. Unknown options are written tight. The space is padded to a multiple of 4 with EOL.
 *
 * <p>On decode, EOL ends the list and NOPs are skipped. An option of a known kind but a wrong length
 * is kept as {@link TcpOption.Unknown} (Linux ignores it); an MPTCP option its codec refuses is kept
 * as {@code Unknown} of kind 30 (Linux ignores it and so does the receiver, counting
 * {@link MibCounter#MPTCP_OPTION_MALFORMED}). An option whose length byte is missing, below 2 or
 * runs past the header makes the whole space malformed.
 */
public final class TcpOptions {
    private TcpOptions() {}

    /** The most option bytes a TCP header holds (data offset 15 words minus the 20-byte header). */
    public static final int MAX_SPACE = 40;

    /** Bytes a SACK option of {@code blocks} blocks takes after TCP's own options, alignment included. */
    public static int sackLength(int blocks) {
        return SACK_LENGTH[blocks];
    }

    private static final int[] SACK_LENGTH = new int[5];

    static {
        for (int n = 1; n <= 4; n++) {
            SACK_LENGTH[n] = layoutLength(List.of(new TcpOption.Sack(java.util.Collections.nCopies(n, new TcpOption.SackBlock(0, 1)))));
        }
    }

    /** Bytes the options take with alignment padding, a multiple of 4 (may exceed {@link #MAX_SPACE}). */
    public static int layoutLength(List<TcpOption> options) {
        return layout(options, null, 0, 0);
    }

    /** Writes the options with padding at absolute index {@code at} of {@code out}; returns the bytes written. */
    public static int write(List<TcpOption> options, ByteBuffer out, int at) {
        return layout(options, out, at, Integer.MAX_VALUE);
    }

    /**
     * Lays the options out once: returns their padded length as {@link #layoutLength(List)} does and
     * writes them at {@code at} as {@link #write} does, provided they fit in {@code maxBytes}; when
     * they do not, what lies beyond {@code at + maxBytes} is left untouched and the caller refuses
     * the options by the length returned.
     */
    static int layoutLength(List<TcpOption> options, ByteBuffer out, int at, int maxBytes) {
        return layout(options, out, at, maxBytes);
    }

    /** One pass: the padded length, and with {@code out} the bytes, written only where they end within {@code limit}. */
    private static int layout(List<TcpOption> options, ByteBuffer out, int at, int limit) {
        int p = 0;
        for (int i = 0; i < options.size(); i++) {
            p = layOne(options.get(i), i + 1 < options.size() ? options.get(i + 1) : null, out, at, p, limit);
        }
        return pad(out, at, p, -p & 3, TcpOption.KIND_EOL, limit);
    }

    /**
     * Writes the options of {@code s} at absolute index {@code at} of {@code out}, padded, as
     * {@link #write} writes those of {@code s.toSegment()}; returns their padded length, which the
     * caller refuses beyond {@link #MAX_SPACE} (the records are then written only within it, the
     * fields in full).
     */
    static int write(OutgoingSegment s, ByteBuffer out, int at) {
        int p = 0;
        if (s.timestamps) {
            p = pad(out, at, p, (TIMESTAMPS_ALIGNMENT - p) & 3, TcpOption.KIND_NOP, MAX_SPACE);
            putTimestamps(out, at + p, s.tsVal, s.tsEcr);
            p += TIMESTAMPS_LENGTH;
        }
        if (!s.sackBlocks.isEmpty()) {
            p = pad(out, at, p, (SACK_ALIGNMENT - p) & 3, TcpOption.KIND_NOP, MAX_SPACE);
            p += putSack(out, at + p, s.sackBlocks);
        }
        if (s.dssFlags != 0) {
            p = pad(out, at, p, -p & 3, TcpOption.KIND_NOP, MAX_SPACE); // MPTCP options are 4-aligned
            p += MptcpOptionCodec.writeDss(out, at + p, s.dssFlags, s.dataAck, s.dsn, s.subflowSeq, s.dataLevelLength,
                    s.dssChecksum, s.dssChecksumValue);
            p = pad(out, at, p, -p & 3, TcpOption.KIND_NOP, MAX_SPACE);
        }
        for (int i = 0; i < s.recordCount; i++) {
            p = layOne(s.records[i], i + 1 < s.recordCount ? s.records[i + 1] : null, out, at, p, MAX_SPACE);
        }
        return pad(out, at, p, -p & 3, TcpOption.KIND_EOL, MAX_SPACE);
    }

    /** Where the timestamps option starts: 2 mod 4, after two NOPs (Linux {@code tcp_options_write}). */
    private static final int TIMESTAMPS_ALIGNMENT = 2;
    /** Where the SACK option starts: 2 mod 4, after two NOPs. */
    private static final int SACK_ALIGNMENT = 2;
    private static final int TIMESTAMPS_LENGTH = 10;

    /**
     * Lays out {@code o}, followed by {@code next} (or null), from offset {@code p} of the option
     * space: its alignment padding before it, the option, and for an MPTCP option the padding
     * after it; returns the offset after them.
     */
    private static int layOne(TcpOption o, TcpOption next, ByteBuffer out, int at, int p, int limit) {
        int align = switch (o) {
            case TcpOption.Mss m -> 0;
            case TcpOption.WindowScale w -> 1;
            case TcpOption.SackPermitted s -> next instanceof TcpOption.Timestamps ? 0 : 2;
            case TcpOption.Timestamps t -> TIMESTAMPS_ALIGNMENT;
            case TcpOption.Sack s -> SACK_ALIGNMENT;
            case MptcpOption m -> 0;
            case TcpOption.Unknown u -> -1;
        };
        if (align >= 0) {
            p = pad(out, at, p, (align - p) & 3, TcpOption.KIND_NOP, limit);
        }
        int len = o.encodedLength();
        if (out != null && p + len <= limit) {
            writeOne(o, out, at + p);
        }
        p += len;
        if (o instanceof MptcpOption) {
            p = pad(out, at, p, -p & 3, TcpOption.KIND_NOP, limit);
        }
        return p;
    }

    private static int pad(ByteBuffer out, int at, int p, int count, int kind, int limit) {
        if (out != null && p + count <= limit) {
            for (int k = 0; k < count; k++) {
                out.put(at + p + k, (byte) kind);
            }
        }
        return p + count;
    }

    private static void writeOne(TcpOption o, ByteBuffer out, int q) {
        switch (o) {
            case TcpOption.Mss m -> {
                out.put(q, (byte) TcpOption.KIND_MSS).put(q + 1, (byte) 4).putShort(q + 2, (short) m.mss());
            }
            case TcpOption.WindowScale w -> {
                out.put(q, (byte) TcpOption.KIND_WINDOW_SCALE).put(q + 1, (byte) 3).put(q + 2, (byte) w.shift());
            }
            case TcpOption.SackPermitted s -> out.put(q, (byte) TcpOption.KIND_SACK_PERMITTED).put(q + 1, (byte) 2);
            case TcpOption.Timestamps t -> {
                putTimestamps(out, q, t.tsVal(), t.tsEcr());
            }
            case TcpOption.Sack s -> putSack(out, q, s.blocks());
            case MptcpOption m -> MptcpOptionCodec.encodeAt(m, out, q);
            case TcpOption.Unknown u -> {
                if (u.kind() == TcpOption.KIND_EOL || u.kind() == TcpOption.KIND_NOP || u.kind() > 255 || u.kind() < 0) {
                    throw new IllegalArgumentException("option kind " + u.kind() + " cannot carry data");
                }
                if (u.encodedLength() > MAX_SPACE) {
                    throw new IllegalArgumentException("option of " + u.encodedLength() + " bytes exceeds the option space");
                }
                out.put(q, (byte) u.kind()).put(q + 1, (byte) u.encodedLength()).put(q + 2, u.data());
            }
        }
    }

    private static void putTimestamps(ByteBuffer out, int q, int tsVal, int tsEcr) {
        out.put(q, (byte) TcpOption.KIND_TIMESTAMPS).put(q + 1, (byte) TIMESTAMPS_LENGTH).putInt(q + 2, tsVal).putInt(q + 6, tsEcr);
    }

    /** Writes a SACK option of {@code blocks}; returns its length. */
    private static int putSack(ByteBuffer out, int q, List<TcpOption.SackBlock> blocks) {
        if (blocks.isEmpty() || blocks.size() > 4) {
            throw new IllegalArgumentException("SACK carries 1 to 4 blocks, not " + blocks.size());
        }
        int len = 2 + 8 * blocks.size();
        out.put(q, (byte) TcpOption.KIND_SACK).put(q + 1, (byte) len);
        for (int k = 0; k < blocks.size(); k++) {
            out.putInt(q + 2 + 8 * k, blocks.get(k).left()).putInt(q + 6 + 8 * k, blocks.get(k).right());
        }
        return len;
    }

    /**
     * Parses the option space {@code [at, at + length)} of {@code b}. Offsets in a refusal are
     * {@code reportBase} plus the offset in the space.
     */
    public static DecodeResult<List<TcpOption>> parse(ByteBuffer b, int at, int length, int reportBase) {
        List<TcpOption> options = parseOrNull(b, at, length, null);
        return options != null ? DecodeResult.ok(options) : refusal(b, at, length, reportBase);
    }

    /**
     * The options of the space {@code [at, at + length)}, or null when {@link #refusal} refuses
     * it: the codec's path for every segment, which makes no result and no message for a space
     * that parses. With {@code into}, the first timestamps option and the first DSS go there, as
     * fields, instead of into the list.
     */
    static List<TcpOption> parseOrNull(ByteBuffer b, int at, int length, IncomingOptions into) {
        // At most 20 options fit in 40 bytes (2 bytes each); most segments carry one or two, which
        // are held here until the list is made, so that only a third option needs an array.
        TcpOption first = null;
        TcpOption second = null;
        TcpOption[] more = null;
        int count = 0;
        int i = 0;
        while (i < length) {
            int kind = b.get(at + i) & 0xFF;
            if (kind == TcpOption.KIND_EOL) {
                break;
            }
            if (kind == TcpOption.KIND_NOP) {
                i++;
                continue;
            }
            if (i + 1 >= length) {
                return null;
            }
            int olen = b.get(at + i + 1) & 0xFF;
            if (olen < 2 || i + olen > length) {
                return null;
            }
            TcpOption o = one(b, at + i, kind, olen, into);
            if (o == null) { // taken into the holder
                i += olen;
                continue;
            }
            switch (count) {
                case 0 -> first = o;
                case 1 -> second = o;
                default -> {
                    if (more == null) {
                        more = new TcpOption[length / 2];
                        more[0] = first;
                        more[1] = second;
                    }
                    more[count] = o;
                }
            }
            count++;
            i += olen;
        }
        // Immutable lists, which TcpSegment keeps without copying; up to two in a list that holds no array.
        return switch (count) {
            case 0 -> List.of();
            case 1 -> List.of(first);
            case 2 -> List.of(first, second);
            default -> List.of(java.util.Arrays.copyOf(more, count));
        };
    }

    /**
     * Why the option space {@code [at, at + length)} is malformed, or null when it is not: an option
     * whose length byte is missing, below 2, or runs past the header. The same walk as
     * {@link #parseOrNull}, which returns null exactly when this does not.
     */
    static <T> DecodeResult.Malformed<T> refusal(ByteBuffer b, int at, int length, int reportBase) {
        int i = 0;
        while (i < length) {
            int kind = b.get(at + i) & 0xFF;
            if (kind == TcpOption.KIND_EOL) {
                break;
            }
            if (kind == TcpOption.KIND_NOP) {
                i++;
                continue;
            }
            if (i + 1 >= length) {
                return new DecodeResult.Malformed<>(reportBase + i, "option kind " + kind + " has no length byte", MibCounter.TCP_OPTION_MALFORMED);
            }
            int olen = b.get(at + i + 1) & 0xFF;
            if (olen < 2) {
                return new DecodeResult.Malformed<>(reportBase + i + 1, "option kind " + kind + " has length " + olen,
                        MibCounter.TCP_OPTION_MALFORMED);
            }
            if (i + olen > length) {
                return new DecodeResult.Malformed<>(reportBase + i + 1, "option kind " + kind + " of length " + olen + " runs past the header",
                        MibCounter.TCP_OPTION_MALFORMED);
            }
            i += olen;
        }
        return null;
    }

    /** The option at {@code q} as a record, or null when {@code into} (if given) takes it as fields. */
    private static TcpOption one(ByteBuffer b, int q, int kind, int olen, IncomingOptions into) {
        switch (kind) {
            case TcpOption.KIND_MSS -> {
                if (olen == 4) {
                    return new TcpOption.Mss(b.getShort(q + 2) & 0xFFFF);
                }
            }
            case TcpOption.KIND_WINDOW_SCALE -> {
                if (olen == 3) {
                    return new TcpOption.WindowScale(b.get(q + 2) & 0xFF);
                }
            }
            case TcpOption.KIND_SACK_PERMITTED -> {
                if (olen == 2) {
                    return new TcpOption.SackPermitted();
                }
            }
            case TcpOption.KIND_TIMESTAMPS -> {
                if (olen == 10) {
                    int tsVal = b.getInt(q + 2);
                    int tsEcr = b.getInt(q + 6);
                    if (into != null && !into.timestamps) {
                        into.timestamps(tsVal, tsEcr);
                        return null;
                    }
                    return new TcpOption.Timestamps(tsVal, tsEcr);
                }
            }
            case TcpOption.KIND_SACK -> {
                int n = (olen - 2) / 8;
                if ((olen - 2) % 8 == 0 && n >= 1 && n <= 4) {
                    TcpOption.SackBlock[] blocks = new TcpOption.SackBlock[n];
                    for (int k = 0; k < n; k++) {
                        blocks[k] = new TcpOption.SackBlock(b.getInt(q + 2 + 8 * k), b.getInt(q + 6 + 8 * k));
                    }
                    return new TcpOption.Sack(List.of(blocks)); // immutable: kept without a copy
                }
            }
            case TcpOption.KIND_MPTCP -> {
                if (into != null && !into.dss && olen >= 3 && (b.get(q + 2) & 0xFF) >>> 4 == MptcpOption.SUBTYPE_DSS
                        && MptcpOptionCodec.readDss(b, q, olen, into)) {
                    return null;
                }
                MptcpOption m = MptcpOptionCodec.decodeOrNull(b, q, olen);
                if (m != null) {
                    return m;
                }
            }
            default -> { }
        }
        byte[] data = new byte[olen - 2];
        b.get(q + 2, data);
        return new TcpOption.Unknown(kind, data);
    }
}
