package org.mptcp4j.cli.iperf3;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * What the client asks for in PARAM_EXCHANGE, with iperf3's JSON names (send_parameters in
 * iperf_api.c): {@code tcp}, {@code time}, {@code num}, {@code blockcount}, {@code parallel},
 * {@code reverse}, {@code bidirectional}, {@code len}, {@code omit}, {@code client_version}.
 *
 * @param durationSeconds the test's length when no byte or block count is given ({@code time}, -t)
 * @param bytes bytes to send per direction, 0 for none ({@code num}, -n)
 * @param blocks blocks of {@code blockBytes} to send, 0 for none ({@code blockcount}, -k)
 * @param streams parallel streams per direction ({@code parallel}, -P)
 * @param blockBytes the size of each write ({@code len}, -l), 128 KiB by default for TCP
 */
public record TestSettings(int durationSeconds, long bytes, long blocks, int streams, boolean reverse, boolean bidirectional,
        int blockBytes, int omitSeconds, String clientVersion) {
    static final int DEFAULT_TCP_BLOCK_BYTES = 128 * 1024;
    /** iperf_api.h: MAX_BLOCKSIZE, MAX_STREAMS (iperf3 refuses larger values the same way). */
    static final int MAX_BLOCK_BYTES = 1024 * 1024;
    static final int MAX_STREAMS = 128;
    /** iperf3's error numbers (iperf_api.h) that this server sends back with SERVER_ERROR. */
    static final int IENUMSTREAMS = 6;
    static final int IEBLOCKSIZE = 7;
    static final int IEUNIMP = 13;
    static final int IEREVERSEBIDIR = 25;

    /** The direction a stream of this test carries data in, seen from the client. */
    boolean clientSends(int streamIndex) {
        return bidirectional ? streamIndex < streams : !reverse;
    }

    int streamCount() {
        return bidirectional ? 2 * streams : streams;
    }

    ObjectNode toJson(String version) {
        ObjectNode o = ControlChannel.JSON.createObjectNode();
        o.put("tcp", true);
        o.put("omit", omitSeconds);
        o.put("time", durationSeconds);
        o.put("num", bytes);
        o.put("blockcount", blocks);
        o.put("parallel", streams);
        if (reverse) {
            o.put("reverse", true);
        }
        if (bidirectional) {
            o.put("bidirectional", true);
        }
        o.put("len", blockBytes);
        o.put("pacing_timer", 1000);
        o.put("client_version", version);
        return o;
    }

    /**
     * The client's parameters, or the iperf3 error number to answer with SERVER_ERROR: only a TCP
     * test is served (UDP and SCTP are refused as "not implemented yet"), and sizes are bounded as
     * iperf3 bounds them.
     */
    static Parsed parse(JsonNode o) {
        if (o.path("udp").asBoolean(false) || o.path("sctp").asBoolean(false) || !o.path("tcp").asBoolean(true)) {
            return new Parsed.Refused(IEUNIMP, "the client asked for a UDP or SCTP test; mptcp4j serves TCP (MPTCP) only");
        }
        int streams = o.path("parallel").asInt(1);
        if (streams < 1 || streams > MAX_STREAMS) {
            return new Parsed.Refused(IENUMSTREAMS, "the client asked for " + streams + " parallel streams");
        }
        int block = o.path("len").asInt(DEFAULT_TCP_BLOCK_BYTES);
        if (block < 1 || block > MAX_BLOCK_BYTES) {
            return new Parsed.Refused(IEBLOCKSIZE, "the client asked for blocks of " + block + " bytes");
        }
        boolean reverse = o.path("reverse").asBoolean(false);
        boolean bidir = o.path("bidirectional").asBoolean(false);
        if (reverse && bidir) {
            return new Parsed.Refused(IEREVERSEBIDIR, "the client asked for reverse and bidirectional at once");
        }
        if (o.path("omit").asInt(0) > 0) {
            return new Parsed.Refused(IEUNIMP, "the client asked to omit the first seconds (-O), which mptcp4j does not do");
        }
        return new Parsed.Ok(new TestSettings(Math.max(0, o.path("time").asInt(10)), Math.max(0, o.path("num").asLong(0)),
                Math.max(0, o.path("blockcount").asLong(0)), streams, reverse, bidir, block,
                Math.max(0, o.path("omit").asInt(0)), o.path("client_version").asText("")));
    }

    /** The outcome of reading the client's parameters. */
    sealed interface Parsed {
        record Ok(TestSettings settings) implements Parsed {}

        record Refused(int iperfErrno, String why) implements Parsed {}
    }
}
