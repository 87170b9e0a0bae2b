package org.mptcp4j.cli.sim;

import java.net.InetSocketAddress;
import java.util.List;
import org.mptcp4j.base.Nanos;
import org.mptcp4j.mptcp.Endpoint;
import org.mptcp4j.mptcp.Limits;
import org.mptcp4j.mptcp.MptcpInfo;
import org.mptcp4j.mptcp.ReceiveBufferPolicy;
import org.mptcp4j.sim.Simulation;
import org.mptcp4j.sim.stack.BulkSender;
import org.mptcp4j.sim.stack.Sink;
import org.mptcp4j.sim.stack.StackEndpoint;
import org.mptcp4j.sim.topo.MultipathTestbed;
import org.mptcp4j.sim.topo.PathSpec;
import org.mptcp4j.sim.topo.Topologies;
import org.mptcp4j.stack.StackConfig;

/**
 * One bulk transfer over two disjoint paths A and B (the paper's performance testbed, its Fig. 3):
 * a client with one address per path sends to a server for a fixed time, over one MPTCP
 * connection with a subflow per path, or over plain TCP on path A (the reference).
 *
 * <p>The topology is {@link MultipathTestbed}: each path's rate, delay and loss sit on the link
 * from the client to the router, and the router routes each client address back over its own
 * path, so both directions of a subflow stay on their path; the paper's router "does not
 * cross-route". The paper has a second address on the destination too; with one server address
 * the paths are the same two disjoint pipes.
 */
final class MultipathRun {
    private static final int PORT = 5001;

    private MultipathRun() {}

    /** {@code spec} with the path queue of {@code s}. */
    static PathSpec queue(Settings s, PathSpec spec) {
        return spec.withQueue(org.mptcp4j.link.QueueLimit.packets(s.queuePackets()));
    }

    /** Goodput of the connection and of its subflow on each path, Mbit/s, from warm-up to the end. */
    record Result(double goodputMbps, double pathAMbps, double pathBMbps, long packets) {}

    /**
     * @param rcvbufMaxBytes the receiver's maximum receive buffer (tcp_rmem[2]); the sender's send
     *     buffer is set as large, so the receive buffer is the limit the paper varies
     * @param autotune grow the buffer up to the maximum (the paper's 2 x sum(BW) x RTT_max); off, it
     *     is the maximum from the start
     * @param scheduler the MPTCP scheduler of both ends
     * @param policy opportunistic retransmission, penalization, action on the slowest subflow (both ends)
     */
    static Result run(long seed, PathSpec a, PathSpec b, boolean mptcp, String cc, String scheduler,
                      int rcvbufMaxBytes, boolean autotune, ReceiveBufferPolicy policy, long durationNanos) {
        Simulation sim = new Simulation(seed);
        MultipathTestbed bed = Topologies.multipathTestbed(sim, a, b);
        int initial = autotune ? Math.min(StackConfig.defaults().receiveBufferBytes(), rcvbufMaxBytes) : rcvbufMaxBytes;
        StackConfig serverConfig = StackConfig.defaults().withCongestionControl(cc).withReceiveBufferBytes(initial)
                .withReceiveBufferMaxBytes(rcvbufMaxBytes).withMptcpEnabled(mptcp);
        serverConfig = serverConfig.withMptcp(serverConfig.mptcp().withReceiveBuffer(policy).withScheduler(scheduler));
        Sink sink = new Sink(PORT).withoutHashing();
        StackEndpoint server = new StackEndpoint(serverConfig).add(sink);
        bed.server().attach(server);

        StackConfig base = StackConfig.defaults().withCongestionControl(cc)
                .withSendBufferBytes(Math.max(StackConfig.DEFAULT_SEND_BUFFER_BYTES, rcvbufMaxBytes))
                .withMptcpEnabled(mptcp);
        StackConfig client = base.withMptcp(base.mptcp()
                .withEndpoints(List.of(Endpoint.of(SharedBottleneckRun.address(bed.path(1).clientAddress()), 1,
                        Endpoint.Flag.SUBFLOW)))
                .withLimits(new Limits(1, 0)).withReceiveBuffer(policy).withScheduler(scheduler));
        InetSocketAddress to = new InetSocketAddress(SharedBottleneckRun.address(MultipathTestbed.SERVER_ADDRESS), PORT);
        bed.client().attach(new StackEndpoint(client).add(new BulkSender(to, Long.MAX_VALUE / 2, seed).withoutHashing()
                .from(SharedBottleneckRun.address(bed.path(0).clientAddress()))));

        long warmup = Math.min(Nanos.ofSeconds(5), durationNanos / 4);
        sim.runUntil(warmup);
        long[] atMark = perPath(bed, server, sink);
        sim.runUntil(durationNanos);
        long[] atEnd = perPath(bed, server, sink);
        double seconds = Nanos.toSeconds(durationNanos - warmup);
        double pa = (atEnd[0] - atMark[0]) * 8 / seconds / 1e6;
        double pb = (atEnd[1] - atMark[1]) * 8 / seconds / 1e6;
        double total = (atEnd[2] - atMark[2]) * 8 / seconds / 1e6;
        long packets = sim.links().stream().mapToLong(l -> l.counters().packetsDelivered()).sum();
        return new Result(total, pa, pb, packets);
    }

