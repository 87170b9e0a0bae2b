package org.mptcp4j.net.testbed;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mptcp4j.net.support.NetCapabilities;

/**
 * The client's stream rebuilt from the project's Linux 6.18 capture (40 KB in segments of 2048 bytes,
 * each byte its offset modulo 256, on one subflow), and from a copy with one payload byte altered.
 */
class RebuiltStreamTest {
    private static final String CLIENT = "ip.src == 198.18.1.1";
    private static final int SENT = 40_960;
    /** Frame 30 carries the 2048 bytes at DSN 16385 (relative), offset 16384 of the stream. */
    private static final int DATA_FRAME = 30;

    @TempDir
    Path dir;

    @Test
    void linuxCapture_holdsEveryByteTheClientSent() throws Exception {
        NetCapabilities.requireProgram("tshark");

        RebuiltStream s = RebuiltStream.of(linuxCapture(), CLIENT, SENT);

        assertThat(s.missing()).isZero();
        assertThat(s.unmapped()).isZero();
        assertThat(s.conflicts()).isZero();
        assertThat(s.differences(countingBytes())).isEmpty();
    }

    @Test
    void onePayloadByteAlteredOnTheWire_isFoundAtItsOffset() throws Exception {
        NetCapabilities.requireProgram("tshark");
        Path altered = dir.resolve("altered.pcap");
        alterPayloadByte(linuxCapture(), altered, DATA_FRAME, 5);

        RebuiltStream s = RebuiltStream.of(altered, CLIENT, SENT);

        assertThat(s.missing()).isZero();
        assertThat(s.differences(countingBytes())).containsExactly(16_384 + 5);
    }

    @Test
    void whatAnApplicationRead_isComparedByOffset() {
        byte[] expected = countingBytes();
        byte[] read = expected.clone();
        read[100] ^= 1;

        assertThat(RebuiltStream.differences(expected, read)).containsExactly(100);
        assertThat(RebuiltStream.differences(expected, java.util.Arrays.copyOf(expected, SENT - 2)))
                .containsExactly(SENT - 2, SENT - 1);
    }

    private static byte[] countingBytes() {
        byte[] b = new byte[SENT];
        for (int i = 0; i < b.length; i++) {
            b[i] = (byte) i;
        }
        return b;
    }

    /** Copies the raw-IPv4 pcap {@code in} to {@code out} with payload byte {@code index} of {@code frame} (1-based) inverted. */
    private static void alterPayloadByte(Path in, Path out, int frame, int index) throws Exception {
        ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(in));
        int off = 24; // the pcap file header
        for (int n = 1; off < b.limit(); n++) {
            int captured = b.order(ByteOrder.LITTLE_ENDIAN).getInt(off + 8);
            int ip = off + 16;
            if (n == frame) {
                int tcp = ip + (b.get(ip) & 0x0f) * 4;
                int payload = tcp + ((b.get(tcp + 12) & 0xf0) >>> 4) * 4;
                b.put(payload + index, (byte) ~b.get(payload + index));
            }
            off = ip + captured;
        }
        Files.write(out, b.array());
    }

    private Path linuxCapture() throws Exception {
        Path p = dir.resolve("linux-6.18-mptcp-v1.pcap");
        try (var in = getClass().getResourceAsStream("/vectors/linux-6.18-mptcp-v1.pcap")) {
            Files.copy(in, p);
        }
        return p;
    }
}
