package org.mptcp4j.mptcp;

import java.nio.ByteBuffer;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;
import org.mptcp4j.crypto.MptcpCrypto;
import org.mptcp4j.mib.MibCounter;
import org.mptcp4j.wire.MptcpOption;
import org.mptcp4j.wire.MptcpOption.DataSequenceMapping;
import org.mptcp4j.wire.MptcpOption.Dss;
import org.mptcp4j.wire.MptcpOption.MpCapable;
import org.mptcp4j.wire.MptcpOptionCodec;
import org.mptcp4j.wire.OutgoingSegment;
import org.mptcp4j.wire.TcpFlags;

/**
 * The MPTCP options an outgoing segment carries (Linux {@code options.c}:
 * {@code mptcp_syn_options}, {@code mptcp_synack_options}, {@code mptcp_established_options}).
 * What goes where, after RFC 8684 and what Linux 6.x sends:
 * <ul>
 * <li>SYN: MP_CAPABLE without keys (v1), or MP_JOIN with the peer's token and our nonce;</li>
 * <li>SYN-ACK: MP_CAPABLE with our key, or MP_JOIN with the truncated HMAC;</li>
 * <li>the client's third ACK: MP_CAPABLE with both keys; its first data segment, until the peer
 *     has shown it knows them, MP_CAPABLE with both keys and the data-level length (section 3.1);</li>
 * <li>a join's third ACK: MP_JOIN with the 160-bit HMAC, resent until the fourth ACK (section 3.2);</li>
 * <li>everything else: a DSS with the DATA_ACK, the segment's mapping when it carries data, and on
 *     a pure ACK the DATA_FIN when one is due; the DATA_ACK is 32 bits until the peer sends
 *     64-bit DSNs, DSNs are always 64 bits (as Linux);</li>
 * <li>ADD_ADDR alone on a pure ACK (Linux drops the other suboptions for it); REMOVE_ADDR and
 *     MP_PRIO on pure ACKs, when room is left.</li>
 * </ul>
 */
final class MptcpOptionsOut {
    private static final int MP_FAIL_LENGTH = 12;
    /** MP_PRIO without an address id, 3 bytes, padded to 4. */
    private static final int MP_PRIO_LENGTH = 4;

    private MptcpOptionsOut() {}

    /** Bytes of DSS with a DATA_ACK and a 64-bit mapping: kind, length, subtype, flags, ack, DSN, SSN, length. */
    static int dssLength(boolean ack64, boolean mapping, boolean checksum) {
        return 4 + (ack64 ? 8 : 4) + (mapping ? 8 + 4 + 2 + (checksum ? 2 : 0) : 0);
    }

    /**
     * The infinite mapping (RFC 8684 section 3.7): data-level length 0, from the last DATA_ACKed
     * DSN at the subflow sequence number it was sent at; the checksum field, present when
     * checksums are in use, is 0 (as Linux sends it). Its DSN is the 32-bit form (the peer expands
     * it next to its DATA_ACK, which is where it points), so that with timestamps the MP_FAIL
     * answer still fits beside it on a full-sized segment (12 + 16 + 12 bytes).
     */
    static Dss infiniteMapDss(Subflow s) {
        Mapping im = s.infiniteMap;
        return new Dss(OptionalLong.empty(), false, Optional.of(new DataSequenceMapping(im.dsn() & 0xFFFF_FFFFL, false,
                s.relativeSeq(im.subflowSeq()), 0, s.conn.checksums ? OptionalInt.of(0) : OptionalInt.empty())), false);
    }

    /**
     * The infinite mapping, and the MP_FAIL that answers the peer's (as Linux; {@link #reserved}
     * keeps room for both while the answer is due).
     */
    private static void writeInfiniteMap(Subflow s, int room, OutgoingSegment out) {
        Dss dss = infiniteMapDss(s);
        if (dss.encodedLength() > room) {
            return;
        }
        out.add(dss);
        room -= dss.encodedLength();
        if (!s.infiniteMapCounted) {
            s.infiniteMapCounted = true;
            s.conn.mib.increment(MibCounter.MPTCP_INFINITE_MAP_TX);
        }
        if (s.mpFailPending && room >= MP_FAIL_LENGTH) {
            out.add(new MptcpOption.MpFail(s.mpFailDsn));
            s.conn.mib.increment(MibCounter.MPTCP_MP_FAIL_TX);
            s.mpFailPending = false;
        }
    }

