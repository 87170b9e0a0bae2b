package org.mptcp4j.sim;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.mptcp4j.pcap.PcapReader;
import org.mptcp4j.sim.traffic.Ipv4Udp;
import org.mptcp4j.link.LinkSpec;
import org.mptcp4j.link.LossModel;

class PcapTapTest {

    @Test
    void tapOnReceive_writesEveryDeliveredPacketWithItsArrivalTime() {
        TwoHosts net = new TwoHosts(5, LinkSpec.of(100_000_000L, Duration.ofMillis(10))
                .withLoss(LossModel.bernoulli(0.1)));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        PcapTap tap = PcapTap.open(out).watch(net.link, PcapTap.Point.RECEIVE);
        net.send(net.source().count(200).intervalNanos(200_000));

        net.sim.run();
        tap.close();

        List<PcapReader.Packet> packets = PcapReader.read(out.toByteArray()).orElseThrow();
        assertThat(packets).hasSize((int) net.sink.packets());
        assertThat(tap.packetsWritten()).isEqualTo(packets.size());
        for (int i = 0; i < packets.size(); i++) {
            ByteBuffer ip = ByteBuffer.wrap(packets.get(i).ip());
            assertThat(Ipv4Udp.check(ip)).isEqualTo(Ipv4Udp.Verdict.OK);
            assertThat(Ipv4Udp.seq(ip)).isEqualTo(net.sink.arrivalSeq(i));
            assertThat(packets.get(i).timeNanos()).isEqualTo(net.sink.arrivalNanos(i));
        }
    }

    @Test
    void tapOnTransmit_seesPacketsThatAreLostLater() {
        TwoHosts net = new TwoHosts(5, LinkSpec.of(100_000_000L, Duration.ofMillis(10))
                .withLoss(LossModel.bernoulli(0.5)));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        PcapTap tap = PcapTap.open(out).watch(net.link, PcapTap.Point.TRANSMIT);
        net.send(net.source().burst(10).count(10));

        net.sim.run();
        tap.flush();

        List<PcapReader.Packet> packets = PcapReader.read(out.toByteArray()).orElseThrow();
        assertThat(packets).hasSize(10);
        for (int i = 0; i < 10; i++) {
            // Serialization of packet i starts when packet i-1 is fully sent.
            assertThat(packets.get(i).timeNanos()).isEqualTo(i * 120_000L);
        }
        assertThat(net.sink.packets()).isLessThan(10);
    }
}
