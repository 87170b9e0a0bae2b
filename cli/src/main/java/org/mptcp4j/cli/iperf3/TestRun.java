package org.mptcp4j.cli.iperf3;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.math.BigInteger;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The part of a test both ends share: its streams, the interval reports while it runs, the results
 * sent to the peer in EXCHANGE_RESULTS (iperf_api.c send_results: cpu_util_*, sender_has_retransmits,
 * congestion_used and per-stream id, bytes, retransmits, start_time, end_time) and the summary
 * built from both ends' results when it ends.
 */
final class TestRun {
    /** iperf3 writes a receiving stream's unknown retransmits as -1 in an unsigned 64-bit field. */
    private static final BigInteger UNKNOWN_RETRANSMITS = BigInteger.TWO.pow(64).subtract(BigInteger.ONE);

    private final TestSettings settings;
    private final boolean client;
    private final Transport transport;
    private final Report report;
    private final double intervalSeconds;
    private final List<DataStream> streams = new ArrayList<>();
    private final Map<DataStream, SenderStats> senderStats = new HashMap<>();
    private final Map<DataStream, ObjectNode> extra = new HashMap<>();
    private volatile long startNanos;
    private CpuTimes cpuAtStart;
    private volatile CpuTimes cpuAtEnd;
    private Thread clock;
    private final AtomicBoolean stopped = new AtomicBoolean();
    private double lastIntervalEnd;
    private final Map<DataStream, Long> bytesAtInterval = new HashMap<>();

    TestRun(TestSettings settings, boolean client, Transport transport, Report report, double intervalSeconds) {
        this.settings = settings;
        this.client = client;
        this.transport = transport;
        this.report = report;
        this.intervalSeconds = intervalSeconds;
        report.bidirectional(settings.bidirectional());
    }

    TestSettings settings() {
        return settings;
    }

    List<DataStream> streams() {
        return streams;
    }

    boolean complete() {
        return streams.size() == settings.streamCount();
    }

    /** Adds the next data connection; its direction follows from the order of connection, as in iperf3. */
    DataStream add(Socket s) {
        int index = streams.size();
        boolean sender = settings.clientSends(index) == client;
        DataStream d = new DataStream(DataStream.idOf(index), s, sender);
        streams.add(d);
        report.connected(d, (InetSocketAddress) s.getLocalSocketAddress(), (InetSocketAddress) s.getRemoteSocketAddress());
        return d;
    }

    /** The bytes this end may still send, over all its sending streams, or none for a test bounded by time. */
    private long sendLimit() {
        return settings.bytes() > 0 ? settings.bytes() : settings.blocks() * settings.blockBytes();
    }

    long sentBytes() {
        return streams.stream().filter(DataStream::isSender).mapToLong(DataStream::bytes).sum();
    }

    long receivedBytes() {
        return streams.stream().filter(d -> !d.isSender()).mapToLong(DataStream::bytes).sum();
    }

    /**
     * TEST_RUNNING: starts every stream and the clock thread, which prints an interval every -i
     * seconds and, on the client, calls {@code onEnd} once the time is up or the byte count is met.
     */
    void start(Runnable onEnd) {
        startNanos = System.nanoTime();
        cpuAtStart = CpuTimes.now();
        long limit = sendLimit();
        boolean hasTcp = false;
        for (DataStream d : streams) {
            bytesAtInterval.put(d, 0L);
            if (d.isSender()) {
                senderStats.put(d, new SenderStats());
                hasTcp |= transport.sample(d.socket()).isPresent();
            }
            d.start(settings.blockBytes(), () -> limit == 0 || sentBytes() < limit);
        }
        if (intervalSeconds > 0) {
            report.header(hasTcp, false);
        }
        clock = Thread.ofVirtual().name("iperf3-clock").start(() -> tick(onEnd));
    }

    private void tick(Runnable onEnd) {
        long limit = sendLimit();
        long nextInterval = intervalSeconds > 0 ? (long) (intervalSeconds * 1e9) : Long.MAX_VALUE;
        try {
            while (!Thread.currentThread().isInterrupted()) {
                long untilInterval = startNanos + nextInterval - System.nanoTime();
                Thread.sleep(Duration.ofNanos(Math.max(0, Math.min(5_000_000, untilInterval))));
                long elapsed = System.nanoTime() - startNanos;
                if (elapsed >= nextInterval) {
                    reportInterval(nextInterval / 1e9);
                    nextInterval += (long) (intervalSeconds * 1e9);
                }
                boolean timeUp = limit == 0 && settings.durationSeconds() > 0 && elapsed >= settings.durationSeconds() * 1_000_000_000L;
                boolean bytesMet = limit > 0 && (sentBytes() >= limit || receivedBytes() >= limit);
                if (client && (timeUp || bytesMet)) {
                    onEnd.run();
                    return;
                }
            }
        } catch (InterruptedException stopped) {
            // stop() ends the clock
        }
    }

