package org.mptcp4j.wire;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;
import org.mptcp4j.base.Rng;
import org.mptcp4j.crypto.DssChecksum;
import org.mptcp4j.crypto.MptcpCrypto;
import org.mptcp4j.mib.Mib;
import org.mptcp4j.mib.MibCounter;

/** The snippets of docs/WIRE.md, as written there, on one data segment with a DSS mapping. */
class WireGuideExampleTest {

    private static final byte[] PAYLOAD = "0123456789abcdefghi".getBytes(); // odd length on purpose

    @Test
    void encodeThenDecode_dssComesBack_corruptionIsCounted() throws Exception {
        Inet4Address src = (Inet4Address) InetAddress.getByName("10.0.0.1");
        Inet4Address dst = (Inet4Address) InetAddress.getByName("10.0.0.2");
        long dsn64 = 0x1_0000_0005L;
        int csum = MptcpCrypto.dssChecksum(dsn64, 1, PAYLOAD.length, ByteBuffer.wrap(PAYLOAD));
        MptcpOption.Dss dssOut = new MptcpOption.Dss(OptionalLong.of(77), false,
                Optional.of(new MptcpOption.DataSequenceMapping(dsn64, true, 1, PAYLOAD.length, OptionalInt.of(csum))), false);
        TcpSegment segment = new TcpSegment(40000, 5001, 1001, 2002, TcpFlags.ACK | TcpFlags.PSH, 512, 0,
                List.of(dssOut), ByteBuffer.wrap(PAYLOAD));
        ByteBuffer out = ByteBuffer.allocate(1500);

        // "Encoding"
        int n = TcpPackets.encode(IpHeader.V4.of(src, dst, IpHeader.PROTOCOL_TCP), segment, out); // both checksums
        IpHeader ip = IpHeader.V4.of(src, dst, IpHeader.PROTOCOL_TCP);
        byte[] packet = TcpPackets.toBytes(ip, segment);                                        // tests, pcap
        assertThat(packet).hasSize(n).isEqualTo(java.util.Arrays.copyOf(out.array(), n));

        // "The two ways to decode", value path
        Mib mib = new Mib();
        byte[] bytes = packet;
        Optional<MptcpOption.Dss> seen = Optional.empty();
        DecodeResult<TcpPacket> r = TcpPackets.decode(ByteBuffer.wrap(bytes));
        switch (r) {
            case DecodeResult.Ok<TcpPacket>(TcpPacket p) -> {
                seen = p.tcp().option(MptcpOption.Dss.class);
            }
            case DecodeResult.Malformed<TcpPacket> m -> mib.increment(m.counter()); // drop
        }
        assertThat(seen).contains(dssOut);

        bytes = packet.clone();
        bytes[n - 1] ^= 1;                                                   // one payload bit
        r = TcpPackets.decode(ByteBuffer.wrap(bytes));
        if (r instanceof DecodeResult.Malformed<TcpPacket> m) {
            mib.increment(m.counter());
        }
        assertThat(mib.get(MibCounter.TCP_IN_CSUM_ERRORS)).isEqualTo(1);

        // the hot path gives the same verdict
        TcpPacketView view = new TcpPacketView();
        assertThat(view.parse(ByteBuffer.wrap(packet))).isNull();
        assertThat(view.parse(ByteBuffer.wrap(bytes))).isEqualTo(MibCounter.TCP_IN_CSUM_ERRORS);
    }

    @Test
    void crypto_tokenIdsnAndDssChecksumInPieces() throws Exception {
        Rng rng = Rng.seeded(3);
        long key   = MptcpCrypto.generateKey(rng);          // non-zero, non-zero token
        int token  = MptcpCrypto.tokenOf(key);              // SHA-256(key), most significant 32 bits
        long idsn  = MptcpCrypto.idsnOf(key);               // least significant 64 bits
        byte[] sha = MessageDigest.getInstance("SHA-256").digest(ByteBuffer.allocate(8).putLong(key).array());
        assertThat(token).isEqualTo(ByteBuffer.wrap(sha).getInt(0));
        assertThat(idsn).isEqualTo(ByteBuffer.wrap(sha).getLong(24));

        long serverKey = key, clientKey = MptcpCrypto.generateKey(rng);
        int serverRandom = 1, clientRandom = 2;
        long synAckHmac = MptcpCrypto.joinSynAckHmac(serverKey, clientKey, serverRandom, clientRandom); // leftmost 64
        byte[] ackHmac  = MptcpCrypto.joinAckHmac(clientKey, serverKey, clientRandom, serverRandom);   // leftmost 160
        assertThat(ackHmac).hasSize(20);
        assertThat(synAckHmac).isEqualTo(ByteBuffer.wrap(MptcpCrypto.joinHmac(serverKey, clientKey, serverRandom, clientRandom)).getLong(0));

        long dsn64 = 0xFFFF_FFFF_0000_0001L;
        int relativeSubflowSeq = 1, dataLevelLength = PAYLOAD.length;
        int csum = MptcpCrypto.dssChecksum(dsn64, relativeSubflowSeq, dataLevelLength, ByteBuffer.wrap(PAYLOAD));
        DssChecksum acc = new DssChecksum();
        acc.start(dsn64, relativeSubflowSeq, dataLevelLength);
        acc.update(ByteBuffer.wrap(PAYLOAD, 0, 7));                          // odd lengths are fine
        acc.update(ByteBuffer.wrap(PAYLOAD, 7, PAYLOAD.length - 7));
        assertThat(acc.verifies(csum)).isTrue();
    }
}
