package org.mptcp4j.pcap;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.List;
import org.junit.jupiter.api.Test;

class PcapRoundTripTest {
    @Test
    void writtenPacketsReadBackWithNanosecondTimes() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        PcapWriter w = new PcapWriter(out);
        byte[] p1 = {0x45, 0, 0, 20, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16};
        byte[] p2 = {0x60, 1, 2, 3};
        w.write(1_500_000_123L, ByteBuffer.wrap(p1));
        w.write(2_000_000_000L, p2, 0, p2.length);
        w.close();

        List<PcapReader.Packet> packets = PcapReader.read(out.toByteArray()).orElseThrow();
        assertThat(packets).hasSize(2);
        assertThat(packets.get(0).timeNanos()).isEqualTo(1_500_000_123L);
        assertThat(packets.get(0).ip()).isEqualTo(p1);
        assertThat(packets.get(1).ip()).isEqualTo(p2);
        assertThat(w.packetsWritten()).isEqualTo(2);
    }

    @Test
    void notAPcap_isEmpty() {
        assertThat(PcapReader.read(new byte[30])).isEmpty();
    }
}
