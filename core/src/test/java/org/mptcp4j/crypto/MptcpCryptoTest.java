package org.mptcp4j.crypto;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mptcp4j.wire.LinuxVectors.u32;
import static org.mptcp4j.wire.LinuxVectors.u64;

import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.mptcp4j.base.Rng;
import org.mptcp4j.wire.Checksums;
import org.mptcp4j.wire.LinuxVectors;

/** RFC 8684 crypto against the values two Linux 6.18 kernels exchanged, and against hand-worked sums. */
class MptcpCryptoTest {
    private static final long CLIENT_KEY = u64("keys", "client_key");
    private static final long SERVER_KEY = u64("keys", "server_key");

    @Test
    void tokenAndIdsn_matchTheKernels() {
        assertThat(Integer.toUnsignedLong(MptcpCrypto.tokenOf(SERVER_KEY))).isEqualTo(u64("derived", "server_token"));
        assertThat(Integer.toUnsignedLong(MptcpCrypto.tokenOf(CLIENT_KEY))).isEqualTo(u64("derived", "client_token"));
        assertThat(MptcpCrypto.idsnOf(SERVER_KEY)).isEqualTo(u64("derived", "server_idsn"));
        assertThat(MptcpCrypto.idsnOf(CLIENT_KEY)).isEqualTo(u64("derived", "client_idsn"));
    }

    @Test
    void joinHmacs_matchTheKernels_leftmostBitsInBothDirections() {
        int clientRandom = u32("mp_join_subflow_2", "client_random");
        int serverRandom = u32("mp_join_subflow_2", "server_random");
        assertThat(MptcpCrypto.joinSynAckHmac(SERVER_KEY, CLIENT_KEY, serverRandom, clientRandom))
                .isEqualTo(u64("mp_join_subflow_2", "server_truncated_hmac"));
        assertThat(HexFormat.of().formatHex(MptcpCrypto.joinAckHmac(CLIENT_KEY, SERVER_KEY, clientRandom, serverRandom)))
                .isEqualTo(LinuxVectors.field("mp_join_subflow_2", "client_hmac_160"));
        // The SYN/ACK's 64 bits are the first 8 of the same full HMAC the ACK's 160 bits start with (keys swapped).
        byte[] full = MptcpCrypto.joinHmac(SERVER_KEY, CLIENT_KEY, serverRandom, clientRandom);
        assertThat(ByteBuffer.wrap(full).getLong()).isEqualTo(u64("mp_join_subflow_2", "server_truncated_hmac"));
    }

    @Test
    void addAddrHmac_isTheRightmost64Bits_withZeroPortWhenAbsent() throws Exception {
        InetAddress addr = InetAddress.getByName(LinuxVectors.field("add_addr", "address"));
        int id = LinuxVectors.u32("add_addr", "address_id");
        long hmac = MptcpCrypto.addAddrHmac(SERVER_KEY, CLIENT_KEY, id, addr, 0);
        assertThat(hmac).isEqualTo(u64("add_addr", "truncated_hmac"));
        byte[] msg = {(byte) id, (byte) 198, 18, 2, 2, 0, 0};
        byte[] full = MptcpCrypto.hmacSha256(ByteBuffer.allocate(16).putLong(SERVER_KEY).putLong(CLIENT_KEY).array(), msg);
        assertThat(ByteBuffer.wrap(full).getLong(24)).isEqualTo(hmac);
        assertThat(MptcpCrypto.addAddrHmac(SERVER_KEY, CLIENT_KEY, id, addr, 8080)).isNotEqualTo(hmac);
    }

    @Test
    void hmacSha256_matchesTheKernelUnitVectors() {
        List<String[]> cases = LinuxVectors.kernelHmacCases();
        assertThat(cases).hasSize(3);
        for (String[] c : cases) {
            byte[] mac = MptcpCrypto.hmacSha256(c[0].getBytes(StandardCharsets.US_ASCII), c[1].getBytes(StandardCharsets.US_ASCII));
            assertThat(HexFormat.of().formatHex(mac)).as("key %s msg %s", c[0], c[1]).isEqualTo(c[2]);
        }
    }

    @Test
    void dssChecksum_handWorked() {
        // Words: DSN 0,0,0,1; subflow seq 0,1; length 4; checksum field 0; payload 0x0001 0x0002.
        // Sum 1+1+4+1+2 = 9, checksum = ~9 = 0xfff6.
        ByteBuffer payload = ByteBuffer.wrap(new byte[] {0, 1, 0, 2});
        assertThat(MptcpCrypto.dssChecksum(1, 1, 4, payload)).isEqualTo(0xFFF6);
        assertThat(payload.position()).isZero();
        // An odd payload byte is padded with zero on the right: 0xab00. Sum 0xab00 + 3 -> ~0xab03 = 0x54fc.
        assertThat(MptcpCrypto.dssChecksum(0, 0, 3, ByteBuffer.wrap(new byte[] {(byte) 0xAB}))).isEqualTo(0x54FC);
        // End-around carry: the DSN's four 0xffff words fold to 0xffff, whose complement is 0.
        assertThat(MptcpCrypto.dssChecksum(-1L, 0, 0, ByteBuffer.allocate(0))).isEqualTo(0);
    }

    @Test
    void dssChecksum_insertedIntoThePseudoHeader_verifies() {
        byte[] data = "multipath payload, odd length".getBytes(StandardCharsets.US_ASCII);
        long dsn = 0x0123_4567_89AB_CDEFL;
        int csum = MptcpCrypto.dssChecksum(dsn, 1000, data.length, ByteBuffer.wrap(data));
        ByteBuffer pseudo = ByteBuffer.allocate(16 + data.length).putLong(dsn).putInt(1000).putShort((short) data.length)
                .putShort((short) csum).put(data);
        assertThat(Checksums.verifies(Checksums.sum(pseudo, 0, pseudo.capacity(), 0))).isTrue();
    }

    @net.jqwik.api.Property(tries = 300, seed = "3311")
    void dssChecksum_overPiecesOfAnyLength_equalsTheOneShot(@net.jqwik.api.ForAll @net.jqwik.api.constraints.Size(max = 300) byte[] data,
            @net.jqwik.api.ForAll long dsn, @net.jqwik.api.ForAll int ssn, @net.jqwik.api.ForAll long cutSeed) {
        int expected = MptcpCrypto.dssChecksum(dsn, ssn, data.length, ByteBuffer.wrap(data));
        DssChecksum acc = new DssChecksum().start(dsn, ssn, data.length);
        Rng rng = Rng.seeded(cutSeed);
        int at = 0;
        while (at < data.length) {
            int n = Math.min(data.length - at, rng.nextInt(9));
            acc.update(ByteBuffer.wrap(data, at, n));
            at += n;
        }
        assertThat(acc.bytes()).isEqualTo(data.length);
        assertThat(acc.finish()).isEqualTo(expected);
        assertThat(acc.verifies(expected)).isTrue();
        assertThat(acc.verifies(expected ^ 1)).isFalse();
    }

    @Test
    void generateKey_skipsZeroKeys() {
        long[] values = {0L, 0L, 42L};
        int[] i = {0};
        Rng rng = () -> values[i[0]++];
        assertThat(MptcpCrypto.generateKey(rng)).isEqualTo(42L);
        Rng seeded = Rng.seeded(7);
        for (int k = 0; k < 100; k++) {
            long key = MptcpCrypto.generateKey(seeded);
            assertThat(key).isNotZero();
            assertThat(MptcpCrypto.tokenOf(key)).isNotZero();
        }
    }
}