    private synchronized void reportInterval(double now) {
        if (now - lastIntervalEnd < 1e-3) {
            return;
        }
        ObjectNode interval = report.intervals().addObject();
        ArrayNode rows = interval.putArray("streams");
        long sentSum = 0;
        long receivedSum = 0;
        long retransSum = 0;
        for (DataStream d : streams) {
            long bytes = d.bytes();
            long delta = bytes - bytesAtInterval.get(d);
            bytesAtInterval.put(d, bytes);
            Transport.TcpSample tcp = d.isSender() ? transport.sample(d.socket()).orElse(null) : null;
            long retrans = tcp == null ? 0 : senderStats.get(d).retransmitsSince(tcp);
            Report.Row row = new Report.Row(d, lastIntervalEnd, now, delta, tcp, retrans);
            report.intervalRow(row);
            ObjectNode o = Report.rowJson(rows.addObject(), row, true);
            if (tcp != null) {
                o.put("retransmits", retrans);
                o.put("snd_cwnd", tcp.cwndBytes());
                o.put("snd_wnd", tcp.sndWndBytes());
                o.put("rtt", tcp.rttMicros());
                o.put("rttvar", tcp.rttvarMicros());
                o.put("pmtu", tcp.pmtu());
            }
            o.put("omitted", false);
            o.put("sender", d.isSender());
            if (d.isSender()) {
                sentSum += delta;
                retransSum += retrans;
            } else {
                receivedSum += delta;
            }
        }
        boolean anySender = streams.stream().anyMatch(DataStream::isSender);
        boolean anyReceiver = streams.stream().anyMatch(d -> !d.isSender());
        if (anySender) {
            sumJson(interval.putObject("sum"), lastIntervalEnd, now, sentSum, retransSum, true).put("omitted", false);
        }
        if (anyReceiver) {
            String name = anySender ? "sum_bidir_reverse" : "sum";
            sumJson(interval.putObject(name), lastIntervalEnd, now, receivedSum, -1, false).put("omitted", false);
        }
        if (settings.streams() > 1) {
            if (anySender) {
                report.sumRow(settings.bidirectional() ? "[TX-" + (client ? "C" : "S") + "]" : "", lastIntervalEnd, now, sentSum, -1, "");
            }
            if (anyReceiver) {
                report.sumRow(settings.bidirectional() ? "[RX-" + (client ? "C" : "S") + "]" : "", lastIntervalEnd, now, receivedSum, -1, "");
            }
        }
        lastIntervalEnd = now;
    }

    private static ObjectNode sumJson(ObjectNode o, double start, double end, long bytes, long retransmits, boolean sender) {
        o.put("start", start);
        o.put("end", end);
        o.put("seconds", end - start);
        o.put("bytes", bytes);
        o.put("bits_per_second", end - start <= 0 ? 0 : bytes * 8 / (end - start));
        if (retransmits >= 0) {
            o.put("retransmits", retransmits);
        }
        o.put("sender", sender);
        return o;
    }

