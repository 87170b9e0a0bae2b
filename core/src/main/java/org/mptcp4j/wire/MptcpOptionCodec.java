package org.mptcp4j.wire;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.nio.BufferOverflowException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalInt;
import java.util.OptionalLong;
import org.mptcp4j.mib.MibCounter;
import org.mptcp4j.wire.MptcpOption.AddAddr;
import org.mptcp4j.wire.MptcpOption.DataSequenceMapping;
import org.mptcp4j.wire.MptcpOption.Dss;
import org.mptcp4j.wire.MptcpOption.MpCapable;
import org.mptcp4j.wire.MptcpOption.MpFail;
import org.mptcp4j.wire.MptcpOption.MpFastclose;
import org.mptcp4j.wire.MptcpOption.MpJoinAck;
import org.mptcp4j.wire.MptcpOption.MpJoinSyn;
import org.mptcp4j.wire.MptcpOption.MpJoinSynAck;
import org.mptcp4j.wire.MptcpOption.MpPrio;
import org.mptcp4j.wire.MptcpOption.MpTcpRst;
import org.mptcp4j.wire.MptcpOption.RemoveAddr;
import org.mptcp4j.wire.MptcpOption.UnknownSubtype;

/**
 * The MPTCP option (kind 30) to and from bytes, RFC 8684 section 3. Which form of a subtype an
 * option carries follows from its length, as in Linux's {@code mptcp_parse_option}: a length the
 * subtype does not allow is refused ({@link MibCounter#MPTCP_OPTION_MALFORMED}) and the receiver
 * ignores that option. Reserved bits are ignored on decode and sent as zero.
 */
public final class MptcpOptionCodec {
    private MptcpOptionCodec() {}

    /** DSS flag bits (RFC 8684 section 3.3, figure 5). */
    public static final int DSS_DATA_ACK = 0x01;        // A
    public static final int DSS_DATA_ACK_64 = 0x02;     // a
    public static final int DSS_MAPPING = 0x04;         // M
    public static final int DSS_DSN_64 = 0x08;          // m
    public static final int DSS_DATA_FIN = 0x10;        // F

    /**
     * Decodes the option starting at {@code b.position()} (its kind byte); its length byte says how
     * many bytes it has, and they must all lie before the limit. Offsets in a refusal count from
     * the position. The buffer's position does not move.
     */
    public static DecodeResult<MptcpOption> decode(ByteBuffer b) {
        int at = b.position();
        if (b.remaining() < 2) {
            return malformed(0, "MPTCP option shorter than kind and length");
        }
        if ((b.get(at) & 0xFF) != TcpOption.KIND_MPTCP) {
            return malformed(0, "option kind " + (b.get(at) & 0xFF) + " is not MPTCP (30)");
        }
        int len = b.get(at + 1) & 0xFF;
        if (len > b.remaining()) {
            return malformed(1, "MPTCP option length " + len + " runs past the " + b.remaining() + " bytes given");
        }
        return decode(b, at, len, 0);
    }

    /**
     * Decodes the option whose kind byte is at absolute index {@code at}, reading nothing at or past
     * {@code limit} (e.g. the end of the option space); refusal offsets count from {@code at}. For the
     * offsets {@link ParsedOptions#mptcpOtherOffsets} holds.
     */
    public static DecodeResult<MptcpOption> decodeAt(ByteBuffer b, int at, int limit) {
        if (at < 0 || limit > b.limit() || limit - at < 2) {
            return malformed(0, "MPTCP option shorter than kind and length");
        }
        int len = b.get(at + 1) & 0xFF;
        if (len > limit - at) {
            return malformed(1, "MPTCP option length " + len + " runs past the " + (limit - at) + " bytes given");
        }
        return decode(b, at, len, 0);
    }

    /** Decodes the option at absolute index {@code at} of length {@code len} (both checked by the caller). */
    static DecodeResult<MptcpOption> decode(ByteBuffer b, int at, int len, int reportBase) {
        MptcpOption o = decodeOrNull(b, at, len);
        return o != null ? DecodeResult.ok(o) : refusal(b, at, len, reportBase);
    }

