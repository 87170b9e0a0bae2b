package org.mptcp4j.wire;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mptcp4j.wire.LinuxVectors.u32;
import static org.mptcp4j.wire.LinuxVectors.u64;

import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.OptionalInt;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.mptcp4j.crypto.MptcpCrypto;
import org.mptcp4j.pcap.PcapReader;

/**
 * Every packet two Linux 6.18 kernels exchanged over MPTCP v1 (handshake, ADD_ADDR, two MP_JOINs,
 * data with DSS mappings, DATA_FIN, close) decodes, carries the values the kernels logged, and
 * re-encodes to the same bytes.
 *
 * <p>The capture was taken on a veth, where the kernel leaves TCP checksums to an offload that never
 * runs: each checksum field holds the folded pseudo-header sum (CHECKSUM_PARTIAL). The test checks
 * exactly that, and checks that our re-encoded packets carry the completed checksum.
 */
class LinuxCaptureTest {
    private static final long CLIENT_KEY = u64("keys", "client_key");
    private static final long SERVER_KEY = u64("keys", "server_key");
    private static List<PcapReader.Packet> packets;
    private static List<TcpPacket> decoded;

    @BeforeAll
    static void decodeAll() {
        packets = LinuxVectors.packets();
        decoded = new ArrayList<>();
        for (PcapReader.Packet p : packets) {
            DecodeResult<TcpPacket> r = TcpPackets.decode(ByteBuffer.wrap(p.ip()), ChecksumPolicy.ACCEPT_OFFLOAD_PENDING);
            assertThat(r).as("frame %d", decoded.size() + 1).isInstanceOf(DecodeResult.Ok.class);
            decoded.add(((DecodeResult.Ok<TcpPacket>) r).value());
        }
    }

    private static TcpSegment frame(int oneBased) {
        return decoded.get(oneBased - 1).tcp();
    }

    private static <T extends MptcpOption> T mptcp(int frame, Class<T> type) {
        return frame(frame).option(type).orElseThrow(() -> new AssertionError("frame " + frame + " lacks " + type.getSimpleName()));
    }

    @Test
    void everyFrameDecodes_ipChecksumsValid_tcpChecksumsOffloadPending() {
        assertThat(packets).hasSize(78);
        for (int i = 0; i < packets.size(); i++) {
            byte[] ip = packets.get(i).ip();
            TcpPacket p = decoded.get(i);
            int tcpLen = ip.length - p.ip().headerLength();
            int pseudo = Checksums.fold(Checksums.pseudoHeaderSum(p.ip().source(), p.ip().destination(), IpHeader.PROTOCOL_TCP, tcpLen));
            int field = ByteBuffer.wrap(ip).getShort(p.ip().headerLength() + 16) & 0xFFFF;
            assertThat(field).as("frame %d checksum field", i + 1).isEqualTo(pseudo);
            // Strictly verified, the same bytes are refused with the TCP checksum counter.
            assertThat(TcpPackets.decode(ByteBuffer.wrap(ip))).isInstanceOfSatisfying(DecodeResult.Malformed.class,
                    m -> assertThat(m.counter()).isEqualTo(org.mptcp4j.mib.MibCounter.TCP_IN_CSUM_ERRORS));
        }
    }

    @Test
    void reEncodingEveryFrame_givesTheKernelsBytes_withTheChecksumCompleted() {
        for (int i = 0; i < packets.size(); i++) {
            byte[] original = packets.get(i).ip();
            TcpPacket p = decoded.get(i);
            byte[] again = TcpPackets.toBytes(p.ip(), p.tcp());
            assertThat(TcpPackets.decode(ByteBuffer.wrap(again))).as("frame %d re-encoded verifies strictly", i + 1)
                    .isEqualTo(DecodeResult.ok(p));
            int csumAt = p.ip().headerLength() + 16;
            again[csumAt] = original[csumAt];
            again[csumAt + 1] = original[csumAt + 1];
            assertThat(HexFormat.of().formatHex(again)).as("frame %d", i + 1).isEqualTo(HexFormat.of().formatHex(original));
        }
    }

    @Test
    void mpCapableHandshake_carriesTheKeys() {
        MptcpOption.MpCapable syn = mptcp(1, MptcpOption.MpCapable.class);
        assertThat(syn).isEqualTo(MptcpOption.MpCapable.syn(MptcpOption.MpCapable.FLAG_HMAC_SHA256));
        assertThat(syn.encodedLength()).isEqualTo(4);
        assertThat(mptcp(2, MptcpOption.MpCapable.class)).isEqualTo(MptcpOption.MpCapable.synAck(MptcpOption.MpCapable.FLAG_HMAC_SHA256, SERVER_KEY));
        assertThat(mptcp(3, MptcpOption.MpCapable.class))
                .isEqualTo(MptcpOption.MpCapable.ack(MptcpOption.MpCapable.FLAG_HMAC_SHA256, CLIENT_KEY, SERVER_KEY));
        assertThat(frame(1).options()).containsExactly(new TcpOption.Mss(1460), new TcpOption.SackPermitted(),
                new TcpOption.Timestamps(0x3a8056f1, 0), new TcpOption.WindowScale(10), syn);
    }