    /**
     * TEST_END: senders stop, receivers stop counting (they drain until the sockets close), and the
     * last, partial interval is reported. Per-stream figures of the transport are read now, while
     * every subflow is still there.
     */
    void stop() {
        if (stopped.getAndSet(true)) {
            return;
        }
        for (DataStream d : streams) {
            d.stop();
        }
        for (DataStream d : streams) {
            d.awaitWriterIdle(2_000); // the peer drains until the results, so the last block completes
        }
        if (clock != null && clock != Thread.currentThread()) {
            clock.interrupt();
            try {
                clock.join(1_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        cpuAtEnd = CpuTimes.now();
        double now = seconds(System.nanoTime());
        if (intervalSeconds > 0 && now - lastIntervalEnd >= Math.min(0.1 * intervalSeconds, 0.05)) {
            reportInterval(now);
        }
        for (DataStream d : streams) {
            if (d.isSender()) {
                transport.sample(d.socket()).ifPresent(senderStats.get(d)::add);
            }
            ObjectNode x = transport.extraJson(d.socket());
            if (x != null) {
                extra.put(d, x);
            }
        }
    }

    private double seconds(long nanos) {
        return startNanos == 0 ? 0 : (nanos - startNanos) / 1e9;
    }

    double[] cpuPercent() {
        return cpuAtEnd == null || cpuAtStart == null ? new double[3] : cpuAtEnd.percentSince(cpuAtStart);
    }

    /** This end's results for EXCHANGE_RESULTS, in iperf3's names. */
    ObjectNode results() {
        ObjectNode o = ControlChannel.JSON.createObjectNode();
        double[] cpu = cpuPercent();
        o.put("cpu_util_total", cpu[0]);
        o.put("cpu_util_user", cpu[1]);
        o.put("cpu_util_system", cpu[2]);
        boolean retransmits = streams.stream().anyMatch(d -> d.isSender() && transport.sample(d.socket()).isPresent());
        o.put("sender_has_retransmits", retransmits ? 1 : 0);
        o.put("congestion_used", transport.congestionControl());
        ArrayNode list = o.putArray("streams");
        long endFallback = System.nanoTime();
        for (DataStream d : streams) {
            ObjectNode s = list.addObject();
            s.put("id", d.id());
            s.put("bytes", d.bytes());
            SenderStats st = senderStats.get(d);
            if (d.isSender() && st != null && st.samples > 0) {
                s.put("retransmits", st.lastRetransmits);
            } else {
                s.put("retransmits", UNKNOWN_RETRANSMITS);
            }
            s.put("jitter", 0);
            s.put("errors", 0);
            s.put("packets", 0);
            s.put("start_time", 0);
            s.put("end_time", seconds(d.endNanos(endFallback)));
        }
        return o;
    }

    /** The peer's figures for one stream, as its results gave them. */
    record PeerStream(long bytes, long retransmits, double endSeconds) {}

    /** The peer's results by stream id; a stream missing from them is a protocol error (iperf3's IESTREAMID). */
    Map<Integer, PeerStream> peerStreams(JsonNode results) throws Iperf3Exception {
        Map<Integer, PeerStream> byId = new HashMap<>();
        for (JsonNode s : results.path("streams")) {
            JsonNode r = s.path("retransmits");
            long retrans = r.isBigInteger() || r.asLong(-1) < 0 ? -1 : r.asLong();
            byId.put(s.path("id").asInt(), new PeerStream(s.path("bytes").asLong(), retrans, s.path("end_time").asDouble()));
        }
        for (DataStream d : streams) {
            if (!byId.containsKey(d.id())) {
                throw new Iperf3Exception(Iperf3Exception.Kind.PROTOCOL, "the peer's results have no stream " + d.id());
            }
        }
        return byId;
    }

    /** The summary: iperf3's lines (or its JSON {@code end}) from both ends' figures. */
    void summarise(JsonNode peerResults) throws Iperf3Exception {
        Map<Integer, PeerStream> peer = peerStreams(peerResults);
        ObjectNode end = report.root().putObject("end");
        ArrayNode list = end.putArray("streams");
        report.line(Report.SEPARATOR);
        // iperf3's server shows the Retr column only over its own sending streams; the client always has a sender line.
        report.header(false, client || streams.stream().anyMatch(DataStream::isSender));
        long endFallback = System.nanoTime();
        long[] sent = new long[2];
        long[] received = new long[2];
        long[] retrans = new long[2];
        double[] sentEnd = new double[2];
        double[] receivedEnd = new double[2];
        for (DataStream d : streams) {
            PeerStream p = peer.get(d.id());
            double ours = seconds(d.endNanos(endFallback));
            SenderStats st = senderStats.getOrDefault(d, new SenderStats());
            long localRetrans = st.samples > 0 ? st.lastRetransmits : -1;
            Report.Row senderRow = d.isSender()
                    ? new Report.Row(d, 0, ours, d.bytes(), null, localRetrans)
                    : new Report.Row(d, 0, p.endSeconds(), p.bytes(), null, p.retransmits());
            Report.Row receiverRow = d.isSender()
                    ? new Report.Row(d, 0, p.endSeconds(), p.bytes(), null, -1)
                    : new Report.Row(d, 0, ours, d.bytes(), null, -1);
            // The server prints its own side only, as iperf3's server does; the client prints both.
            if (client || d.isSender()) {
                report.summaryRow(senderRow, senderRow.retransmits() >= 0, "sender");
            }
            if (client || !d.isSender()) {
                report.summaryRow(receiverRow, false, "receiver");
            }
            ObjectNode s = list.addObject();
            ObjectNode so = Report.rowJson(s.putObject("sender"), senderRow, true);
            so.put("retransmits", Math.max(0, senderRow.retransmits()));
            if (d.isSender()) {
                so.put("max_snd_cwnd", st.maxCwnd);
                so.put("max_snd_wnd", st.maxSndWnd);
                so.put("max_rtt", st.maxRtt);
                so.put("min_rtt", st.samples == 0 ? 0 : st.minRtt);
                so.put("mean_rtt", st.samples == 0 ? 0 : st.sumRtt / st.samples);
            }
            so.put("sender", d.isSender());
            Report.rowJson(s.putObject("receiver"), receiverRow, true).put("sender", d.isSender());
            int k = d.isSender() ? 0 : 1;
            sent[k] += senderRow.bytes();
            received[k] += receiverRow.bytes();
            retrans[k] += Math.max(0, senderRow.retransmits());
            sentEnd[k] = Math.max(sentEnd[k], senderRow.endSeconds());
            receivedEnd[k] = Math.max(receivedEnd[k], receiverRow.endSeconds());
        }
        for (int k = 0; k < 2; k++) {
            final boolean localSends = k == 0;
            if (streams.stream().noneMatch(d -> d.isSender() == localSends)) {
                continue;
            }
            String suffix = settings.bidirectional() && !localSends ? "_bidir_reverse" : "";
            sumJson(end.putObject("sum_sent" + suffix), 0, sentEnd[k], sent[k], retrans[k], localSends);
            sumJson(end.putObject("sum_received" + suffix), 0, receivedEnd[k], received[k], -1, localSends);
            if (settings.streams() > 1) {
                String tag = settings.bidirectional() ? "[" + (localSends ? "TX" : "RX") + "-" + (client ? "C" : "S") + "]" : "";
                report.sumRow(tag, 0, sentEnd[k], sent[k], retrans[k], "sender");
                report.sumRow(tag, 0, receivedEnd[k], received[k], -1, "receiver");
            }
        }
        double[] cpu = cpuPercent();
        ObjectNode c = end.putObject("cpu_utilization_percent");
        c.put("host_total", cpu[0]);
        c.put("host_user", cpu[1]);
        c.put("host_system", cpu[2]);
        c.put("remote_total", peerResults.path("cpu_util_total").asDouble());
        c.put("remote_user", peerResults.path("cpu_util_user").asDouble());
        c.put("remote_system", peerResults.path("cpu_util_system").asDouble());
        String ours = transport.congestionControl();
        String theirs = peerResults.path("congestion_used").asText(ours);
        boolean localSends = streams.stream().anyMatch(DataStream::isSender);
        end.put("sender_tcp_congestion", localSends ? ours : theirs);
        end.put("receiver_tcp_congestion", localSends && streams.stream().allMatch(DataStream::isSender) ? theirs : ours);
    }

    /** mptcp4j's own figures: per stream the transport's (for MPTCP: mode and subflows), and its counters. */
    ObjectNode extraJson() {
        ObjectNode o = ControlChannel.JSON.createObjectNode();
        ArrayNode list = o.putArray("streams");
        for (DataStream d : streams) {
            ObjectNode x = extra.get(d);
            if (x != null) {
                ObjectNode s = list.addObject();
                s.put("socket", d.id());
                s.put("sender", d.isSender());
                s.setAll(x);
            }
        }
        ObjectNode counters = o.putObject("counters");
        transport.counters().forEach((k, v) -> {
            if (v != 0) {
                counters.put(k, v);
            }
        });
        return o;
    }

    /** Why each stream fell back to plain TCP, if it did. */
    Optional<String> fallbackReason() {
        for (DataStream d : streams) {
            Optional<String> why = transport.fallbackReason(d.socket(), client);
            if (why.isPresent()) {
                return why;
            }
        }
        return Optional.empty();
    }

    /** Closes every data connection (the statistics of the transport's sockets outlive them). */
    void close() {
        if (clock != null) {
            clock.interrupt();
        }
        for (DataStream d : streams) {
            d.close();
        }
    }

    /** A sender's TCP figures over the test: the last retransmit count and the extremes iperf3 reports. */
    private static final class SenderStats {
        long lastRetransmits;
        long reportedRetransmits;
        long maxCwnd;
        long maxSndWnd;
        long maxRtt;
        long minRtt = Long.MAX_VALUE;
        long sumRtt;
        long samples;

        void add(Transport.TcpSample t) {
            lastRetransmits = t.retransmits();
            maxCwnd = Math.max(maxCwnd, t.cwndBytes());
            maxSndWnd = Math.max(maxSndWnd, t.sndWndBytes());
            maxRtt = Math.max(maxRtt, t.rttMicros());
            minRtt = Math.min(minRtt, t.rttMicros());
            sumRtt += t.rttMicros();
            samples++;
        }

        /** Adds the sample and returns the retransmissions since the last interval. */
        long retransmitsSince(Transport.TcpSample t) {
            add(t);
            long delta = t.retransmits() - reportedRetransmits;
            reportedRetransmits = t.retransmits();
            return delta;
        }
    }
}