    /**
     * The option at absolute index {@code at} of length {@code len} (both checked by the caller), or
     * null when {@link #refusal} refuses it: the option parser's path for every segment, which
     * makes no result and no message for an option that decodes.
     */
    static MptcpOption decodeOrNull(ByteBuffer b, int at, int len) {
        if (len < 3) {
            return null;
        }
        int subtype = (b.get(at + 2) & 0xFF) >>> 4;
        return switch (subtype) {
            case MptcpOption.SUBTYPE_MP_CAPABLE -> mpCapable(b, at, len);
            case MptcpOption.SUBTYPE_MP_JOIN -> mpJoin(b, at, len);
            case MptcpOption.SUBTYPE_DSS -> dss(b, at, len);
            case MptcpOption.SUBTYPE_ADD_ADDR -> addAddr(b, at, len);
            case MptcpOption.SUBTYPE_REMOVE_ADDR -> len >= 4 ? removeAddr(b, at, len) : null;
            case MptcpOption.SUBTYPE_MP_PRIO -> mpPrio(b, at, len);
            case MptcpOption.SUBTYPE_MP_FAIL -> len == 12 ? new MpFail(b.getLong(at + 4)) : null;
            case MptcpOption.SUBTYPE_MP_FASTCLOSE -> len == 12 ? new MpFastclose(b.getLong(at + 4)) : null;
            case MptcpOption.SUBTYPE_MP_TCPRST -> len == 4 ? new MpTcpRst(b.get(at + 2) & 0x0F, b.get(at + 3) & 0xFF) : null;
            default -> {
                byte[] data = new byte[len - 3];
                b.get(at + 3, data);
                yield new UnknownSubtype(subtype, b.get(at + 2) & 0x0F, data);
            }
        };
    }

    /**
     * Why the option at {@code at} of length {@code len} is refused, as {@link #decodeOrNull} found:
     * a length its subtype does not allow, which Linux's {@code mptcp_parse_option} ignores. Only
     * asked about an option {@code decodeOrNull} refused.
     */
    private static DecodeResult<MptcpOption> refusal(ByteBuffer b, int at, int len, int rb) {
        if (len < 3) {
            return malformed(rb + 1, "MPTCP option length " + len + " leaves no subtype");
        }
        int subtype = (b.get(at + 2) & 0xFF) >>> 4;
        return switch (subtype) {
            case MptcpOption.SUBTYPE_MP_CAPABLE -> badLength("MP_CAPABLE", len, rb);
            case MptcpOption.SUBTYPE_MP_JOIN -> badLength("MP_JOIN", len, rb);
            case MptcpOption.SUBTYPE_DSS -> {
                if (len < 4) {
                    yield badLength("DSS", len, rb);
                }
                int flags = b.get(at + 3) & 0xFF;
                int expected = dssLength(flags, false);
                boolean mapping = (flags & DSS_MAPPING) != 0;
                yield malformed(rb + 1, "DSS length " + len + " does not match flags 0x" + Integer.toHexString(flags) + " (expected " + expected
                        + (mapping ? " or " + (expected + 2) : "") + ")");
            }
            case MptcpOption.SUBTYPE_ADD_ADDR -> badLength("ADD_ADDR", len, rb);
            case MptcpOption.SUBTYPE_REMOVE_ADDR -> badLength("REMOVE_ADDR", len, rb);
            case MptcpOption.SUBTYPE_MP_PRIO -> badLength("MP_PRIO", len, rb);
            case MptcpOption.SUBTYPE_MP_FAIL -> badLength("MP_FAIL", len, rb);
            case MptcpOption.SUBTYPE_MP_FASTCLOSE -> badLength("MP_FASTCLOSE", len, rb);
            case MptcpOption.SUBTYPE_MP_TCPRST -> badLength("MP_TCPRST", len, rb);
            default -> throw new AssertionError("an unknown subtype (" + subtype + ") is kept, never refused");
        };
    }