    /** Option space {@code o} takes: MPTCP options are 4-aligned with NOPs after them ({@link org.mptcp4j.wire.TcpOptions}). */
    private static int padded(MptcpOption o) {
        return (o.encodedLength() + 3) & ~3;
    }

    static int reserved(Subflow s, boolean dataSegment) {
        MptcpConnection m = s.conn;
        if (m.mode != MptcpConnection.Mode.MPTCP) {
            return s.infiniteMap == null || s.peerFellBack ? 0
                    : infiniteMapDss(s).encodedLength() + (s.mpFailPending ? MP_FAIL_LENGTH : 0);
        }
        if (dataSegment) {
            // The widest DSS (64-bit DATA_ACK and DSN), whatever this segment carries, so that every
            // full data segment of the connection has the same payload, from the first: a Linux
            // receiver learns its payload-to-memory ratio from the largest segments it sees and
            // sizes its window by it (PartialSegments), and full segments 4 bytes shorter later
            // would overrun that window's memory. It also covers the MP_JOIN third ACK (24) and
            // MP_CAPABLE's first data (24).
            return dssLength(true, true, m.checksums);
        }
        if (s.joinAckPending) {
            return 24;
        }
        if (s.initial && m.client && !s.fullyEstablished) {
            return 20;
        }
        int r = dssLength(m.ack64, s.dataFinPending, m.checksums);
        MptcpOption.AddAddr announce = m.pathManager.pendingAnnouncement(s);
        if (announce != null) {
            r += announce.encodedLength();
        }
        MptcpOption.RemoveAddr removal = m.pathManager.pendingRemoval(s);
        if (removal != null) {
            r += padded(removal);
        }
        if (s.prioToSend > 0) {
            r += MP_PRIO_LENGTH;
        }
        return r;
    }

