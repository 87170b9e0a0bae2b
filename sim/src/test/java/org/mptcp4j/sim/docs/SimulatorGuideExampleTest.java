package org.mptcp4j.sim.docs;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.mptcp4j.base.Nanos;
import org.mptcp4j.mib.MibCounter;
import org.mptcp4j.mptcp.Endpoint;
import org.mptcp4j.mptcp.Limits;
import org.mptcp4j.mptcp.MptcpConfig;
import org.mptcp4j.mptcp.MptcpInfo;
import org.mptcp4j.sim.DuplexLink;
import org.mptcp4j.sim.Host;
import org.mptcp4j.sim.LinkCounters;
import org.mptcp4j.link.LinkSpec;
import org.mptcp4j.link.LossModel;
import org.mptcp4j.sim.PcapTap;
import org.mptcp4j.link.QueueLimit;
import org.mptcp4j.sim.QueueSamples;
import org.mptcp4j.sim.Router;
import org.mptcp4j.sim.Simulation;
import org.mptcp4j.sim.stack.BulkSender;
import org.mptcp4j.sim.stack.Sink;
import org.mptcp4j.sim.stack.StackEndpoint;
import org.mptcp4j.sim.topo.CongestionTestbed;
import org.mptcp4j.sim.topo.MultipathTestbed;
import org.mptcp4j.sim.topo.PathSpec;
import org.mptcp4j.sim.topo.PerformanceTestbed;
import org.mptcp4j.sim.topo.Topologies;
import org.mptcp4j.sim.traffic.CountingSink;
import org.mptcp4j.sim.traffic.UdpSource;
import org.mptcp4j.stack.StackConfig;

/**
 * The snippets of docs/SIMULATOR.md and the simulator snippet of docs/TCP.md, as written there
 * (only the scaffolding a snippet leaves out is added), so the guides cannot drift from the API.
 */
class SimulatorGuideExampleTest {

    /** SIMULATOR.md "Build a topology": a, r, b with a lossy 100 Mbit/s bottleneck. */
    private static final class Topology {
        final Simulation sim = new Simulation(42);                       // the run seed
        final Host a = sim.host("a", "10.0.0.1");
        final Router r = sim.router("r");
        final Host b = sim.host("b", "10.0.1.1");

        final LinkSpec access = LinkSpec.of(1_000_000_000L, Duration.ofMillis(1));
        final LinkSpec neck = LinkSpec.of(100_000_000L, Duration.ofMillis(10))
                .withQueue(QueueLimit.packets(100))
                .withLoss(LossModel.bernoulli(0.01));

        final DuplexLink ar = sim.connect(a, r, access);                 // aToB() and bToA()
        final DuplexLink rb = sim.connect(r, b, neck);

        Topology() {
            a.route("0.0.0.0/0", ar.aToB());
            b.route("0.0.0.0/0", rb.bToA());
            r.route("10.0.1.0/24", rb.aToB()).route("10.0.0.0/24", ar.bToA());
        }
    }

    @Test
    void udpSource_overTheTopology_arrivesLessTheBottlenecksLoss() {
        Topology t = new Topology();
        Host a = t.a, b = t.b;

        a.attach(UdpSource.from("10.0.0.1").to("10.0.1.1")
                .payloadBytes(1472).rateBps(50_000_000).count(10_000).build());
        CountingSink sink = new CountingSink();
        b.attach(sink);
        t.sim.run();

        assertThat(sink.badChecksum()).isZero();
        assertThat(sink.packets() + t.rb.aToB().counters().droppedLoss()).isEqualTo(10_000);
        assertThat(sink.packets()).isBetween(9_800L, 9_950L); // 1 % loss, seed 42
    }

    /** SIMULATOR.md "MTU and path MTU discovery". */
    @Test
    void datagramTooBigForTheNeck_isAnsweredWithFragmentationNeeded() {
        Topology t = new Topology();
        Simulation sim = t.sim;
        Host a = t.a;
        Router r = t.r;
        DuplexLink rb = t.rb;
        LinkSpec neck = t.neck;
        List<byte[]> toA = new ArrayList<>();
        t.ar.bToA().observeReceive((now, link, p) -> toA.add(java.util.Arrays.copyOf(p.data(), p.length())));

        r.address("10.0.0.254");                          // the topology above; r's ICMP comes from here
        rb.aToB().reconfigure(neck.withMtu(1280));        // or LinkSpec.of(...).withMtu(1280) from the start
        a.attach(UdpSource.from("10.0.0.1").to("10.0.1.1").payloadBytes(1472).count(1).build()); // 1500 B, DF
        sim.run();

        assertThat(r.droppedTooBig()).isEqualTo(1);
        assertThat(r.icmpTooBigSent()).isEqualTo(1);
        assertThat(toA).hasSize(1);
        var icmp = org.mptcp4j.wire.IcmpCodec.decode(java.nio.ByteBuffer.wrap(toA.get(0)));
        assertThat(((org.mptcp4j.wire.IcmpMessage.PacketTooBig) ((org.mptcp4j.wire.DecodeResult.Ok<?>) icmp).value()).mtu())
                .isEqualTo(1280);
    }

