package org.mptcp4j.wire;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;
import org.mptcp4j.crypto.MptcpCrypto;
import org.mptcp4j.wire.MptcpOption.AddAddr;
import org.mptcp4j.wire.MptcpOption.DataSequenceMapping;
import org.mptcp4j.wire.MptcpOption.Dss;
import org.mptcp4j.wire.MptcpOption.MpCapable;

/**
 * One segment per MPTCP option variant of RFC 8684 section 3, each with the tshark fields (PDML
 * {@code show} values) it must dissect to. Each variant gets its own ports, so Wireshark's MPTCP
 * analysis sees it as a stream of its own.
 */
final class MptcpVariants {
    private MptcpVariants() {}

    record Case(String name, IpHeader ip, TcpSegment segment, Map<String, List<String>> expected) {}

    static final long KEY_A = 0x1122_3344_5566_7788L;
    static final long KEY_B = 0x8877_6655_4433_2211L;

    private static final Inet4Address A4 = v4("198.18.1.1");
    private static final Inet4Address B4 = v4("198.18.1.2");
    private static final Inet6Address A6 = v6("2001:db8::1");
    private static final Inet6Address B6 = v6("2001:db8:0:1::2");

    static List<Case> all() {
        nextPort = 40000;
        List<Case> out = new ArrayList<>();
        ByteBuffer data = ByteBuffer.wrap("MPTCP data for the checksum, 43 bytes long!".getBytes(StandardCharsets.US_ASCII));
        int len = data.remaining();
        long idsnA = MptcpCrypto.idsnOf(KEY_A);

        // A connection that negotiates DSS checksums (flag A): Wireshark shows a DSS checksum only on such a one.
        int capFlags = MpCapable.FLAG_CHECKSUM_REQUIRED | MpCapable.FLAG_HMAC_SHA256;
        Flow csumFlow = flow(false);
        add(out, "MP_CAPABLE SYN, checksum required", csumFlow, false, TcpFlags.SYN, handshake(MpCapable.syn(capFlags)), TcpSegment.EMPTY,
                e("tcp.options.mptcp.subtype", "0").and("tcp.options.mptcp.version", "1").and("tcp.options.mptcp.flags", "0x81")
                        .and("tcp.options.mptcp.checksumreq.flags", "1").and("tcp.options.mptcp.sha256.flag", "1")
                        .and("tcp.options.mss_val", "1460").and("tcp.options.wscale.shift", "7").and("tcp.options.timestamp.tsval", "1000")
                        .and("tcp.options.timestamp.tsecr", "0").and("tcp.option_kind", "2", "4", "8", "1", "3", "30"));
        add(out, "MP_CAPABLE SYN/ACK, no more subflows", csumFlow, true, TcpFlags.SYN | TcpFlags.ACK,
                handshake(MpCapable.synAck(capFlags | MpCapable.FLAG_NO_MORE_SUBFLOWS_TO_SOURCE, KEY_B)), TcpSegment.EMPTY,
                e("tcp.options.mptcp.flags", "0xa1").and("tcp.options.mptcp.nomoresubflows.flag", "1").and("tcp.options.mptcp.checksumreq.flags", "1")
                        .and("tcp.options.mptcp.sendkey", Long.toUnsignedString(KEY_B)));
        add(out, "MP_CAPABLE third ACK", csumFlow, false, TcpFlags.ACK, ts(MpCapable.ack(capFlags, KEY_A, KEY_B)), TcpSegment.EMPTY,
                e("tcp.options.mptcp.sendkey", Long.toUnsignedString(KEY_A)).and("tcp.options.mptcp.recvkey", Long.toUnsignedString(KEY_B)));
        int capCsum = MptcpCrypto.dssChecksum(idsnA + 1, 1, len, data);
        add(out, "MP_CAPABLE with data and DSS checksum, 24 bytes", csumFlow, false, TcpFlags.ACK | TcpFlags.PSH,
                ts(MpCapable.ackWithData(capFlags, KEY_A, KEY_B, len, OptionalInt.of(capCsum))), data,
                e("tcp.options.mptcp.datalvllen", String.valueOf(len)).and("tcp.options.mptcp.checksum", hex16(capCsum))
                        .and("tcp.option_len", "10", "24"));
        long dsn = idsnA + 5000;
        int dssCsum = MptcpCrypto.dssChecksum(dsn, 4999, len, data);
        add(out, "DSS DATA_ACK 8 + mapping DSN 8 + checksum", csumFlow, false, TcpFlags.ACK | TcpFlags.PSH,
                ts(new Dss(OptionalLong.of(0x0102030405060708L), true, Optional.of(new DataSequenceMapping(dsn, true, 4999, len, OptionalInt.of(dssCsum))), false)),
                data, e("tcp.options.mptcp.flags", "0x0f").and("tcp.options.mptcp.rawdataack", String.valueOf(0x0102030405060708L))
                        .and("tcp.options.mptcp.rawdataseqno", Long.toUnsignedString(dsn)).and("tcp.options.mptcp.subflowseqno", "4999")
                        .and("tcp.option_len", "10", "28").and(RAW_OPTIONS, rawTail(dssCsum)));
        int dssCsum4 = MptcpCrypto.dssChecksum(dsn + len, 4999 + len, len, data);
        add(out, "DSS DATA_ACK 4 + mapping DSN 4 + checksum", csumFlow, false, TcpFlags.ACK | TcpFlags.PSH,
                ts(new Dss(OptionalLong.of(3), false, Optional.of(new DataSequenceMapping((dsn + len) & 0xFFFF_FFFFL, false, 4999 + len, len,
                        OptionalInt.of(dssCsum4))), false)),
                data, e("tcp.options.mptcp.flags", "0x05").and("tcp.options.mptcp.datalvllen", String.valueOf(len))
                        .and("tcp.option_len", "10", "20").and(RAW_OPTIONS, rawTail(dssCsum4)));

        add(out, "MP_CAPABLE SYN/ACK, extensibility (IPv6)", true, TcpFlags.SYN | TcpFlags.ACK,
                handshake(MpCapable.synAck(MpCapable.FLAG_EXTENSIBILITY | MpCapable.FLAG_HMAC_SHA256, KEY_B)), TcpSegment.EMPTY,
                e("tcp.options.mptcp.flags", "0x41").and("tcp.options.mptcp.extensibility.flag", "1")
                        .and("tcp.options.mptcp.sendkey", Long.toUnsignedString(KEY_B)));
        add(out, "MP_CAPABLE with data, 22 bytes", false, TcpFlags.ACK | TcpFlags.PSH,
                ts(MpCapable.ackWithData(MpCapable.FLAG_HMAC_SHA256, KEY_A, KEY_B, len, OptionalInt.empty())), data,
                e("tcp.options.mptcp.sendkey", Long.toUnsignedString(KEY_A)).and("tcp.options.mptcp.recvkey", Long.toUnsignedString(KEY_B))
                        .and("tcp.options.mptcp.datalvllen", String.valueOf(len)).and("tcp.option_len", "10", "22"));

        int token = MptcpCrypto.tokenOf(KEY_B);
        add(out, "MP_JOIN SYN, backup, address id 3", false, TcpFlags.SYN, handshake(new MptcpOption.MpJoinSyn(true, 3, token, 0x0A0B0C0D)),
                TcpSegment.EMPTY, e("tcp.options.mptcp.subtype", "1").and("tcp.options.mptcp.backup.flag", "1").and("tcp.options.mptcp.addrid", "3")
                        .and("tcp.options.mptcp.recvtok", Integer.toUnsignedString(token)).and("tcp.options.mptcp.sendrand", String.valueOf(0x0A0B0C0D)));
        long synAckHmac = MptcpCrypto.joinSynAckHmac(KEY_B, KEY_A, 0x55667788, 0x0A0B0C0D);
        add(out, "MP_JOIN SYN/ACK, truncated HMAC (IPv6)", true, TcpFlags.SYN | TcpFlags.ACK,
                handshake(new MptcpOption.MpJoinSynAck(false, 7, synAckHmac, 0x55667788)), TcpSegment.EMPTY,
                e("tcp.options.mptcp.backup.flag", "0").and("tcp.options.mptcp.addrid", "7")
                        .and("tcp.options.mptcp.sendtrunchmac", Long.toUnsignedString(synAckHmac)).and("tcp.options.mptcp.sendrand", String.valueOf(0x55667788)));
        byte[] ackHmac = MptcpCrypto.joinAckHmac(KEY_A, KEY_B, 0x0A0B0C0D, 0x55667788);
        add(out, "MP_JOIN third ACK, 160-bit HMAC", false, TcpFlags.ACK, ts(new MptcpOption.MpJoinAck(ackHmac)), TcpSegment.EMPTY,
                e("tcp.options.mptcp.sendhmac", colonHex(ackHmac)).and("tcp.option_len", "10", "24"));

        add(out, "DSS DATA_ACK 4 bytes", false, TcpFlags.ACK, ts(new Dss(OptionalLong.of(0xDEADBEEFL), false, Optional.empty(), false)),
                TcpSegment.EMPTY, e("tcp.options.mptcp.subtype", "2").and("tcp.options.mptcp.flags", "0x01")
                        .and("tcp.options.mptcp.rawdataack", "3735928559").and("tcp.options.mptcp.dataack8.flag", "0"));
        add(out, "DSS DATA_ACK 8 bytes (IPv6)", true, TcpFlags.ACK, ts(new Dss(OptionalLong.of(-2L), true, Optional.empty(), false)),
                TcpSegment.EMPTY, e("tcp.options.mptcp.flags", "0x03").and("tcp.options.mptcp.rawdataack", Long.toUnsignedString(-2L)));
        add(out, "DSS DATA_ACK 4 + mapping DSN 4, no checksum", false, TcpFlags.ACK | TcpFlags.PSH,
                ts(new Dss(OptionalLong.of(77), false, Optional.of(new DataSequenceMapping(0xFEDCBA98L, false, 1, len, OptionalInt.empty())), false)),
                data, e("tcp.options.mptcp.flags", "0x05").and("tcp.options.mptcp.rawdataack", "77")
                        .and("tcp.options.mptcp.rawdataseqno", String.valueOf(0xFEDCBA98L)).and("tcp.options.mptcp.subflowseqno", "1")
                        .and("tcp.options.mptcp.datalvllen", String.valueOf(len)).and("tcp.option_len", "10", "18"));
        add(out, "DSS DATA_FIN, mapping DSN 8, no DATA_ACK (IPv6)", true, TcpFlags.ACK,
                ts(new Dss(OptionalLong.empty(), false, Optional.of(new DataSequenceMapping(dsn + len, true, 0, 1, OptionalInt.empty())), true)),
                TcpSegment.EMPTY, e("tcp.options.mptcp.flags", "0x1c").and("tcp.options.mptcp.datafin.flag", "1")
                        .and("tcp.options.mptcp.rawdataseqno", Long.toUnsignedString(dsn + len)).and("tcp.options.mptcp.subflowseqno", "0")
                        .and("tcp.options.mptcp.datalvllen", "1"));
        add(out, "DSS infinite mapping (fallback)", false, TcpFlags.ACK | TcpFlags.PSH,
                ts(new Dss(OptionalLong.of(9), false, Optional.of(new DataSequenceMapping(123456, false, 0, 0, OptionalInt.empty())), false)), data,
                e("tcp.options.mptcp.datalvllen", "0").and("tcp.options.mptcp.subflowseqno", "0"));

        InetAddress adv4 = v4("203.0.113.9");
        InetAddress adv6 = v6("2001:db8:aa::9");
        long h1 = MptcpCrypto.addAddrHmac(KEY_B, KEY_A, 1, adv4, 0);
        add(out, "ADD_ADDR IPv4 with HMAC", false, TcpFlags.ACK, ts(new AddAddr(false, 1, adv4, OptionalInt.empty(), OptionalLong.of(h1))),
                TcpSegment.EMPTY, e("tcp.options.mptcp.subtype", "3").and("tcp.options.mptcp.echo", "0").and("tcp.options.mptcp.addrid", "1")
                        .and("tcp.options.mptcp.ipv4", "203.0.113.9").and("tcp.options.mptcp.addaddrtrunchmac", Long.toUnsignedString(h1)));
        long h2 = MptcpCrypto.addAddrHmac(KEY_B, KEY_A, 2, adv4, 8080);
        add(out, "ADD_ADDR IPv4 with port and HMAC", false, TcpFlags.ACK, ts(new AddAddr(false, 2, adv4, OptionalInt.of(8080), OptionalLong.of(h2))),
                TcpSegment.EMPTY, e("tcp.options.mptcp.ipv4", "203.0.113.9").and("tcp.options.mptcp.port", "8080")
                        .and("tcp.options.mptcp.addaddrtrunchmac", Long.toUnsignedString(h2)).and("tcp.option_len", "10", "18"));
        long h3 = MptcpCrypto.addAddrHmac(KEY_B, KEY_A, 3, adv6, 0);
        add(out, "ADD_ADDR IPv6 with HMAC (IPv6)", true, TcpFlags.ACK, ts(new AddAddr(false, 3, adv6, OptionalInt.empty(), OptionalLong.of(h3))),
                TcpSegment.EMPTY, e("tcp.options.mptcp.ipv6", "2001:db8:aa::9").and("tcp.options.mptcp.addaddrtrunchmac", Long.toUnsignedString(h3))
                        .and("tcp.option_len", "10", "28"));
        long h4 = MptcpCrypto.addAddrHmac(KEY_B, KEY_A, 4, adv6, 443);
        add(out, "ADD_ADDR IPv6 with port and HMAC", false, TcpFlags.ACK, List.of(new AddAddr(false, 4, adv6, OptionalInt.of(443), OptionalLong.of(h4))),
                TcpSegment.EMPTY, e("tcp.options.mptcp.ipv6", "2001:db8:aa::9").and("tcp.options.mptcp.port", "443")
                        .and("tcp.options.mptcp.addaddrtrunchmac", Long.toUnsignedString(h4)).and("tcp.option_len", "30"));
        add(out, "ADD_ADDR echo IPv4", false, TcpFlags.ACK, ts(new AddAddr(true, 1, adv4, OptionalInt.empty(), OptionalLong.empty())),
                TcpSegment.EMPTY, e("tcp.options.mptcp.echo", "1").and("tcp.options.mptcp.ipv4", "203.0.113.9").and("tcp.option_len", "10", "8"));
        add(out, "ADD_ADDR echo IPv6 with port (IPv6)", true, TcpFlags.ACK, ts(new AddAddr(true, 4, adv6, OptionalInt.of(443), OptionalLong.empty())),
                TcpSegment.EMPTY, e("tcp.options.mptcp.echo", "1").and("tcp.options.mptcp.ipv6", "2001:db8:aa::9").and("tcp.options.mptcp.port", "443"));

        add(out, "REMOVE_ADDR one id", false, TcpFlags.ACK, ts(new MptcpOption.RemoveAddr(List.of(5))), TcpSegment.EMPTY,
                e("tcp.options.mptcp.subtype", "4").and("mptcp.rm_addr.count", "1").and("tcp.options.mptcp.addrid", "5"));
        add(out, "REMOVE_ADDR three ids (IPv6)", true, TcpFlags.ACK, ts(new MptcpOption.RemoveAddr(List.of(1, 2, 250))), TcpSegment.EMPTY,
                e("mptcp.rm_addr.count", "3").and("tcp.options.mptcp.addrid", "1", "2", "250"));
        add(out, "MP_PRIO backup", false, TcpFlags.ACK, ts(new MptcpOption.MpPrio(true, OptionalInt.empty())), TcpSegment.EMPTY,
                e("tcp.options.mptcp.subtype", "5").and("tcp.options.mptcp.backup.flag", "1").and("tcp.option_len", "10", "3"));
        add(out, "MP_PRIO regular", false, TcpFlags.ACK, ts(new MptcpOption.MpPrio(false, OptionalInt.empty())), TcpSegment.EMPTY,
                e("tcp.options.mptcp.backup.flag", "0"));
        add(out, "MP_FAIL", false, TcpFlags.ACK, ts(new MptcpOption.MpFail(dsn)), TcpSegment.EMPTY,
                e("tcp.options.mptcp.subtype", "6").and("tcp.options.mptcp.rawdataseqno", Long.toUnsignedString(dsn)));
        add(out, "MP_FASTCLOSE (IPv6)", true, TcpFlags.ACK | TcpFlags.RST, List.of(new MptcpOption.MpFastclose(KEY_B)), TcpSegment.EMPTY,
                e("tcp.options.mptcp.subtype", "7").and("tcp.options.mptcp.recvkey", Long.toUnsignedString(KEY_B)));
        add(out, "MP_TCPRST transient, too much outstanding data", false, TcpFlags.RST | TcpFlags.ACK,
                List.of(new MptcpOption.MpTcpRst(MptcpOption.MpTcpRst.FLAG_TRANSIENT, MptcpOption.MpTcpRst.REASON_TOO_MUCH_OUTSTANDING_DATA)),
                TcpSegment.EMPTY, e("tcp.options.mptcp.subtype", "8").and("tcp.options.mptcp.flag_T.flag", "1")
                        .and("tcp.options.mptcp.rst_reason", "0x04"));
        for (int reason = MptcpOption.MpTcpRst.REASON_UNSPECIFIED; reason <= MptcpOption.MpTcpRst.REASON_MIDDLEBOX_INTERFERENCE; reason++) {
            add(out, "MP_TCPRST not transient, reason " + reason, false, TcpFlags.RST, List.of(new MptcpOption.MpTcpRst(0, reason)), TcpSegment.EMPTY,
                    e("tcp.options.mptcp.flag_T.flag", "0").and("tcp.options.mptcp.rst_reason", String.format("0x%02x", reason)));
        }
        add(out, "MP_TCPRST all four flag bits", false, TcpFlags.RST, List.of(new MptcpOption.MpTcpRst(0xF, 1)), TcpSegment.EMPTY,
                e("tcp.options.mptcp.flag_U.flag", "1").and("tcp.options.mptcp.flag_V.flag", "1").and("tcp.options.mptcp.flag_W.flag", "1")
                        .and("tcp.options.mptcp.flag_T.flag", "1"));
        add(out, "SACK blocks with DSS", false, TcpFlags.ACK,
                List.of(new TcpOption.Timestamps(5, 6), new TcpOption.Sack(List.of(new TcpOption.SackBlock(3000, 4000))),
                        new Dss(OptionalLong.of(1), false, Optional.empty(), false)),
                TcpSegment.EMPTY, e("tcp.options.sack_le", "3000").and("tcp.options.sack_re", "4000").and("tcp.options.mptcp.rawdataack", "1"));
        return out;
    }