    private static MptcpOption mpCapable(ByteBuffer b, int at, int len) {
        if (len != 4 && len != 12 && len != 20 && len != 22 && len != 24) {
            return null; // checked before byte 3 is read, which may lie past the option
        }
        int version = b.get(at + 2) & 0x0F;
        int flags = b.get(at + 3) & 0xFF;
        return switch (len) {
            case 4 -> new MpCapable(version, flags, OptionalLong.empty(), OptionalLong.empty(), OptionalInt.empty(), OptionalInt.empty());
            case 12 -> new MpCapable(version, flags, OptionalLong.of(b.getLong(at + 4)), OptionalLong.empty(), OptionalInt.empty(), OptionalInt.empty());
            case 20, 22, 24 -> new MpCapable(version, flags, OptionalLong.of(b.getLong(at + 4)), OptionalLong.of(b.getLong(at + 12)),
                    len >= 22 ? OptionalInt.of(b.getShort(at + 20) & 0xFFFF) : OptionalInt.empty(),
                    len == 24 ? OptionalInt.of(b.getShort(at + 22) & 0xFFFF) : OptionalInt.empty());
            default -> null;
        };
    }

    private static MptcpOption mpJoin(ByteBuffer b, int at, int len) {
        if (len != 12 && len != 16 && len != 24) {
            return null; // checked before byte 3 is read, which may lie past the option
        }
        boolean backup = (b.get(at + 2) & 0x01) != 0;
        int addressId = b.get(at + 3) & 0xFF;
        return switch (len) {
            case 12 -> new MpJoinSyn(backup, addressId, b.getInt(at + 4), b.getInt(at + 8));
            case 16 -> new MpJoinSynAck(backup, addressId, b.getLong(at + 4), b.getInt(at + 12));
            case 24 -> {
                byte[] hmac = new byte[MpJoinAck.HMAC_BYTES];
                b.get(at + 4, hmac);
                yield new MpJoinAck(hmac);
            }
            default -> null;
        };
    }

    private static MptcpOption dss(ByteBuffer b, int at, int len) {
        IncomingOptions fields = new IncomingOptions();
        return readDss(b, at, len, fields) ? fields.dssOption() : null;
    }

    /**
     * Reads the DSS at absolute index {@code at} of length {@code len} (both checked by the caller)
     * into {@code into}; false, with {@code into}'s DSS left as it was, when its length does not
     * match its flags (see {@link #refusal}). The one reader of the DSS's layout: the record
     * ({@link #decodeOrNull}) is made from what it reads.
     */
    static boolean readDss(ByteBuffer b, int at, int len, IncomingOptions into) {
        if (len < 4) {
            return false;
        }
        int flags = b.get(at + 3) & 0xFF;
        int expected = dssLength(flags, false);
        boolean mapping = (flags & DSS_MAPPING) != 0;
        boolean csum;
        if (len == expected) {
            csum = false;
        } else if (mapping && len == expected + 2) {
            csum = true;
        } else {
            return false;
        }
        int p = at + 4;
        into.dataAck = 0;
        if ((flags & DSS_DATA_ACK) != 0) {
            boolean ack64 = (flags & DSS_DATA_ACK_64) != 0;
            into.dataAck = ack64 ? b.getLong(p) : b.getInt(p) & 0xFFFF_FFFFL;
            p += ack64 ? 8 : 4;
        }
        if (mapping) {
            boolean dsn64 = (flags & DSS_DSN_64) != 0;
            into.dsn = dsn64 ? b.getLong(p) : b.getInt(p) & 0xFFFF_FFFFL;
            p += dsn64 ? 8 : 4;
            into.subflowSeq = b.getInt(p);
            into.dataLevelLength = b.getShort(p + 4) & 0xFFFF;
            into.dssChecksum = csum;
            into.dssChecksumValue = csum ? b.getShort(p + 6) & 0xFFFF : 0;
        }
        into.dssFlags = flags;
        into.dss = true;
        return true;
    }