    @Test
    void stackEndpoint_bulkTransferToSink_sha256Equal() throws UnknownHostException {
        Topology t = new Topology();
        Host a = t.a, b = t.b;
        Simulation sim = t.sim;

        Sink sink = new Sink(5001);                                   // accepts, reads, hashes (SHA-256)
        b.attach(new StackEndpoint(StackConfig.defaults()).add(sink));
        BulkSender app = new BulkSender(new InetSocketAddress(InetAddress.getByName("10.0.1.1"), 5001),
                1L << 20, /* stream seed */ 1);
        a.attach(new StackEndpoint(StackConfig.defaults().withCongestionControl("cubic")).add(app));
        sim.runUntil(() -> !sink.flows().isEmpty() && sink.flow().isComplete(), Nanos.ofSeconds(600));
        assert sink.flow().sha256().equals(app.sha256());

        assertThat(sink.flow().bytes()).isEqualTo(1L << 20);
        assertThat(sink.flow().sha256()).isEqualTo(app.sha256());
    }

    @Test
    void failuresImpairmentsObservation_countAndCapture() throws Exception {
        Topology t = new Topology();
        DuplexLink rb = t.rb;
        LinkSpec neck = t.neck;
        Simulation sim = t.sim;
        t.a.attach(UdpSource.from("10.0.0.1").to("10.0.1.1")
                .payloadBytes(1000).rateBps(10_000_000).count(3_000).build());
        CountingSink sink = new CountingSink();
        t.b.attach(sink);

        rb.aToB().downAt(Nanos.ofSeconds(1)).upAt(Nanos.ofSeconds(2));  // cut: queue and wire are lost
        rb.aToB().reconfigureAt(Nanos.ofMillis(2_200), neck.withRate(10_000_000L)); // like `tc qdisc change`
        LinkSpec lossy = neck.withLoss(LossModel.GilbertElliott.gilbert(0.01, 0.25)) // bursts of 4
                .withReordering(0.01, Duration.ofMillis(2))
                .withDuplication(0.001)
                .withCorruption(0.0001);
        rb.aToB().reconfigureAt(Nanos.ofMillis(2_300), lossy);

        LinkCounters c = rb.aToB().counters();
        QueueSamples q = rb.aToB().sampleQueue(Nanos.ofMillis(1), Nanos.ofSeconds(3));
        ByteArrayOutputStream capture = new ByteArrayOutputStream();
        try (PcapTap tap = PcapTap.open(capture)) {
            tap.watch(rb.aToB(), PcapTap.Point.RECEIVE);
            sim.run();
            assertThat(tap.packetsWritten()).isEqualTo(sink.packets());
        }

        assertThat(c.droppedDown()).isPositive();   // about one second of traffic
        assertThat(c.droppedLoss()).isPositive();
        assertThat(q.count()).isEqualTo(3_001); // t = 0, 1 ms, ..., 3 s
        assertThat((long) capture.size()).isEqualTo(24 + sink.packets() * (16 + 1028)); // pcap header, record header + IPv4/UDP + 1000
    }

