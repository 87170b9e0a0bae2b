package org.mptcp4j.sim.mptcp;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.mptcp4j.base.Nanos;
import org.mptcp4j.mib.Mib;
import org.mptcp4j.mptcp.Endpoint;
import org.mptcp4j.mptcp.Limits;
import org.mptcp4j.mptcp.MptcpConfig;
import org.mptcp4j.mptcp.MptcpInfo;
import org.mptcp4j.sim.Link;
import org.mptcp4j.sim.Simulation;
import org.mptcp4j.sim.stack.Exchange;
import org.mptcp4j.sim.stack.StackEndpoint;
import org.mptcp4j.sim.topo.MultipathTestbed;
import org.mptcp4j.sim.topo.PathSpec;
import org.mptcp4j.sim.topo.Topologies;
import org.mptcp4j.stack.StackConfig;

/**
 * Test fixture: an MPTCP connection over a {@link MultipathTestbed} on which both ends send at
 * once ({@link Exchange}: each writes its own seeded stream, half-closes, reads the other's to the
 * end, SHA-256 both ways). The client has a {@code subflow} endpoint for each address beyond the
 * first (as {@code ip mptcp endpoint add ADDRESS id N subflow}), with the subflow limit raised to
 * match; each host's stack sits behind a {@link Tamper} that tests may give a rule. While the
 * connection lives, what each subflow carried at the data level is sampled from the client's
 * MPTCP_INFO every 10 ms (subflows leave the connection when it closes), and so is the most data it
 * had unacknowledged at the data level.
 */
final class MptcpScenario {
    static final int PORT = 5001;
    private static final long SAMPLE_NANOS = Nanos.ofMillis(10);

    final long seed;
    final long bytes;
    final Simulation sim;
    final MultipathTestbed bed;
    final StackEndpoint clientEnd;
    final StackEndpoint serverEnd;
    final Tamper clientTamper;
    final Tamper serverTamper;
    final Exchange client;
    final Exchange server;
    /** Per client subflow ("local -> remote"): the most data it was seen to have sent, and received. */
    final Map<String, long[]> subflowData = new LinkedHashMap<>();
    /** The largest number of subflows the client's connection had at once. */
    int maxSubflows;
    /** The most data-level bytes the client had sent and not seen DATA_ACKed (MPTCP_INFO's bytes sent less acked). */
    long mostUnacknowledged;

    /** The client's {@code subflow} endpoints: one per address beyond the first. */
    static List<Endpoint> subflowEndpoints(MultipathTestbed bed) {
        List<Endpoint> out = new ArrayList<>();
        for (int i = 1; i < bed.paths().size(); i++) {
            out.add(Endpoint.of(address(bed.path(i).clientAddress()), i, Endpoint.Flag.SUBFLOW));
        }
        return out;
    }

    /** A path of {@code rateBps} and {@code delayMs} one way, losing packets by {@code loss} in both directions. */
    static PathSpec lossyPath(long rateBps, long delayMs, org.mptcp4j.link.LossModel loss) {
        return PathSpec.of(rateBps, java.time.Duration.ofMillis(delayMs)).withLoss(loss).withReverseLoss(loss);
    }

    /** A client that joins a subflow from each of its other addresses, and a server with the defaults. */
    static MptcpScenario standard(long seed, long bytes, PathSpec... paths) {
        return standard(seed, bytes, StackConfig.defaults(), paths);
    }

    /** {@link #standard(long, long, PathSpec...)} with both ends built on {@code base}. */
    static MptcpScenario standard(long seed, long bytes, StackConfig base, PathSpec... paths) {
        return new MptcpScenario(seed, bytes, paths, bed -> base.withMptcp(MptcpConfig.defaults()
                .withEndpoints(subflowEndpoints(bed)).withLimits(new Limits(Math.max(1, paths.length - 1), 0))), base);
    }

    interface ClientConfig {
        StackConfig of(MultipathTestbed bed);
    }