    /** The DSS option length its flags imply, without or with the 2-byte checksum. */
    public static int dssLength(int flags, boolean checksum) {
        int len = 4;
        if ((flags & DSS_DATA_ACK) != 0) {
            len += (flags & DSS_DATA_ACK_64) != 0 ? 8 : 4;
        }
        if ((flags & DSS_MAPPING) != 0) {
            len += ((flags & DSS_DSN_64) != 0 ? 8 : 4) + 4 + 2 + (checksum ? 2 : 0);
        }
        return len;
    }

    private static MptcpOption addAddr(ByteBuffer b, int at, int len) {
        // RFC 8684 section 3.4.1: the version-1 option has no IPVer field; the length tells IPv4 from
        // IPv6 and whether port and HMAC are present. All eight lengths are distinct.
        int body = len - 4;
        int addrLen;
        boolean port;
        boolean hmac;
        switch (body) {
            case 4 -> { addrLen = 4; port = false; hmac = false; }
            case 6 -> { addrLen = 4; port = true; hmac = false; }
            case 12 -> { addrLen = 4; port = false; hmac = true; }
            case 14 -> { addrLen = 4; port = true; hmac = true; }
            case 16 -> { addrLen = 16; port = false; hmac = false; }
            case 18 -> { addrLen = 16; port = true; hmac = false; }
            case 24 -> { addrLen = 16; port = false; hmac = true; }
            case 26 -> { addrLen = 16; port = true; hmac = true; }
            default -> { return null; }
        }
        boolean echo = (b.get(at + 2) & 0x01) != 0;
        int addressId = b.get(at + 3) & 0xFF;
        int p = at + 4;
        java.net.InetAddress address = addrLen == 4 ? IpCodec.v4Address(b.getInt(p)) : IpCodec.v6Address(b, p);
        p += addrLen;
        OptionalInt portValue = OptionalInt.empty();
        if (port) {
            portValue = OptionalInt.of(b.getShort(p) & 0xFFFF);
            p += 2;
        }
        OptionalLong h = hmac ? OptionalLong.of(b.getLong(p)) : OptionalLong.empty();
        return new AddAddr(echo, addressId, address, portValue, h);
    }

    /** REMOVE_ADDR of {@code len >= 4}: at least one id. */
    private static MptcpOption removeAddr(ByteBuffer b, int at, int len) {
        List<Integer> ids = new ArrayList<>(len - 3);
        for (int i = 3; i < len; i++) {
            ids.add(b.get(at + i) & 0xFF);
        }
        return new RemoveAddr(ids);
    }

    private static MptcpOption mpPrio(ByteBuffer b, int at, int len) {
        boolean backup = (b.get(at + 2) & 0x01) != 0;
        return switch (len) {
            case 3 -> new MpPrio(backup, OptionalInt.empty());
            case 4 -> new MpPrio(backup, OptionalInt.of(b.get(at + 3) & 0xFF));
            default -> null;
        };
    }

    /**
     * Writes {@code o} at {@code out.position()} (kind, length and body, {@link MptcpOption#encodedLength()}
     * bytes, no padding) and advances the position.
     *
     * @throws IllegalArgumentException when a field cannot be represented (e.g. REMOVE_ADDR without ids)
     */
    public static void encode(MptcpOption o, ByteBuffer out) {
        out.position(out.position() + encodeAt(o, out, out.position()));
    }