    @Test
    void readyMadeTestbeds_haveTheDocumentedAddresses() {
        PathSpec pathA = PathSpec.of(100_000_000L, Duration.ofMillis(10));
        PathSpec pathB = PathSpec.of(100_000_000L, Duration.ofMillis(100)).withLoss(LossModel.bernoulli(0.001));
        PerformanceTestbed bed = Topologies.performanceTestbed(pathA, pathB);
        PerformanceTestbed bed6 = Topologies.performanceTestbed(new Simulation(7), pathA, pathB,
                Topologies.Family.IPV6);
        CongestionTestbed fig2 = Topologies.congestionTestbed();

        assertThat(bed.source().addresses()).extracting(InetAddress::getHostAddress)
                .containsExactly("198.18.11.2", "198.18.21.2");
        assertThat(bed.destination().addresses()).extracting(InetAddress::getHostAddress)
                .containsExactly("198.18.12.2", "198.18.22.2");
        assertThat(bed6.source().addresses().getFirst().getHostAddress()).isEqualTo("fd00:1:1:0:0:0:0:2");
        assertThat(fig2.server().addresses().getFirst().getHostAddress()).isEqualTo(CongestionTestbed.SERVER_ADDRESS);
        bed.pathA().downAt(0);
        assertThat(bed.pathA().sourceSide().aToB().isUp()).isTrue(); // takes effect when the sim reaches t
        bed.sim().runUntil(1);
        assertThat(bed.pathA().sourceSide().aToB().isUp()).isFalse();
    }

    /** SIMULATOR.md "A first run". */
    @Test
    void firstRun_sha256Equal() {
        Simulation sim = new Simulation(1);                              // the run seed
        Host a = sim.host("a", "10.0.0.1"), b = sim.host("b", "10.0.0.2");
        DuplexLink link = sim.connect(a, b, LinkSpec.of(100_000_000, Duration.ofMillis(10)));
        a.route("0.0.0.0/0", link.aToB());
        b.route("0.0.0.0/0", link.bToA());
        Sink sink = new Sink(5001);
        b.attach(new StackEndpoint(StackConfig.defaults()).add(sink));
        BulkSender sender = new BulkSender(new InetSocketAddress("10.0.0.2", 5001), 10L << 20, 42);
        a.attach(new StackEndpoint(StackConfig.defaults()).add(sender));
        sim.runUntil(() -> !sink.flows().isEmpty() && sink.flow().isComplete(), Nanos.ofSeconds(60));
        String printed = sink.flow().sha256().equals(sender.sha256()) + " " + sender.info();
        System.out.println(printed);

        assertThat(sink.flow().bytes()).isEqualTo(10L << 20);
        assertThat(sink.flow().sha256()).isEqualTo(sender.sha256());
        assertThat(printed).startsWith("true ").contains("cwnd:");
    }

    /** SIMULATOR.md "MPTCP in the simulator": a client subflow endpoint joins path B. */
    @Test
    void mptcp_clientSubflowEndpoint_joinsPathB() throws UnknownHostException {
        Simulation sim = new Simulation(7);
        MultipathTestbed bed = Topologies.multipathTestbed(sim,
                PathSpec.of(20_000_000L, Duration.ofMillis(10)),                  // path A: client 198.18.11.2
                PathSpec.of(20_000_000L, Duration.ofMillis(100)));                // path B: client 198.18.21.2
        Endpoint second = Endpoint.of(InetAddress.getByName("198.18.21.2"), 1, Endpoint.Flag.SUBFLOW);
        StackConfig client = StackConfig.defaults().withMptcp(MptcpConfig.defaults()
                .withEndpoints(List.of(second)).withLimits(new Limits(1, 0)));   // ip mptcp limits set subflows 1
        Sink sink = new Sink(5001);
        bed.server().attach(new StackEndpoint(StackConfig.defaults()).add(sink)); // 198.18.0.2
        BulkSender app = new BulkSender(new InetSocketAddress(MultipathTestbed.SERVER_ADDRESS, 5001), 8L << 20, 1);
        StackEndpoint clientEnd = new StackEndpoint(client).add(app);
        bed.client().attach(clientEnd);
        sim.runUntil(() -> !sink.flows().isEmpty() && sink.flow().bytes() > 4L << 20, Nanos.ofSeconds(60));
        MptcpInfo info = clientEnd.stack().mptcpInfo(app.conn());                 // while both subflows live
        sim.runUntil(() -> !sink.flows().isEmpty() && sink.flow().isComplete(), Nanos.ofSeconds(60));

        assertThat(sink.flow().sha256()).isEqualTo(app.sha256());
        assertThat(clientEnd.stack().mib().get(MibCounter.MPTCP_CAPABLE_SYNACK_RX)).isEqualTo(1);
        assertThat(clientEnd.stack().mib().get(MibCounter.MPTCP_JOIN_SYN_TX)).isEqualTo(1);
        assertThat(clientEnd.stack().mib().get(MibCounter.MPTCP_JOIN_SYNACK_RX)).isEqualTo(1);
        assertThat(info.subflows()).hasSize(2).allSatisfy(f -> assertThat(f.dataBytesSent()).isPositive());
    }
}