    /** MSS, SACK-permitted, timestamps, window scale and the MPTCP option, as Linux sends a SYN. */
    private static List<TcpOption> handshake(MptcpOption o) {
        return List.of(new TcpOption.Mss(1460), new TcpOption.SackPermitted(), new TcpOption.Timestamps(1000, 0), new TcpOption.WindowScale(7), o);
    }

    private static List<TcpOption> ts(MptcpOption o) {
        return List.of(new TcpOption.Timestamps(2000, 1000), o);
    }

    /** A TCP connection between A and B: its own client port, so tshark keeps it apart from the others. */
    private record Flow(boolean v6, int port) {}

    private static int nextPort = 40000;

    private static Flow flow(boolean v6) {
        return new Flow(v6, nextPort++);
    }

    private static void add(List<Case> out, String name, boolean v6, int flags, List<TcpOption> options, ByteBuffer payload, Expect expect) {
        add(out, name, flow(v6), false, flags, options, payload, expect);
    }

    /** A segment of {@code flow}, from A (client) or, when {@code fromServer}, from B. */
    private static void add(List<Case> out, String name, Flow flow, boolean fromServer, int flags, List<TcpOption> options, ByteBuffer payload,
            Expect expect) {
        IpHeader ip = flow.v6()
                ? (fromServer ? IpHeader.V6.of(B6, A6, IpHeader.PROTOCOL_TCP) : IpHeader.V6.of(A6, B6, IpHeader.PROTOCOL_TCP))
                : (fromServer ? IpHeader.V4.of(B4, A4, IpHeader.PROTOCOL_TCP) : IpHeader.V4.of(A4, B4, IpHeader.PROTOCOL_TCP));
        int clientIsn = 1000;
        int serverIsn = 5000;
        boolean syn = (flags & TcpFlags.SYN) != 0;
        int seq = fromServer ? serverIsn + (syn ? 0 : 1) : clientIsn + (syn ? 0 : 1);
        int ack = (flags & TcpFlags.ACK) == 0 ? 0 : fromServer ? clientIsn + 1 : serverIsn + 1;
        TcpSegment seg = fromServer
                ? new TcpSegment(443, flow.port(), seq, ack, flags, 502, 0, options, payload)
                : new TcpSegment(flow.port(), 443, seq, ack, flags, 502, 0, options, payload);
        out.add(new Case(name, ip, seg, expect.map));
    }