    /** How a finite transfer went: seconds from the connect to the receiver's end of stream (NaN if it never came). */
    record Transfer(double seconds, long bytes, long packets) {}

    /**
     * Moves {@code bytes} over both paths, from the client to the server ({@code upload}) or from
     * the server to the client, and times it from the connect to the end of stream at the receiver.
     */
    static Transfer transfer(long seed, PathSpec a, PathSpec b, String cc, String scheduler, ReceiveBufferPolicy policy,
                             long bytes, boolean upload, long deadlineNanos) {
        Simulation sim = new Simulation(seed);
        MultipathTestbed bed = Topologies.multipathTestbed(sim, a, b);
        StackConfig base = StackConfig.defaults().withCongestionControl(cc);
        StackConfig serverConfig = base.withMptcp(base.mptcp().withReceiveBuffer(policy).withScheduler(scheduler));
        StackConfig client = base.withMptcp(base.mptcp()
                .withEndpoints(List.of(Endpoint.of(SharedBottleneckRun.address(bed.path(1).clientAddress()), 1,
                        Endpoint.Flag.SUBFLOW)))
                .withLimits(new Limits(1, 0)).withReceiveBuffer(policy).withScheduler(scheduler));
        InetSocketAddress to = new InetSocketAddress(SharedBottleneckRun.address(MultipathTestbed.SERVER_ADDRESS), PORT);
        InetSocketAddress from = new InetSocketAddress(SharedBottleneckRun.address(bed.path(0).clientAddress()), 0);
        java.util.function.LongSupplier eof;
        java.util.function.LongSupplier received;
        if (upload) {
            Sink sink = new Sink(PORT).withoutHashing();
            bed.server().attach(new StackEndpoint(serverConfig).add(sink));
            bed.client().attach(new StackEndpoint(client).add(new BulkSender(to, bytes, seed).withoutHashing()
                    .from(from.getAddress())));
            eof = () -> sink.completeFlows() == 1 ? sink.flow().eofNanos() : Nanos.NEVER;
            received = sink::totalBytes;
        } else {
            Download.Client reader = new Download.Client(from, to);
            bed.server().attach(new StackEndpoint(serverConfig).add(new Download.Server(PORT, bytes)));
            bed.client().attach(new StackEndpoint(client).add(reader));
            eof = reader::eofNanos;
            received = reader::bytes;
        }
        sim.runUntil(() -> eof.getAsLong() != Nanos.NEVER, deadlineNanos);
        long packets = sim.links().stream().mapToLong(l -> l.counters().packetsDelivered()).sum();
        long end = eof.getAsLong();
        return new Transfer(end == Nanos.NEVER ? Double.NaN : Nanos.toSeconds(end), received.getAsLong(), packets);
    }

    /** Data delivered so far by the subflow on path A, on path B, and in all. */
    private static long[] perPath(MultipathTestbed bed, StackEndpoint server, Sink sink) {
        long[] out = new long[3];
        if (sink.flows().isEmpty()) {
            return out;
        }
        Sink.Flow f = sink.flow();
        out[2] = f.bytes();
        MptcpInfo info = server.stack().mptcpInfo(f.conn());
        if (info == null || info.mode() != org.mptcp4j.mptcp.MptcpConnection.Mode.MPTCP) {
            out[0] = f.bytes();
            return out;
        }
        for (MptcpInfo.SubflowInfo s : info.subflows()) {
            String from = s.remote().getAddress().getHostAddress();
            if (from.equals(bed.path(0).clientAddress())) {
                out[0] += s.dataBytesReceived();
            } else if (from.equals(bed.path(1).clientAddress())) {
                out[1] += s.dataBytesReceived();
            }
        }
        return out;
    }
}