    static void write(Subflow s, OutgoingSegment out, int room) {
        MptcpConnection m = s.conn;
        boolean syn = out.has(TcpFlags.SYN);
        boolean ack = out.has(TcpFlags.ACK);
        if (syn && !ack) {
            if (s.initial) {
                if (m.dropsMpCapableFromSyn(s)) {
                    return;
                }
                out.add(MpCapable.syn(m.capableFlags()));
                m.mib.increment(MibCounter.MPTCP_CAPABLE_SYN_TX);
            } else {
                out.add(new MptcpOption.MpJoinSyn(s.backup, s.localId, m.remoteToken, s.localNonce));
                m.mib.increment(MibCounter.MPTCP_JOIN_SYN_TX);
            }
            return;
        }
        if (syn) {
            if (s.initial) {
                out.add(MpCapable.synAck(m.capableFlags(), m.localKey));
            } else {
                out.add(new MptcpOption.MpJoinSynAck(s.backup, s.localId, m.joinSynAckHmac(s), s.localNonce));
            }
            return;
        }
        if (m.mode != MptcpConnection.Mode.MPTCP) {
            // Plain TCP, or fallen back: no MPTCP options from here on (RFC 8684 section 3.7),
            // but for the infinite mapping that tells the peer so.
            if (s.infiniteMap != null && !s.peerFellBack) {
                writeInfiniteMap(s, room, out);
            }
            return;
        }
        if (s.joinAckPending) {
            out.add(new MptcpOption.MpJoinAck(m.joinAckHmac(s)));
            return;
        }
        int payload = out.payloadLength();
        if (s.initial && m.client && !s.fullyEstablished) {
            if (payload == 0) {
                out.add(MpCapable.ack(m.capableFlags(), m.localKey, m.remoteKey));
                return;
            }
            Mapping first = s.sentMappingFor(out.seq());
            if (first != null && first.dsn() == m.localIdsn + 1 && first.subflowSeq() == out.seq()
                    && s.relativeSeq(first.subflowSeq()) == 1) {
                out.add(MpCapable.ackWithData(m.capableFlags(), m.localKey, m.remoteKey, first.length(),
                        m.checksums ? OptionalInt.of(first.checksum()) : OptionalInt.empty()));
                return;
            }
        }
        if (payload == 0 && s.fullyEstablished && !s.mpFailDue(m.now)) {
            // An ADD_ADDR (or its echo) on a pure ACK goes alone, as Linux sends it
            // (drop_other_suboptions): with a DSS carrying a DATA_FIN mapping beside it there
            // would be no room, and a middlebox or filter looking at the first MPTCP option sees
            // it. The DATA_ACK and a pending DATA_FIN take the next segment, asked for at once.
            MptcpOption.AddAddr announce = m.pathManager.pendingAnnouncement(s);
            if (announce != null && announce.encodedLength() <= room) {
                out.add(announce);
                m.pathManager.onAnnouncementSent(s, announce);
                s.tcp.requestAck(); // the DSS this ACK left out, at once: a peer may wait on its DATA_ACK
                return;
            }
        }
        // The DSS as its flags and fields, not a record: nearly every segment carries one. A data
        // segment's DATA_ACK is 64-bit, filling the room reserved for it (reserved), so that the
        // packet is full; an ACK's has the width the peer's DSNs have, as Linux's.
        boolean ack64 = m.ack64 || payload > 0;
        long dataAck = ack64 ? m.dataAckToSend() : m.dataAckToSend() & 0xFFFF_FFFFL;
        int flags = MptcpOptionCodec.DSS_DATA_ACK | (ack64 ? MptcpOptionCodec.DSS_DATA_ACK_64 : 0);
        long dsn = 0;
        int ssn = 0;
        int length = 0;
        int checksum = 0;
        if (payload > 0) {
            Mapping mp = s.sentMappingFor(out.seq());
            if (mp != null) {
                flags |= MptcpOptionCodec.DSS_MAPPING | MptcpOptionCodec.DSS_DSN_64;
                dsn = mp.dsn();
                ssn = s.relativeSeq(mp.subflowSeq());
                length = mp.length();
                checksum = mp.checksum();
            }
        } else if (s.dataFinPending && dssLength(m.ack64, true, m.checksums) <= room) {
            // RFC 8684 section 3.3.3: a DATA_FIN without data is a mapping of length 1 at SSN 0.
            flags |= MptcpOptionCodec.DSS_MAPPING | MptcpOptionCodec.DSS_DSN_64 | MptcpOptionCodec.DSS_DATA_FIN;
            dsn = m.dataFinDsn();
            length = 1;
            checksum = m.checksums ? MptcpCrypto.dssChecksum(dsn, 0, 1, ByteBuffer.allocate(0)) : 0;
            s.dataFinPending = false;
        }
        int dssBytes = MptcpOptionCodec.dssLength(flags, m.checksums);
        if (dssBytes > room) {
            return; // cannot happen for data (the space was reserved); an ACK then goes without
        }
        out.dss(flags, dataAck, dsn, ssn, length, m.checksums, checksum);
        room -= dssBytes;
        // MP_FAIL rides on pure ACKs: beside a data segment's DSS it would not fit the MSS the
        // segment was sized for.
        if (payload == 0 && s.mpFailDue(m.now) && room >= MP_FAIL_LENGTH) {
            out.add(new MptcpOption.MpFail(s.mpFailDsn));
            m.mib.increment(MibCounter.MPTCP_MP_FAIL_TX);
            s.mpFailSent(m.now);
            room -= MP_FAIL_LENGTH;
        }
        if (payload == 0) {
            MptcpOption.RemoveAddr removal = m.pathManager.pendingRemoval(s);
            if (removal != null && removal.encodedLength() <= room) {
                out.add(removal);
                m.pathManager.onRemovalSent();
                room -= padded(removal);
            }
            // RFC 8684 section 3.3.8: MP_PRIO applies to the subflow it is sent on; version 1 has
            // no address id (Linux sends the 3-byte form too).
            if (s.prioToSend > 0 && room >= MP_PRIO_LENGTH) {
                out.add(new MptcpOption.MpPrio(s.backup, OptionalInt.empty()));
                s.prioToSend--;
                m.mib.increment(MibCounter.MPTCP_MP_PRIO_TX);
            }
        }
    }
}