    private static Expect e(String field, String... values) {
        return new Expect().and(field, values);
    }

    private static final class Expect {
        final Map<String, List<String>> map = new LinkedHashMap<>();

        Expect and(String field, String... values) {
            map.put(field, List.of(values));
            return this;
        }
    }

    /**
     * A pseudo-field: the hex the raw option bytes ({@code tcp.options} value) must end with. Wireshark
     * 4.0 shows the DSS checksum field only for MP_CAPABLE, so for DSS the test reads the last two
     * option bytes, where RFC 8684 puts the checksum, and the option length that says it is there.
     */
    static final String RAW_OPTIONS = "raw-suffix:tcp.options";

    private static String rawTail(int checksum) {
        return String.format("%04x", checksum);
    }

    private static String hex16(int v) {
        return String.format("0x%04x", v);
    }

    private static String colonHex(byte[] b) {
        return HexFormat.ofDelimiter(":").formatHex(b);
    }

    private static Inet4Address v4(String s) {
        try {
            return (Inet4Address) InetAddress.getByName(s);
        } catch (UnknownHostException e) {
            throw new AssertionError(e);
        }
    }

    private static Inet6Address v6(String s) {
        try {
            return (Inet6Address) InetAddress.getByName(s);
        } catch (UnknownHostException e) {
            throw new AssertionError(e);
        }
    }
}