    @Test
    void addAddr_andItsEcho() throws Exception {
        MptcpOption.AddAddr add = mptcp(4, MptcpOption.AddAddr.class);
        assertThat(add.echo()).isFalse();
        assertThat(add.addressId()).isEqualTo(u32("add_addr", "address_id"));
        assertThat(add.address()).isEqualTo(InetAddress.getByName("198.18.2.2"));
        assertThat(add.port()).isEmpty();
        assertThat(add.truncatedHmac().getAsLong()).isEqualTo(u64("add_addr", "truncated_hmac"))
                .isEqualTo(MptcpCrypto.addAddrHmac(SERVER_KEY, CLIENT_KEY, add.addressId(), add.address(), 0));
        MptcpOption.AddAddr echo = mptcp(5, MptcpOption.AddAddr.class);
        assertThat(echo).isEqualTo(new MptcpOption.AddAddr(true, 1, add.address(), OptionalInt.empty(), java.util.OptionalLong.empty()));
    }

    @Test
    void bothMpJoins_carryTokensRandomsAndHmacsOurCryptoReproduces() {
        int serverToken = MptcpCrypto.tokenOf(SERVER_KEY);
        assertThat(Integer.toUnsignedLong(serverToken)).isEqualTo(u64("derived", "server_token"));
        // Subflow 2 (frames 6-8) is in the JSON; subflow 3 (frames 10-12) is checked with the same crypto.
        for (int first : new int[] {6, 10}) {
            MptcpOption.MpJoinSyn syn = mptcp(first, MptcpOption.MpJoinSyn.class);
            MptcpOption.MpJoinSynAck synAck = mptcp(first + 1, MptcpOption.MpJoinSynAck.class);
            MptcpOption.MpJoinAck ack = mptcp(first + 2, MptcpOption.MpJoinAck.class);
            assertThat(syn.receiverToken()).isEqualTo(serverToken);
            assertThat(synAck.senderTruncatedHmac())
                    .isEqualTo(MptcpCrypto.joinSynAckHmac(SERVER_KEY, CLIENT_KEY, synAck.senderRandom(), syn.senderRandom()));
            assertThat(ack.senderHmac()).isEqualTo(MptcpCrypto.joinAckHmac(CLIENT_KEY, SERVER_KEY, syn.senderRandom(), synAck.senderRandom()));
        }
        assertThat(mptcp(6, MptcpOption.MpJoinSyn.class).senderRandom()).isEqualTo(u32("mp_join_subflow_2", "client_random"));
        assertThat(mptcp(7, MptcpOption.MpJoinSynAck.class).senderRandom()).isEqualTo(u32("mp_join_subflow_2", "server_random"));
        assertThat(mptcp(7, MptcpOption.MpJoinSynAck.class).senderTruncatedHmac()).isEqualTo(u64("mp_join_subflow_2", "server_truncated_hmac"));
        assertThat(HexFormat.of().formatHex(mptcp(8, MptcpOption.MpJoinAck.class).senderHmac()))
                .isEqualTo(LinuxVectors.field("mp_join_subflow_2", "client_hmac_160"));
    }

    @Test
    void dataMappings_startAtTheIdsnPlusOne_andDataFinTakesOneByte() {
        MptcpOption.Dss first = mptcp(14, MptcpOption.Dss.class);
        MptcpOption.DataSequenceMapping map = first.mapping().orElseThrow();
        assertThat(map.dsn()).isEqualTo(MptcpCrypto.idsnOf(CLIENT_KEY) + 1);
        assertThat(map.dsnIs64()).isTrue();
        assertThat(map.subflowSeq()).isEqualTo(1);
        assertThat(map.dataLevelLength()).isEqualTo(frame(14).payloadLength()).isEqualTo(2048);
        assertThat(map.checksum()).isEmpty();
        assertThat(first.encodedLength()).isEqualTo(22);
        assertThat(first.dataAck().getAsLong()).isEqualTo((MptcpCrypto.idsnOf(SERVER_KEY) + 1) & 0xFFFF_FFFFL);
        assertThat(first.dataAckIs64()).isFalse();

        MptcpOption.Dss dataFin = mptcp(54, MptcpOption.Dss.class);
        assertThat(dataFin.dataFin()).isTrue();
        assertThat(dataFin.mapping().orElseThrow().subflowSeq()).isZero();
        assertThat(dataFin.mapping().orElseThrow().dataLevelLength()).isEqualTo(1);
        assertThat(frame(54).payloadLength()).isZero();
    }
}