    MptcpScenario(long seed, long bytes, PathSpec[] paths, ClientConfig clientConfig, StackConfig serverConfig,
            String... moreServerAddresses) {
        this(seed, bytes, paths, clientConfig, serverConfig, false, MultipathTestbed.SERVER_ADDRESS, moreServerAddresses);
    }

    /**
     * The scenario on a testbed that also has IPv6 when {@code dualStack} ({@link DualStack}),
     * the client connecting to {@code serverAddress} (the server's, in either family).
     */
    MptcpScenario(long seed, long bytes, PathSpec[] paths, ClientConfig clientConfig, StackConfig serverConfig,
            boolean dualStack, String serverAddress, String... moreServerAddresses) {
        this(seed, bytes, paths, clientConfig, serverConfig, dualStack, false, serverAddress, moreServerAddresses);
    }

    /** As above; both hosts with TCP Small Queues when {@code smallQueues} ({@link StackEndpoint#withSmallQueues}). */
    MptcpScenario(long seed, long bytes, PathSpec[] paths, ClientConfig clientConfig, StackConfig serverConfig,
            boolean dualStack, boolean smallQueues, String serverAddress, String... moreServerAddresses) {
        this.seed = seed;
        this.bytes = bytes;
        sim = new Simulation(seed);
        bed = Topologies.multipathTestbed(sim, paths);
        if (dualStack) {
            DualStack.add(bed);
        }
        for (String a : moreServerAddresses) {
            bed.server().address(a); // on the server's one link, like a second address on its interface
        }
        server = Exchange.server(PORT, bytes, seed + 100);
        client = Exchange.client(address(serverAddress), PORT, bytes, seed);
        serverEnd = new StackEndpoint(serverConfig).add(server);
        clientEnd = new StackEndpoint(clientConfig.of(bed)).add(client);
        if (smallQueues) {
            serverEnd.withSmallQueues();
            clientEnd.withSmallQueues();
        }
        serverTamper = new Tamper(serverEnd);
        clientTamper = new Tamper(clientEnd);
        bed.server().attach(serverTamper);
        bed.client().attach(clientTamper);
        sim.schedule(SAMPLE_NANOS, this::sample, null);
    }

    private void sample(long now, Object arg) {
        MptcpInfo info = client.conn() == null ? null : clientEnd.stack().mptcpInfo(client.conn());
        if (info != null) {
            maxSubflows = Math.max(maxSubflows, info.subflows().size());
            mostUnacknowledged = Math.max(mostUnacknowledged, info.bytesSent() - info.bytesAcked());
            for (MptcpInfo.SubflowInfo s : info.subflows()) {
                long[] d = subflowData.computeIfAbsent(s.local() + " -> " + s.remote(), k -> new long[2]);
                d[0] = Math.max(d[0], s.dataBytesSent());
                d[1] = Math.max(d[1], s.dataBytesReceived());
            }
        }
        if (!(client.isDone() && server.isDone())) {
            sim.schedule(now + SAMPLE_NANOS, this::sample, null);
        }
    }

    /** Runs until both ends have read the other's stream to its end, or {@code maxVirtualNanos}; whether they did. */
    boolean run(long maxVirtualNanos) {
        return sim.runUntil(() -> client.isDone() && server.isDone(), maxVirtualNanos);
    }

    /** Runs until {@code bytes} have arrived at each end (the transfer is under way on all subflows). */
    boolean runUntilRead(long bytesEachWay, long maxVirtualNanos) {
        return sim.runUntil(() -> client.bytesRead() >= bytesEachWay && server.bytesRead() >= bytesEachWay,
                maxVirtualNanos);
    }

    /**
     * Both stacks without segmentation offload (the UDP driver, a TUN without GSO): every packet on
     * the links is one segment. Returns this scenario.
     */
    MptcpScenario withoutOffload() {
        clientEnd.stack().setSegmentationOffload(0);
        serverEnd.stack().setSegmentationOffload(0);
        return this;
    }

