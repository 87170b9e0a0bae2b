package org.mptcp4j.wire;

import java.net.InetAddress;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;

/**
 * The MPTCP option (TCP option kind 30) in each of its RFC 8684 section 3 forms. Values only: the
 * codec ({@code MptcpOptionCodec}) turns bytes into these and back; connection state never sees
 * bytes. Field names follow RFC 8684; 32-bit quantities (tokens, randoms, sequence numbers) are
 * {@code int}s read as unsigned.
 */
public sealed interface MptcpOption extends TcpOption permits MptcpOption.MpCapable, MptcpOption.MpJoinSyn,
        MptcpOption.MpJoinSynAck, MptcpOption.MpJoinAck, MptcpOption.Dss, MptcpOption.AddAddr,
        MptcpOption.RemoveAddr, MptcpOption.MpPrio, MptcpOption.MpFail, MptcpOption.MpFastclose,
        MptcpOption.MpTcpRst, MptcpOption.UnknownSubtype {

    int SUBTYPE_MP_CAPABLE = 0x0;
    int SUBTYPE_MP_JOIN = 0x1;
    int SUBTYPE_DSS = 0x2;
    int SUBTYPE_ADD_ADDR = 0x3;
    int SUBTYPE_REMOVE_ADDR = 0x4;
    int SUBTYPE_MP_PRIO = 0x5;
    int SUBTYPE_MP_FAIL = 0x6;
    int SUBTYPE_MP_FASTCLOSE = 0x7;
    int SUBTYPE_MP_TCPRST = 0x8;

    /** Protocol version 1 (RFC 8684); version 0 was RFC 6824. */
    int VERSION_1 = 1;

    @Override
    default int kind() {
        return KIND_MPTCP;
    }

    /** The 4-bit subtype. */
    int subtype();

    /**
     * MP_CAPABLE (RFC 8684 section 3.1). Its form follows from which fields are present: SYN (no
     * key, length 4), SYN/ACK (sender's key, 12), third ACK (both keys, 20), first data ACK (both
     * keys and the data-level length, 22; with the DSS checksum, 24).
     *
     * @param flags the 8 bits A..H: {@link #FLAG_CHECKSUM_REQUIRED} (A), {@link #FLAG_EXTENSIBILITY}
     *     (B), {@link #FLAG_NO_MORE_SUBFLOWS_TO_SOURCE} (C), D..G reserved, {@link #FLAG_HMAC_SHA256} (H)
     */
    record MpCapable(int version, int flags, OptionalLong senderKey, OptionalLong receiverKey,
            OptionalInt dataLevelLength, OptionalInt checksum) implements MptcpOption {
        public static final int FLAG_CHECKSUM_REQUIRED = 0x80;
        public static final int FLAG_EXTENSIBILITY = 0x40;
        public static final int FLAG_NO_MORE_SUBFLOWS_TO_SOURCE = 0x20;
        public static final int FLAG_HMAC_SHA256 = 0x01;

        public static MpCapable syn(int flags) {
            return new MpCapable(VERSION_1, flags, OptionalLong.empty(), OptionalLong.empty(), OptionalInt.empty(), OptionalInt.empty());
        }

        public static MpCapable synAck(int flags, long senderKey) {
            return new MpCapable(VERSION_1, flags, OptionalLong.of(senderKey), OptionalLong.empty(), OptionalInt.empty(), OptionalInt.empty());
        }

        public static MpCapable ack(int flags, long senderKey, long receiverKey) {
            return new MpCapable(VERSION_1, flags, OptionalLong.of(senderKey), OptionalLong.of(receiverKey), OptionalInt.empty(), OptionalInt.empty());
        }

        public static MpCapable ackWithData(int flags, long senderKey, long receiverKey, int dataLevelLength, OptionalInt checksum) {
            return new MpCapable(VERSION_1, flags, OptionalLong.of(senderKey), OptionalLong.of(receiverKey), OptionalInt.of(dataLevelLength), checksum);
        }

        public boolean checksumRequired() { return (flags & FLAG_CHECKSUM_REQUIRED) != 0; }
        public boolean noMoreSubflowsToSource() { return (flags & FLAG_NO_MORE_SUBFLOWS_TO_SOURCE) != 0; }
        public boolean hmacSha256() { return (flags & FLAG_HMAC_SHA256) != 0; }
        public int subtype() { return SUBTYPE_MP_CAPABLE; }

        public int encodedLength() {
            if (receiverKey.isPresent()) {
                return dataLevelLength.isEmpty() ? 20 : checksum.isPresent() ? 24 : 22;
            }
            return senderKey.isPresent() ? 12 : 4;
        }
    }

    /** MP_JOIN in the SYN (RFC 8684 section 3.2): the receiver's token and the sender's random nonce. */
    record MpJoinSyn(boolean backup, int addressId, int receiverToken, int senderRandom) implements MptcpOption {
        public int subtype() { return SUBTYPE_MP_JOIN; }
        public int encodedLength() { return 12; }
    }

    /** MP_JOIN in the SYN/ACK: the leftmost 64 bits of the sender's HMAC and its random nonce. */
    record MpJoinSynAck(boolean backup, int addressId, long senderTruncatedHmac, int senderRandom) implements MptcpOption {
        public int subtype() { return SUBTYPE_MP_JOIN; }
        public int encodedLength() { return 16; }
    }

    /** MP_JOIN in the third ACK: the leftmost 160 bits of the sender's HMAC. */
    record MpJoinAck(byte[] senderHmac) implements MptcpOption {
        public static final int HMAC_BYTES = 20;

        public MpJoinAck {
            if (senderHmac.length != HMAC_BYTES) {
                throw new IllegalArgumentException("MP_JOIN ACK carries 160 bits of HMAC, got " + senderHmac.length + " bytes");
            }
            senderHmac = senderHmac.clone();
        }

        public byte[] senderHmac() { return senderHmac.clone(); }
        public int subtype() { return SUBTYPE_MP_JOIN; }
        public int encodedLength() { return 24; }
        @Override public boolean equals(Object o) { return o instanceof MpJoinAck a && Arrays.equals(a.senderHmac, senderHmac); }
        @Override public int hashCode() { return Arrays.hashCode(senderHmac); }
        @Override public String toString() { return "MpJoinAck[senderHmac=" + HexFormat.of().formatHex(senderHmac) + "]"; }
    }

    /**
     * A DSS mapping (RFC 8684 section 3.3.1): {@code dataLevelLength} bytes starting at data sequence
     * number {@code dsn} are carried at relative subflow sequence number {@code subflowSeq}. A
     * data-level length of 0 with DATA_FIN is the "infinite mapping" of fallback (section 3.7).
     */
    record DataSequenceMapping(long dsn, boolean dsnIs64, int subflowSeq, int dataLevelLength, OptionalInt checksum) {}

    /**
     * Data Sequence Signal (RFC 8684 section 3.3): an optional DATA_ACK (4 or 8 bytes), an optional
     * mapping, and the DATA_FIN flag. The checksum's presence is negotiated, not flagged: it follows
     * from the option length.
     *
     * <p>Held as a presence flag and a value, and the mapping or null, so that decoding the DSS of a
     * segment makes one object besides the mapping, not three: nearly every segment of a
     * connection carries one. {@link #dataAck()} and {@link #mapping()} give the optional forms.
     *
     * @param dataAckValue the DATA_ACK when {@code hasDataAck}, else 0
     * @param mappingOrNull the mapping, or null when the option carries none
     */
    record Dss(boolean hasDataAck, long dataAckValue, boolean dataAckIs64, DataSequenceMapping mappingOrNull, boolean dataFin)
            implements MptcpOption {
        public Dss {
            if (!hasDataAck) {
                dataAckValue = 0;
            }
        }

        public Dss(OptionalLong dataAck, boolean dataAckIs64, Optional<DataSequenceMapping> mapping, boolean dataFin) {
            this(dataAck.isPresent(), dataAck.orElse(0), dataAckIs64, mapping.orElse(null), dataFin);
        }

        /** The DATA_ACK, if the option carries one. */
        public OptionalLong dataAck() {
            return hasDataAck ? OptionalLong.of(dataAckValue) : OptionalLong.empty();
        }

        /** The mapping, if the option carries one. */
        public Optional<DataSequenceMapping> mapping() {
            return Optional.ofNullable(mappingOrNull);
        }

        public boolean hasMapping() {
            return mappingOrNull != null;
        }

        public int subtype() { return SUBTYPE_DSS; }

        public int encodedLength() {
            int len = 4;
            if (hasDataAck) {
                len += dataAckIs64 ? 8 : 4;
            }
            if (mappingOrNull != null) {
                len += (mappingOrNull.dsnIs64() ? 8 : 4) + 4 + 2 + (mappingOrNull.checksum().isPresent() ? 2 : 0);
            }
            return len;
        }
    }

    /**
     * ADD_ADDR (RFC 8684 section 3.4.1): an address (and optional port) the sender can be reached
     * at. Echo copies (E=1) carry no HMAC; others carry the rightmost 64 bits of the HMAC.
     */
    record AddAddr(boolean echo, int addressId, InetAddress address, OptionalInt port, OptionalLong truncatedHmac)
            implements MptcpOption {
        public int subtype() { return SUBTYPE_ADD_ADDR; }

        public int encodedLength() {
            return 4 + address.getAddress().length + (port.isPresent() ? 2 : 0) + (truncatedHmac.isPresent() ? 8 : 0);
        }
    }

    /** REMOVE_ADDR (RFC 8684 section 3.4.2): one or more address ids the sender no longer uses. */
    record RemoveAddr(List<Integer> addressIds) implements MptcpOption {
        public RemoveAddr {
            addressIds = List.copyOf(addressIds);
        }
        public int subtype() { return SUBTYPE_REMOVE_ADDR; }
        public int encodedLength() { return 3 + addressIds.size(); }
    }

    /**
     * MP_PRIO (RFC 8684 section 3.3.8): the subflow it arrives on becomes backup or regular. RFC
     * 6824 allowed an address id (length 4); it is decoded when present, never sent.
     */
    record MpPrio(boolean backup, OptionalInt addressId) implements MptcpOption {
        public int subtype() { return SUBTYPE_MP_PRIO; }
        public int encodedLength() { return addressId.isPresent() ? 4 : 3; }
    }

    /** MP_FAIL (RFC 8684 section 3.7): the 64-bit DSN where a checksum failed. */
    record MpFail(long dsn) implements MptcpOption {
        public int subtype() { return SUBTYPE_MP_FAIL; }
        public int encodedLength() { return 12; }
    }

    /** MP_FASTCLOSE (RFC 8684 section 3.5): abrupt close, authenticated by the receiver's key. */
    record MpFastclose(long receiverKey) implements MptcpOption {
        public int subtype() { return SUBTYPE_MP_FASTCLOSE; }
        public int encodedLength() { return 12; }
    }

    /**
     * MP_TCPRST (RFC 8684 section 3.6): why a subflow was reset. Flags U, V, W reserved; T
     * ({@link #FLAG_TRANSIENT}) says the error is transient and a new subflow may succeed.
     */
    record MpTcpRst(int flags, int reason) implements MptcpOption {
        public static final int FLAG_TRANSIENT = 0x1;
        public static final int REASON_UNSPECIFIED = 0;
        public static final int REASON_MPTCP_SPECIFIC = 1;
        public static final int REASON_LACK_OF_RESOURCES = 2;
        public static final int REASON_ADMINISTRATIVELY_PROHIBITED = 3;
        public static final int REASON_TOO_MUCH_OUTSTANDING_DATA = 4;
        public static final int REASON_UNACCEPTABLE_PERFORMANCE = 5;
        public static final int REASON_MIDDLEBOX_INTERFERENCE = 6;

        public boolean isTransient() { return (flags & FLAG_TRANSIENT) != 0; }
        public int subtype() { return SUBTYPE_MP_TCPRST; }
        public int encodedLength() { return 4; }
    }

    /** A subtype this implementation does not know (e.g. MP_EXPERIMENTAL, 0xf), kept as bytes after the subtype nibble's byte. */
    record UnknownSubtype(int subtype, int lowNibble, byte[] data) implements MptcpOption {
        public UnknownSubtype {
            data = data.clone();
        }
        public byte[] data() { return data.clone(); }
        public int encodedLength() { return 3 + data.length; }
        @Override public boolean equals(Object o) {
            return o instanceof UnknownSubtype u && u.subtype == subtype && u.lowNibble == lowNibble && Arrays.equals(u.data, data);
        }
        @Override public int hashCode() { return 31 * (31 * subtype + lowNibble) + Arrays.hashCode(data); }
        @Override public String toString() {
            return "UnknownSubtype[subtype=" + subtype + ", lowNibble=" + lowNibble + ", data=" + HexFormat.of().formatHex(data) + "]";
        }
    }
}