    /** Writes {@code o} at absolute index {@code p} of {@code out}; returns its length. The position does not move. */
    public static int encodeAt(MptcpOption o, ByteBuffer out, int p) {
        int len = o.encodedLength();
        if (len > 40) {
            throw new IllegalArgumentException("MPTCP option of " + len + " bytes exceeds the TCP option space: " + o);
        }
        if (out.limit() - p < len) {
            throw new BufferOverflowException();
        }
        out.put(p, (byte) TcpOption.KIND_MPTCP);
        out.put(p + 1, (byte) len);
        int sub = o.subtype() << 4;
        switch (o) {
            case MpCapable c -> {
                if (c.receiverKey().isPresent() && c.senderKey().isEmpty() || c.dataLevelLength().isPresent() && c.receiverKey().isEmpty()
                        || c.checksum().isPresent() && c.dataLevelLength().isEmpty()) {
                    throw new IllegalArgumentException("MP_CAPABLE fields must be a prefix of key, key, length, checksum: " + c);
                }
                out.put(p + 2, (byte) (sub | (c.version() & 0x0F)));
                out.put(p + 3, (byte) c.flags());
                if (c.senderKey().isPresent()) {
                    out.putLong(p + 4, c.senderKey().getAsLong());
                }
                if (c.receiverKey().isPresent()) {
                    out.putLong(p + 12, c.receiverKey().getAsLong());
                }
                if (c.dataLevelLength().isPresent()) {
                    out.putShort(p + 20, (short) c.dataLevelLength().getAsInt());
                }
                if (c.checksum().isPresent()) {
                    out.putShort(p + 22, (short) c.checksum().getAsInt());
                }
            }
            case MpJoinSyn j -> {
                out.put(p + 2, (byte) (sub | (j.backup() ? 1 : 0)));
                out.put(p + 3, (byte) j.addressId());
                out.putInt(p + 4, j.receiverToken());
                out.putInt(p + 8, j.senderRandom());
            }
            case MpJoinSynAck j -> {
                out.put(p + 2, (byte) (sub | (j.backup() ? 1 : 0)));
                out.put(p + 3, (byte) j.addressId());
                out.putLong(p + 4, j.senderTruncatedHmac());
                out.putInt(p + 12, j.senderRandom());
            }
            case MpJoinAck j -> {
                out.put(p + 2, (byte) sub);
                out.put(p + 3, (byte) 0);
                out.put(p + 4, j.senderHmac());
            }
            case Dss d -> encodeDss(d, out, p);
            case AddAddr a -> {
                out.put(p + 2, (byte) (sub | (a.echo() ? 1 : 0)));
                out.put(p + 3, (byte) a.addressId());
                byte[] addr = a.address().getAddress();
                out.put(p + 4, addr);
                int q = p + 4 + addr.length;
                if (a.port().isPresent()) {
                    out.putShort(q, (short) a.port().getAsInt());
                    q += 2;
                }
                if (a.truncatedHmac().isPresent()) {
                    out.putLong(q, a.truncatedHmac().getAsLong());
                }
            }
            case RemoveAddr r -> {
                if (r.addressIds().isEmpty()) {
                    throw new IllegalArgumentException("REMOVE_ADDR needs at least one address id");
                }
                out.put(p + 2, (byte) sub);
                for (int i = 0; i < r.addressIds().size(); i++) {
                    out.put(p + 3 + i, (byte) (int) r.addressIds().get(i));
                }
            }
            case MpPrio m -> {
                out.put(p + 2, (byte) (sub | (m.backup() ? 1 : 0)));
                if (m.addressId().isPresent()) {
                    out.put(p + 3, (byte) m.addressId().getAsInt());
                }
            }
            case MpFail f -> {
                out.putShort(p + 2, (short) (sub << 8));
                out.putLong(p + 4, f.dsn());
            }
            case MpFastclose f -> {
                out.putShort(p + 2, (short) (sub << 8));
                out.putLong(p + 4, f.receiverKey());
            }
            case MpTcpRst r -> {
                out.put(p + 2, (byte) (sub | (r.flags() & 0x0F)));
                out.put(p + 3, (byte) r.reason());
            }
            case UnknownSubtype u -> {
                out.put(p + 2, (byte) (((u.subtype() & 0x0F) << 4) | (u.lowNibble() & 0x0F)));
                out.put(p + 3, u.data());
            }
        }
        return len;
    }