    Mib clientMib() {
        return clientEnd.stack().mib();
    }

    Mib serverMib() {
        return serverEnd.stack().mib();
    }

    MptcpInfo clientInfo() {
        return clientEnd.stack().mptcpInfo(client.conn());
    }

    MptcpInfo serverInfo() {
        return serverEnd.stack().mptcpInfo(server.conn());
    }

    long mtuDrops() {
        long n = 0;
        for (Link l : sim.links()) {
            n += l.counters().mtuDrops();
        }
        return n;
    }

    long droppedLoss() {
        long n = 0;
        for (Link l : sim.links()) {
            n += l.counters().droppedLoss();
        }
        return n;
    }

    /** Both streams arrived whole and unchanged, and no packet was too big for a link. */
    void assertIntact(boolean done) {
        assertThat(done).as("%s", this).isTrue();
        assertThat(server.receivedSha256()).as("client to server; %s", this).isEqualTo(client.sentSha256());
        assertThat(client.receivedSha256()).as("server to client; %s", this).isEqualTo(server.sentSha256());
        assertThat(server.bytesRead()).as("%s", this).isEqualTo(bytes);
        assertThat(client.bytesRead()).as("%s", this).isEqualTo(bytes);
        assertThat(mtuDrops()).as("packets above a 1500-byte MTU; %s", this).isZero();
    }

    /** Every client subflow was seen carrying data in both directions. */
    void assertEverySubflowCarriedDataBothWays(int expectedSubflows) {
        assertThat(subflowData).as("%s", this).hasSize(expectedSubflows);
        subflowData.forEach((name, d) -> {
            assertThat(d[0]).as("data sent on %s; %s", name, this).isPositive();
            assertThat(d[1]).as("data received on %s; %s", name, this).isPositive();
        });
    }

    /** Only the initial subflow (from path A's address) carried data; joined subflows, if the client ever showed them, none. */
    void assertOnlyTheInitialSubflowCarriedData() {
        String initial = "/" + bed.path(0).clientAddress() + ":";
        subflowData.forEach((name, d) -> {
            if (!name.startsWith(initial)) {
                assertThat(d).as("%s; %s", name, this).containsExactly(0, 0);
            }
        });
        assertThat(subflowData.entrySet().stream().filter(e -> e.getKey().startsWith(initial)))
                .as("%s", this).singleElement().satisfies(e -> assertThat(e.getValue()[0]).isEqualTo(bytes));
    }

    /** A {@link #subflowData} key ("/198.18.11.2:40000 -> /198.18.0.2:5001") without the ports. */
    static String addressPair(String subflow) {
        String[] ends = subflow.split(" -> ");
        return host(ends[0]) + " -> " + host(ends[1]);
    }

    private static String host(String end) {
        String h = end.substring(0, end.lastIndexOf(':'));
        return h.startsWith("/") ? h.substring(1) : h.substring(h.indexOf('/') + 1);
    }

    @Override
    public String toString() {
        StringBuilder b = new StringBuilder("seed ").append(seed).append(" at ")
                .append(Nanos.toSeconds(sim.nowNanos())).append(" s: ").append(client).append(" / ").append(server)
                .append("\n subflows (data sent, received) ");
        subflowData.forEach((name, d) -> b.append('[').append(name).append(": ").append(d[0]).append(", ")
                .append(d[1]).append("] "));
        b.append("\n client mib ").append(clientMib()).append("\n server mib ").append(serverMib()).append("\n links");
        for (Link l : sim.links()) {
            b.append("\n  ").append(l.name()).append(' ').append(l.counters());
        }
        return b.toString();
    }

    static InetAddress address(String literal) {
        try {
            return InetAddress.getByName(literal);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException(literal, e);
        }
    }

    static InetSocketAddress server() {
        return new InetSocketAddress(address(MultipathTestbed.SERVER_ADDRESS), PORT);
    }
}