    private static void encodeDss(Dss d, ByteBuffer out, int p) {
        DataSequenceMapping m = d.mappingOrNull();
        if (m == null) {
            writeDss(out, p, dssFlags(d), d.dataAckValue(), 0, 0, 0, false, 0);
        } else {
            writeDss(out, p, dssFlags(d), d.dataAckValue(), m.dsn(), m.subflowSeq(), m.dataLevelLength(),
                    m.checksum().isPresent(), m.checksum().orElse(0));
        }
    }

    /** The flags byte of the DSS record {@code d} ({@link #DSS_DATA_ACK} and the others). */
    static int dssFlags(Dss d) {
        DataSequenceMapping m = d.mappingOrNull();
        return (d.hasDataAck() ? DSS_DATA_ACK : 0) | (d.dataAckIs64() ? DSS_DATA_ACK_64 : 0) | (d.dataFin() ? DSS_DATA_FIN : 0)
                | (m == null ? 0 : DSS_MAPPING | (m.dsnIs64() ? DSS_DSN_64 : 0));
    }

    /**
     * The DSS record of a flags byte and fields, as {@link #writeDss} takes them: the fields the
     * flags leave out are not read, nor the checksum without a mapping. How the fields that
     * {@link IncomingOptions} and {@link OutgoingSegment} hold become a record.
     */
    static Dss dssRecord(int flags, long dataAck, long dsn, int subflowSeq, int dataLevelLength, boolean checksum,
            int checksumValue) {
        DataSequenceMapping mapping = (flags & DSS_MAPPING) == 0 ? null
                : new DataSequenceMapping(dsn, (flags & DSS_DSN_64) != 0, subflowSeq, dataLevelLength,
                        checksum ? OptionalInt.of(checksumValue) : OptionalInt.empty());
        return new Dss((flags & DSS_DATA_ACK) != 0, dataAck, (flags & DSS_DATA_ACK_64) != 0, mapping,
                (flags & DSS_DATA_FIN) != 0);
    }

    /**
     * Writes a DSS from its flags byte and fields at absolute index {@code p} (kind and length
     * included, {@link #dssLength} bytes); returns its length. The fields the flags leave out are
     * not written, nor the checksum without a mapping. What the DSS record and
     * {@link OutgoingSegment#dss} both come to.
     */
    static int writeDss(ByteBuffer out, int p, int flags, long dataAck, long dsn, int subflowSeq, int dataLevelLength,
            boolean checksum, int checksumValue) {
        int len = dssLength(flags, checksum);
        out.put(p, (byte) TcpOption.KIND_MPTCP);
        out.put(p + 1, (byte) len);
        out.put(p + 2, (byte) (MptcpOption.SUBTYPE_DSS << 4));
        out.put(p + 3, (byte) flags);
        int q = p + 4;
        if ((flags & DSS_DATA_ACK) != 0) {
            if ((flags & DSS_DATA_ACK_64) != 0) {
                out.putLong(q, dataAck);
                q += 8;
            } else {
                out.putInt(q, (int) dataAck);
                q += 4;
            }
        }
        if ((flags & DSS_MAPPING) != 0) {
            if ((flags & DSS_DSN_64) != 0) {
                out.putLong(q, dsn);
                q += 8;
            } else {
                out.putInt(q, (int) dsn);
                q += 4;
            }
            out.putInt(q, subflowSeq);
            out.putShort(q + 4, (short) dataLevelLength);
            if (checksum) {
                out.putShort(q + 6, (short) checksumValue);
            }
        }
        return len;
    }

    private static DecodeResult<MptcpOption> badLength(String what, int len, int reportBase) {
        return malformed(reportBase + 1, what + " of length " + len);
    }

    private static DecodeResult<MptcpOption> malformed(int offset, String reason) {
        return DecodeResult.malformed(offset, reason, MibCounter.MPTCP_OPTION_MALFORMED);
    }
}
