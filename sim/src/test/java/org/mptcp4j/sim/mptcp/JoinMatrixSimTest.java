package org.mptcp4j.sim.mptcp;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.Inet4Address;
import java.util.List;
import java.util.Set;
import java.util.function.Function;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.mptcp4j.base.Nanos;
import org.mptcp4j.link.LossModel;
import org.mptcp4j.mib.Mib;
import org.mptcp4j.mib.MibCounter;
import org.mptcp4j.mptcp.Endpoint;
import org.mptcp4j.mptcp.Limits;
import org.mptcp4j.mptcp.MptcpConfig;
import org.mptcp4j.mptcp.V4Mapped;
import org.mptcp4j.sim.stack.StackEndpoint;
import org.mptcp4j.sim.topo.MultipathTestbed;
import org.mptcp4j.sim.topo.PathSpec;
import org.mptcp4j.stack.ResetReason;
import org.mptcp4j.stack.Stack;
import org.mptcp4j.stack.StackConfig;
import org.mptcp4j.wire.IpHeader;
import org.mptcp4j.wire.MptcpOption;
import org.mptcp4j.wire.TcpFlags;
import org.mptcp4j.wire.TcpPacket;
import org.mptcp4j.wire.TcpSegment;

/**
 * The cases of Linux's {@code mptcp_join.sh} that {@code KernelJoinMatrixTest} (module net) runs
 * against the kernel, here with mptcp4j at both ends of a simulated two-path {@link MptcpScenario}:
 * no root, no kernel, virtual time, one seed per case. Where the net test has the kernel on one
 * side, that side is mptcp4j with the equivalent settings (the kernel's limits there are 8 8, so
 * they are here). Each case sends 2 MB each way at once over 20 Mbit/s paths of 10 and 20 ms that
 * lose 0.5 % of packets both ways (1500-byte MTU; SHA-256 checked both ways), sets up what the
 * script's case sets up, and asserts on both ends the counters the script's checks read
 * ({@code chk_join_nr}: the server's MPJoinSynRx and MPJoinAckRx, the client's MPJoinSynAckRx;
 * {@code chk_add_nr}: AddAddr and EchoAdd; {@code chk_rm_nr}: RmAddr and RmSubflow;
 * {@code chk_prio_nr}: MPPrioTx/Rx; {@code chk_fclose_nr}, {@code chk_fail_nr}, {@code chk_rst_nr}).
 *
 * <p>The counters are exact for each case's seed. The script expects them on lossless veths; under
 * random loss a lost signalling packet (an ADD_ADDR, sent again only after 120 s; an echo or a
 * firewall's RST, sent once), or a join whose lost SYN is sent again after the peer has
 * half-closed (joins are then refused, as Linux refuses them), changes them on Linux as here. {@code
 * -Dmptcp4j.joinMatrixSeedOffset=N} adds N to every seed, to try others.
 *
 * <p>A failing case names its seed. {@code -Dmptcp4j.joinMatrixPcap=true} writes each case's
 * capture of both paths to {@code target/join-matrix-sim/<case>.pcap}. The run writes the coverage
 * table to {@code target/join-matrix-sim.md}; with {@code -Dmptcp4j.joinMatrixDoc=true} also to
 * {@code docs/JOIN_MATRIX_SIM.md}.
 */
class JoinMatrixSimTest {
    private static final long BYTES = 2_000_000;
    private static final LossModel LOSS = LossModel.bernoulli(0.005);
    /** The server's second address (the kernel's path-B address in the net test), for {@code signal} endpoints. */
    private static final String SERVER_B = "198.18.0.3";
    /** A third server address, for a second {@code signal} endpoint. */
    private static final String SERVER_C = "198.18.0.4";
    /** The net test's kernel runs with {@code ip mptcp limits set subflows 8 add_addr_accepted 8}. */
    private static final Limits KERNEL_LIMITS = new Limits(8, 8);

    private final JoinMatrixRun run = new JoinMatrixRun();

    @BeforeEach
    void name(TestInfo info) {
        run.begin(info.getTestMethod().orElseThrow().getName());
    }

    @AfterEach
    void closeCapture() {
        run.end();
    }

    @AfterAll
    static void writeTable() throws java.io.IOException {
        JoinMatrixRun.writeTable();
    }

    // ---- the set-ups

    private static PathSpec[] paths(int n) {
        PathSpec[] out = new PathSpec[n];
        for (int i = 0; i < n; i++) {
            out[i] = MptcpScenario.lossyPath(20_000_000, 10 + 10 * i, LOSS);
        }
        return out;
    }

    private static StackConfig stack(MptcpConfig mptcp) {
        return StackConfig.defaults().withMptcp(mptcp);
    }

    /** A server with the net test's kernel limits and {@code endpoints}. */
    private static StackConfig server(Endpoint... endpoints) {
        return stack(MptcpConfig.defaults().withLimits(KERNEL_LIMITS).withEndpoints(List.of(endpoints)));
    }

    /** The server's second address as a {@code signal} endpoint (id 1). */
    private static Endpoint signalB() {
        return Endpoint.of(MptcpScenario.address(SERVER_B), 1, Endpoint.Flag.SIGNAL);
    }

    /** The client with a {@code subflow} endpoint on each address beyond its first (defaults otherwise). */
    private static MptcpConfig withSubflowEndpoints(MultipathTestbed bed) {
        return MptcpConfig.defaults().withEndpoints(MptcpScenario.subflowEndpoints(bed));
    }

    private MptcpScenario scenario(long seed, int paths, MptcpScenario.ClientConfig client, StackConfig server,
            String... moreServerAddresses) {
        return run.capture(new MptcpScenario(seed, BYTES, paths(paths), client, server, moreServerAddresses));
    }

    /** Two paths, the client as given, the server with the net test's kernel limits and no endpoint. */
    private MptcpScenario twoPaths(long seed, MptcpScenario.ClientConfig client) {
        return scenario(seed, 2, client, server());
    }

    /** The client accepting one announcement ({@code ip mptcp limits set subflows 2 add_addr_accepted 1}). */
    private static MptcpConfig acceptingOne() {
        return MptcpConfig.defaults().withLimits(new Limits(2, 1));
    }

    /** Two paths, the server announcing its second address ({@code signal} endpoint), the client as given. */
    private MptcpScenario serverSignals(long seed, Function<MultipathTestbed, MptcpConfig> client) {
        return scenario(seed, 2, bed -> stack(client.apply(bed)), server(signalB()), SERVER_B);
    }

    /** Runs {@code s} to its end, both streams intact, with {@code joins} joins ({@code chk_join_nr n n n}). */
    private static void runJoined(MptcpScenario s, long joins) {
        s.assertIntact(s.run(Nanos.ofSeconds(120)));
        JoinChecks.joins(s, joins, joins, joins);
    }

    /** {@link #runJoined}, and one announcement sent, received and echoed ({@code chk_add_nr 1 1}). */
    private static void runAnnounced(MptcpScenario s, long joins) {
        runJoined(s, joins);
        JoinChecks.addAddr(s, s.serverMib(), s.clientMib(), 1);
    }

    /** A change of endpoints, as {@code ip mptcp endpoint ...} makes it on one end's stack. */
    private interface EndpointChange {
        void apply(Stack stack, long nowNanos);
    }

    /**
     * Runs until both subflows carry data each way, makes {@code change} on {@code end}'s stack,
     * and lets that end send what it queued.
     */
    private static void onceJoined(MptcpScenario s, StackEndpoint end, EndpointChange change) {
        JoinChecks.runUntilBothSubflowsCarryData(s, BYTES / 4);
        change.apply(end.stack(), s.sim.nowNanos());
        end.service(s.sim.nowNanos());
    }

    // ---- subflows_tests

    @Test
    void subflows_noJoin() {
        run.row("subflows", "no JOIN", "no endpoints", 1301, seed -> {
            MptcpScenario s = twoPaths(seed, bed -> stack(MptcpConfig.defaults()));
            runJoined(s, 0);
            assertThat(s.clientMib().get(MibCounter.MPTCP_JOIN_SYN_TX)).as("%s", s).isZero();
            assertThat(s.maxSubflows).as("%s", s).isEqualTo(1);
        });
    }

    @Test
    void subflows_singleSubflowLimitedByClient() {
        run.row("subflows", "single subflow, limited by client", "client: limits 0 0, `subflow` endpoint on path B",
                1302, seed -> {
            MptcpScenario s = twoPaths(seed, bed -> stack(withSubflowEndpoints(bed).withLimits(new Limits(0, 0))));
            runJoined(s, 0);
            assertThat(s.clientMib().get(MibCounter.MPTCP_JOIN_SYN_TX)).as("%s", s).isZero();
        });
    }

    @Test
    void subflows_singleSubflowLimitedByServer() {
        run.row("subflows", "single subflow, limited by server",
                "server: limits 0 0; client: `subflow` endpoint on path B", 1303,
                seed -> limitedByServer(seed, 2, 0).assertOnlyTheInitialSubflowCarriedData());
    }

    /**
     * {@code paths} paths, the client with a {@code subflow} endpoint on each beyond the first, the
     * server allowing {@code serverSubflows}: each join gets its SYN/ACK and the one beyond the
     * limit is refused at its third ACK ("administratively prohibited"), as Linux refuses it.
     */
    private MptcpScenario limitedByServer(long seed, int paths, int serverSubflows) {
        MptcpScenario s = scenario(seed, paths, bed -> stack(withSubflowEndpoints(bed)),
                stack(MptcpConfig.defaults().withLimits(new Limits(serverSubflows, 0))));
        s.assertIntact(s.run(Nanos.ofSeconds(120)));
        JoinChecks.joins(s, paths - 1, paths - 1, serverSubflows);
        assertThat(s.serverMib().get(MibCounter.MPTCP_JOIN_REJECTED)).as("%s", s).isEqualTo(1);
        JoinChecks.resets(s, s.serverMib(), s.clientMib(), 1);
        return s;
    }

    @Test
    void subflows_singleSubflow() {
        run.row("subflows", "single subflow", "client: `subflow` endpoint on path B", 1304, seed -> {
            MptcpScenario s = twoPaths(seed, bed -> stack(withSubflowEndpoints(bed)));
            runJoined(s, 1);
            JoinChecks.clean(s);
            s.assertEverySubflowCarriedDataBothWays(2);
        });
    }

    @Test
    void subflows_multipleSubflows() {
        run.row("subflows", "multiple subflows", "three paths; client: `subflow` endpoints on paths B and C", 1305,
                seed -> {
            MptcpScenario s = scenario(seed, 3, bed -> stack(withSubflowEndpoints(bed)), server());
            runJoined(s, 2);
            JoinChecks.clean(s);
            s.assertEverySubflowCarriedDataBothWays(3);
        });
    }

    @Test
    void subflows_multipleSubflowsLimitedByServer() {
        run.row("subflows", "multiple subflows, limited by server",
                "three paths; server: limits 1 0; client: `subflow` endpoints on paths B and C", 1306,
                seed -> limitedByServer(seed, 3, 1));
    }

    // ---- subflows_error_tests

    @Test
    void subflowsError_joinRefusedByTheServersFirewall_dataStaysOnTheInitialSubflow() {
        run.row("subflows_error", "single subflow, with subflow creation error",
                "client: `subflow` endpoint on path B; a filter before the server answers TCP from the client's B"
                        + " address with a RST (iptables REJECT --reject-with tcp-reset)", 1311, seed -> {
            MptcpScenario s = twoPaths(seed, bed -> stack(withSubflowEndpoints(bed)));
            String from = s.bed.path(1).clientAddress();
            int[] refused = {0};
            s.serverTamper.rule((now, p) -> {
                if (!p.ip().source().getHostAddress().equals(from)) {
                    return p;
                }
                refused[0]++;
                if (!p.tcp().has(TcpFlags.RST)) {
                    s.serverTamper.inject(rejectWithReset(p));
                }
                return null;
            });
            s.assertIntact(s.run(Nanos.ofSeconds(120)));
            // The join's SYN never reaches the server's MPTCP.
            JoinChecks.joins(s, 0, 0, 0);
            assertThat(s.clientMib().get(MibCounter.MPTCP_JOIN_SYN_TX)).as("%s", s).isEqualTo(1);
            assertThat(refused[0]).as("%s", s).isEqualTo(1);
            s.assertOnlyTheInitialSubflowCarriedData();
        });
    }

    /** The RST a firewall's {@code reject with tcp reset} sends back for {@code p} (RFC 9293 3.10.7.1). */
    private static TcpPacket rejectWithReset(TcpPacket p) {
        TcpSegment in = p.tcp();
        int seq = in.has(TcpFlags.ACK) ? in.ack() : 0;
        int ack = in.seq() + in.payloadLength() + (in.has(TcpFlags.SYN) ? 1 : 0) + (in.has(TcpFlags.FIN) ? 1 : 0);
        TcpSegment rst = new TcpSegment(in.dstPort(), in.srcPort(), seq, ack, TcpFlags.RST | TcpFlags.ACK, 0, 0,
                List.of(), TcpSegment.EMPTY);
        return new TcpPacket(IpHeader.V4.of((Inet4Address) p.ip().destination(), (Inet4Address) p.ip().source(),
                IpHeader.PROTOCOL_TCP), rst);
    }

    // ---- signal_address_tests

    @Test
    void signal_serverAnnounces_clientJoins() {
        run.row("signal_address", "signal address", "server: `signal` endpoint; client: add_addr_accepted 1", 1321,
                seed -> {
            MptcpScenario s = serverSignals(seed, bed -> acceptingOne());
            runAnnounced(s, 1);
            JoinChecks.clean(s);
            s.assertEverySubflowCarriedDataBothWays(2);
        });
    }

    @Test
    void signal_announcedButNotAccepted() {
        run.row("signal_address", "unused signal address", "server: `signal` endpoint; client: add_addr_accepted 0",
                1322, seed -> {
            // Received and echoed (the echo is owed whatever the path manager decides), never joined.
            runAnnounced(serverSignals(seed, bed -> MptcpConfig.defaults().withLimits(new Limits(2, 0))), 0);
        });
    }

    // ---- add_addr_timeout_tests

    @Test
    void addAddrTimeout_echoesDropped_serverAnnouncesAgain() {
        run.row("add_addr_timeout", "signal address, ADD_ADDR timeout",
                "server: `signal` endpoint, ADD_ADDR timeout 100 ms; client: add_addr_accepted 1; packets carrying"
                        + " an ADD_ADDR echo dropped before the server", 1331, seed -> {
            MptcpScenario s = scenario(seed, 2, bed -> stack(acceptingOne()),
                    stack(MptcpConfig.defaults().withLimits(KERNEL_LIMITS).withAddAddrTimeoutNanos(Nanos.ofMillis(100))
                            .withEndpoints(List.of(signalB()))), SERVER_B);
            int[] dropped = {0};
            s.serverTamper.rule((now, p) -> {
                if (p.tcp().option(MptcpOption.AddAddr.class).filter(MptcpOption.AddAddr::echo).isPresent()) {
                    dropped[0]++;
                    return null;
                }
                return p;
            });
            s.assertIntact(s.run(Nanos.ofSeconds(120)));
            // chk_add_tx_nr 4 4, chk_add_nr 4 0: the first announcement and its three retransmissions
            // (Linux's ADD_ADDR_RETRANS_MAX), each received and echoed, no echo arriving.
            assertThat(s.serverMib().get(MibCounter.MPTCP_ADD_ADDR_TX)).as("%s", s).isEqualTo(4);
            assertThat(s.serverMib().get(MibCounter.MPTCP_ECHO_ADD)).as("%s", s).isZero();
            assertThat(s.clientMib().get(MibCounter.MPTCP_ADD_ADDR)).as("%s", s).isEqualTo(4);
            assertThat(s.clientMib().get(MibCounter.MPTCP_ECHO_ADD_TX)).as("%s", s).isEqualTo(4);
            assertThat(dropped[0]).as("%s", s).isPositive();
            JoinChecks.joins(s, 1, 1, 1);
        });
    }

    // ---- add_addr_ports_tests

    @Test
    void addAddrPorts_serverSignalsAnAddressWithAPort_clientJoinsThatPort() {
        run.row("add_addr_ports", "signal address with port",
                "server: `signal` endpoint with port 10100; client: add_addr_accepted 1", 1341, seed -> {
            Endpoint withPort = Endpoint.withPort(MptcpScenario.address(SERVER_B), 1, 10100, Endpoint.Flag.SIGNAL);
            MptcpScenario s = scenario(seed, 2, bed -> stack(acceptingOne()), server(withPort), SERVER_B);
            runAnnounced(s, 1);
            // chk_add_nr 1 1 1: PortAdd where the announcement arrives, the join's three packets
            // counted at the announced port on their ends, no mismatch.
            assertThat(s.subflowData.keySet()).as("%s", s).anySatisfy(f -> assertThat(f).endsWith(SERVER_B + ":10100"));
            assertThat(s.clientMib().get(MibCounter.MPTCP_PORT_ADD)).as("%s", s).isEqualTo(1);
            assertThat(s.clientMib().get(MibCounter.MPTCP_JOIN_PORT_SYNACK_RX)).as("%s", s).isEqualTo(1);
            assertThat(s.serverMib().get(MibCounter.MPTCP_JOIN_PORT_SYN_RX)).as("%s", s).isEqualTo(1);
            assertThat(s.serverMib().get(MibCounter.MPTCP_JOIN_PORT_ACK_RX)).as("%s", s).isEqualTo(1);
            assertThat(s.serverMib().get(MibCounter.MPTCP_MISMATCH_PORT_SYN_RX)).as("%s", s).isZero();
            assertThat(s.serverMib().get(MibCounter.MPTCP_MISMATCH_PORT_ACK_RX)).as("%s", s).isZero();
            s.assertEverySubflowCarriedDataBothWays(2);
        });
    }

    // ---- add_tests and remove_tests: endpoints changed while data flows

    @Test
    void add_subflowEndpointWhileRunning() {
        run.row("add", "add single subflow", "client: `subflow` endpoint on path B added once data flows", 1351,
                seed -> {
            MptcpScenario s = twoPaths(seed, bed -> stack(MptcpConfig.defaults()));
            assertThat(s.runUntilRead(BYTES / 8, Nanos.ofSeconds(60))).as("%s", s).isTrue();
            s.clientEnd.stack().addEndpoint(s.sim.nowNanos(), MptcpScenario.subflowEndpoints(s.bed).getFirst());
            s.clientEnd.service(s.sim.nowNanos());
            runJoined(s, 1);
            s.assertEverySubflowCarriedDataBothWays(2);
        });
    }

    @Test
    void remove_subflowEndpointWhileRunning() {
        run.row("remove", "remove single subflow", "client: `subflow` endpoint on path B deleted while data flows",
                1352, seed -> {
            MptcpScenario s = twoPaths(seed, bed -> stack(withSubflowEndpoints(bed)));
            onceJoined(s, s.clientEnd, (stack, now) -> stack.removeEndpoint(now, 1));
            runJoined(s, 1);
            // chk_rm_nr 1 1: RmAddr where the REMOVE_ADDR arrives, RmSubflow where the endpoint went.
            JoinChecks.removed(s, s.clientMib(), s.serverMib());
        });
    }

    @Test
    void remove_serverSignalEndpointWhileRunning() {
        run.row("remove", "remove single address",
                "server: `signal` endpoint deleted while data flows; client: add_addr_accepted 1", 1353, seed -> {
            MptcpScenario s = serverSignals(seed, bed -> acceptingOne());
            onceJoined(s, s.serverEnd, (stack, now) -> stack.removeEndpoint(now, 1));
            runAnnounced(s, 1);
            // chk_rm_nr 1 1 invert: the server removed its endpoint and its subflow, the client got the REMOVE_ADDR.
            JoinChecks.removed(s, s.serverMib(), s.clientMib());
        });
    }

    @Test
    void remove_idZeroSubflow() {
        run.row("remove", "remove id 0 subflow",
                "client: `subflow` endpoint on path B; its initial address (id 0) deleted while data flows", 1354, seed -> {
            MptcpScenario s = twoPaths(seed, bed -> stack(withSubflowEndpoints(bed)));
            String initial = s.bed.path(0).clientAddress();
            onceJoined(s, s.clientEnd, (stack, now) -> assertThat(stack.removeAddressZero(now,
                    MptcpScenario.address(initial))).isEqualTo(1));
            runJoined(s, 1);
            // chk_rm_nr 1 1: the server took REMOVE_ADDR of id 0, the client closed its initial subflow.
            JoinChecks.removed(s, s.clientMib(), s.serverMib());
        });
    }

    @Test
    void remove_idZeroAddress() {
        run.row("remove", "remove id 0 address",
                "server: `signal` endpoint; client: add_addr_accepted 1; the server's initial address (id 0) deleted while data flows",
                1355, seed -> {
            MptcpScenario s = serverSignals(seed, bed -> acceptingOne());
            onceJoined(s, s.serverEnd, (stack, now) -> assertThat(stack.removeAddressZero(now,
                    MptcpScenario.address(MultipathTestbed.SERVER_ADDRESS))).isEqualTo(1));
            runAnnounced(s, 1);
            // chk_rm_nr 1 1 invert.
            JoinChecks.removed(s, s.serverMib(), s.clientMib());
        });
    }

    @Test
    void remove_flushSubflows() {
        run.row("remove", "flush subflows", "three paths; client: `subflow` endpoints on paths B and C, flushed while"
                + " data flows", 1356, seed -> {
            MptcpScenario s = scenario(seed, 3, bed -> stack(withSubflowEndpoints(bed)), server());
            JoinChecks.runUntil(s, () -> s.client.bytesRead() >= BYTES / 4 && s.clientInfo().subflows().size() == 3);
            s.clientEnd.stack().flushEndpoints(s.sim.nowNanos());
            s.clientEnd.service(s.sim.nowNanos());
            runJoined(s, 2);
            // chk_rm_tx_nr 0, chk_rm_nr 0 2: no REMOVE_ADDR for subflow endpoints flushed (Linux since 5.18).
            assertThat(s.clientMib().get(MibCounter.MPTCP_RM_ADDR_TX)).as("%s", s).isZero();
            assertThat(s.clientMib().get(MibCounter.MPTCP_RM_SUBFLOW)).as("%s", s).isEqualTo(2);
            assertThat(s.serverMib().get(MibCounter.MPTCP_RM_ADDR)).as("%s", s).isZero();
            assertThat(s.clientInfo().subflows()).as("%s", s).hasSize(1);
        });
    }

    @Test
    void remove_flushAddresses() {
        run.row("remove", "flush addresses", "server: `signal` endpoints on two more addresses, flushed while data"
                + " flows; client: limits 8 8", 1357, seed -> {
            MptcpScenario s = scenario(seed, 2, bed -> stack(MptcpConfig.defaults().withLimits(KERNEL_LIMITS)),
                    server(signalB(), Endpoint.of(MptcpScenario.address(SERVER_C), 2, Endpoint.Flag.SIGNAL)),
                    SERVER_B, SERVER_C);
            JoinChecks.runUntil(s, () -> s.serverMib().get(MibCounter.MPTCP_JOIN_ACK_RX) == 2);
            s.serverEnd.stack().flushEndpoints(s.sim.nowNanos());
            s.serverEnd.service(s.sim.nowNanos());
            runJoined(s, 2);
            JoinChecks.addAddr(s, s.serverMib(), s.clientMib(), 2);
            // chk_rm_nr 2 2 invert: one REMOVE_ADDR listing both ids; the server closed both joins.
            assertThat(s.serverMib().get(MibCounter.MPTCP_RM_ADDR_TX)).as("%s", s).isEqualTo(1);
            assertThat(s.clientMib().get(MibCounter.MPTCP_RM_ADDR)).as("%s", s).isEqualTo(2);
            assertThat(s.serverMib().get(MibCounter.MPTCP_RM_SUBFLOW)).as("%s", s).isEqualTo(2);
            assertThat(s.clientMib().get(MibCounter.MPTCP_RM_SUBFLOW)).as("%s", s).isZero();
        });
    }

    // ---- backup_tests

    @Test
    void backup_joinedSubflowSwitchedToBackup() {
        run.row("backup", "mpc switch to backup (the joined subflow, as the net test)",
                "client: `subflow` endpoint on path B set `backup` while data flows", 1361, seed -> {
            MptcpScenario s = twoPaths(seed, bed -> stack(withSubflowEndpoints(bed)));
            onceJoined(s, s.clientEnd, (stack, now) -> stack.setEndpointBackup(now, 1, true));
            JoinChecks.awaitBackupAtServer(s, s.bed.path(1).clientAddress());
            runJoined(s, 1);
            JoinChecks.prio(s, s.clientMib(), s.serverMib());
        });
    }

    @Test
    void backup_initialSubflowSwitchedToBackup() {
        run.row("backup", "mpc switch to backup",
                "client: `subflow` endpoint on its initial address (path A) set `backup` while data flows", 1362,
                seed -> {
            MptcpScenario s = twoPaths(seed, bed -> stack(MptcpConfig.defaults().withEndpoints(List.of(
                    Endpoint.of(MptcpScenario.address(bed.path(0).clientAddress()), 1, Endpoint.Flag.SUBFLOW)))));
            assertThat(s.runUntilRead(BYTES / 4, Nanos.ofSeconds(60))).as("%s", s).isTrue();
            s.clientEnd.stack().setEndpointBackup(s.sim.nowNanos(), 1, true);
            s.clientEnd.service(s.sim.nowNanos());
            JoinChecks.awaitBackupAtServer(s, s.bed.path(0).clientAddress());
            s.assertIntact(s.run(Nanos.ofSeconds(120)));
            // chk_join_nr 0 0 0: an endpoint on the initial subflow's address opens no subflow.
            JoinChecks.joins(s, 0, 0, 0);
            assertThat(s.maxSubflows).as("%s", s).isEqualTo(1);
            JoinChecks.prio(s, s.clientMib(), s.serverMib());
        });
    }

    // ---- checksum_tests

    @Test
    void checksums_both() {
        run.row("checksums", "checksum test 1 1", "both require DSS checksums; client: `subflow` endpoint on path B",
                1371, seed -> {
            MptcpScenario s = scenario(seed, 2, bed -> stack(withSubflowEndpoints(bed).withChecksumRequired(true)),
                    stack(MptcpConfig.defaults().withLimits(KERNEL_LIMITS).withChecksumRequired(true)));
            JoinChecks.DssCount toServer = JoinChecks.countDss(s.serverTamper);
            JoinChecks.DssCount toClient = JoinChecks.countDss(s.clientTamper);
            runJoined(s, 1);
            JoinChecks.clean(s);
            toServer.assertAllChecksummed(s);
            toClient.assertAllChecksummed(s);
        });
    }

    @Test
    void checksums_clientOnly() {
        run.row("checksums", "checksum test 1 0",
                "the client requires DSS checksums, the server does not; client: `subflow` endpoint on path B", 1372,
                seed -> {
            MptcpScenario s = twoPaths(seed, bed -> stack(withSubflowEndpoints(bed).withChecksumRequired(true)));
            JoinChecks.DssCount toClient = JoinChecks.countDss(s.clientTamper);
            runJoined(s, 1);
            JoinChecks.clean(s);
            // One side asks, both send them (RFC 8684 section 3.1).
            toClient.assertAllChecksummed(s);
        });
    }

    // ---- deny_join_id0_tests: an end sets flag C (allow_join_initial_addr_port=0)

    /** The net test's kernel server with {@code net.mptcp.allow_join_initial_addr_port=0}. */
    private static StackConfig denyingServer(Endpoint... endpoints) {
        return stack(MptcpConfig.defaults().withLimits(KERNEL_LIMITS).withEndpoints(List.of(endpoints))
                .withAllowJoinInitialAddrPort(false));
    }

    @Test
    void denyJoinId0_subflowEndpoint_noJoinToTheInitialAddress() {
        run.row("deny_join_id0", "single subflow allow join id0 ns2",
                "server: allow_join_initial_addr_port 0; client: `subflow` endpoint on path B", 1381, seed -> {
            MptcpScenario s = scenario(seed, 2, bed -> stack(withSubflowEndpoints(bed)), denyingServer());
            int[] flagged = countFlagC(s);
            s.assertIntact(s.run(Nanos.ofSeconds(120)));
            assertThat(flagged[0]).as("SYN/ACKs with flag C; %s", s).isPositive();
            JoinChecks.joins(s, 0, 0, 0);
            assertThat(s.clientMib().get(MibCounter.MPTCP_JOIN_SYN_TX)).as("%s", s).isZero();
        });
    }

    @Test
    void denyJoinId0_signalledAddress_stillJoined() {
        run.row("deny_join_id0", "signal address allow join id0 ns2",
                "server: allow_join_initial_addr_port 0, `signal` endpoint; client: add_addr_accepted 1", 1382, seed -> {
            MptcpScenario s = scenario(seed, 2, bed -> stack(acceptingOne()), denyingServer(signalB()), SERVER_B);
            int[] flagged = countFlagC(s);
            runAnnounced(s, 1);
            assertThat(flagged[0]).as("SYN/ACKs with flag C; %s", s).isPositive();
        });
    }

    @Test
    void denyJoinId0_subflowAndAddress_onlyTheAnnouncedAddressJoined() {
        run.row("deny_join_id0", "subflow and address allow join id0 2",
                "server: allow_join_initial_addr_port 0, `signal` endpoint, limits 2 2; client: `subflow` endpoint on"
                        + " path B, limits 2 2", 1383, seed -> {
            MptcpScenario s = scenario(seed, 2, bed -> stack(withSubflowEndpoints(bed).withLimits(new Limits(2, 2))),
                    stack(MptcpConfig.defaults().withLimits(new Limits(2, 2)).withEndpoints(List.of(signalB()))
                            .withAllowJoinInitialAddrPort(false)), SERVER_B);
            // chk_join_nr 1 1 1: the subflow endpoint may not join the initial address; the
            // announced one is joined from the initial subflow's address.
            runAnnounced(s, 1);
            assertThat(s.clientMib().get(MibCounter.MPTCP_JOIN_SYN_TX)).as("%s", s).isEqualTo(1);
        });
    }

    @Test
    void denyJoinId0_clientDenies_serverSideJoinsUnaffected() {
        run.row("deny_join_id0", "single subflow allow join id0 ns1",
                "client: allow_join_initial_addr_port 0, `subflow` endpoint on path B", 1384, seed -> {
            MptcpScenario s = twoPaths(seed, bed -> stack(withSubflowEndpoints(bed).withAllowJoinInitialAddrPort(false)));
            // The client's flag C rules out joins to the client's initial address, not its own joins.
            runJoined(s, 1);
            s.assertEverySubflowCarriedDataBothWays(2);
        });
    }

    @Test
    void denyJoinId0_peerIgnoresFlagC_joinToTheInitialAddressRefused() {
        run.row("deny_join_id0", "(mptcp4j) a join to the initial address despite flag C",
                "server: allow_join_initial_addr_port 0; flag C cleared on its way to the client; client: `subflow`"
                        + " endpoint on path B", 1385, seed -> {
            MptcpScenario s = scenario(seed, 2, bed -> stack(withSubflowEndpoints(bed)), denyingServer());
            s.clientTamper.rule((now, p) -> !(p.tcp().has(TcpFlags.SYN) && p.tcp().has(TcpFlags.ACK)) ? p
                    : Tamper.mapOptions(p, o -> o instanceof MptcpOption.MpCapable c && c.noMoreSubflowsToSource()
                            ? new MptcpOption.MpCapable(c.version(),
                                    c.flags() & ~MptcpOption.MpCapable.FLAG_NO_MORE_SUBFLOWS_TO_SOURCE, c.senderKey(),
                                    c.receiverKey(), c.dataLevelLength(), c.checksum())
                            : o));
            s.assertIntact(s.run(Nanos.ofSeconds(120)));
            // RFC 8684 section 3.1: the server "will not accept" it; a RST with MP_TCPRST, counted.
            assertThat(s.clientMib().get(MibCounter.MPTCP_JOIN_SYN_TX)).as("%s", s).isPositive();
            assertThat(s.serverMib().get(MibCounter.MPTCP_JOIN_REJECTED)).as("%s", s)
                    .isEqualTo(s.clientMib().get(MibCounter.MPTCP_JOIN_SYN_TX));
            assertThat(s.serverMib().get(MibCounter.MPTCP_JOIN_ACK_RX)).as("%s", s).isZero();
            s.assertOnlyTheInitialSubflowCarriedData();
        });
    }

    /** Counts the SYN/ACKs reaching the client whose MP_CAPABLE carries flag C. */
    private static int[] countFlagC(MptcpScenario s) {
        int[] n = {0};
        s.clientTamper.rule((now, p) -> {
            if (p.tcp().has(TcpFlags.SYN) && p.tcp().has(TcpFlags.ACK) && p.tcp().option(MptcpOption.MpCapable.class)
                    .filter(MptcpOption.MpCapable::noMoreSubflowsToSource).isPresent()) {
                n[0]++;
            }
            return p;
        });
        return n;
    }

    // ---- fullmesh_tests and laminar_endp_tests

    @Test
    void fullmesh_twoClientAddressesTimesTwoServerAddresses() {
        run.row("fullmesh", "fullmesh test 2x2",
                "server: `signal` endpoint; client: `fullmesh` path manager, `subflow` endpoint on path B, limits 4 1",
                1391, seed -> {
            MptcpScenario s = serverSignals(seed, bed -> withSubflowEndpoints(bed).withPathManager("fullmesh")
                    .withLimits(new Limits(4, 1)));
            // A to the server's first address is the initial subflow; B to it, A and B to the second join.
            runAnnounced(s, 3);
            JoinChecks.clean(s);
            s.assertEverySubflowCarriedDataBothWays(4);
        });
    }

    /**
     * mptcp_join.sh's "fullmesh test 1xN": the server announces its second address, the client
     * (limits {@code subflows} 1) joins it from its initial address, then {@code subflow fullmesh}
     * endpoints on each of its other addresses are added while data flows, each joining both
     * server addresses within the subflow limit.
     */
    private void fullmeshAdded(long seed, int paths, int subflows, long joins) {
        MptcpScenario s = scenario(seed, paths, bed -> stack(MptcpConfig.defaults().withLimits(new Limits(subflows, 1))),
                server(signalB()), SERVER_B);
        JoinChecks.runUntilBothSubflowsCarryData(s, BYTES / 8);
        for (int i = 1; i < paths; i++) {
            s.clientEnd.stack().addEndpoint(s.sim.nowNanos(), new Endpoint(MptcpScenario.address(
                    s.bed.path(i).clientAddress()), i, 0, Set.of(Endpoint.Flag.SUBFLOW, Endpoint.Flag.FULLMESH)));
        }
        s.clientEnd.service(s.sim.nowNanos());
        runAnnounced(s, joins);
        JoinChecks.clean(s);
        s.assertEverySubflowCarriedDataBothWays((int) joins + 1);
    }

    @Test
    void fullmesh_oneFullmeshEndpoint() {
        run.row("fullmesh", "fullmesh test 1x1", "server: `signal` endpoint; client: limits 3 1, a `subflow fullmesh`"
                + " endpoint on path B added once the announced address is joined", 1393,
                seed -> fullmeshAdded(seed, 2, 3, 3));
    }

    @Test
    void fullmesh_twoFullmeshEndpoints() {
        run.row("fullmesh", "fullmesh test 1x2", "three paths; server: `signal` endpoint; client: limits 5 1,"
                + " `subflow fullmesh` endpoints on paths B and C added once the announced address is joined", 1394,
                seed -> fullmeshAdded(seed, 3, 5, 5));
    }

    @Test
    void fullmesh_twoFullmeshEndpointsLimited() {
        run.row("fullmesh", "fullmesh test 1x2, limited", "as 1x2 with client limits 4 1: the last pair is not"
                + " joined", 1396, seed -> fullmeshAdded(seed, 3, 4, 4));
    }

    @Test
    void laminar_announcedAddressJoinedFromTheLaminarEndpoint() {
        run.row("laminar_endp", "laminar endp",
                "server: `signal` endpoint; client: `laminar` endpoint on path B, add_addr_accepted 1", 1392, seed -> {
            MptcpScenario s = serverSignals(seed, bed -> acceptingOne().withEndpoints(List.of(Endpoint.of(
                    MptcpScenario.address(bed.path(1).clientAddress()), 1, Endpoint.Flag.LAMINAR))));
            runAnnounced(s, 1);
            // A to the first address, B to the second: the join left from the laminar endpoint, not from A.
            assertThat(s.subflowData.keySet().stream().map(MptcpScenario::addressPair)).as("%s", s)
                    .containsExactlyInAnyOrder(s.bed.path(0).clientAddress() + " -> " + MultipathTestbed.SERVER_ADDRESS,
                            s.bed.path(1).clientAddress() + " -> " + SERVER_B);
            s.assertEverySubflowCarriedDataBothWays(2);
        });
    }

    // ---- link_failure_tests

    @Test
    void linkFailure_pathBDropsEverything_dataGoesOnPathA() {
        run.row("link_failure", "multiple flows, signal, link failure",
                "client: `subflow` endpoint on path B; path B goes down once both subflows carry data", 1395, seed -> {
            MptcpScenario s = twoPaths(seed, bed -> stack(withSubflowEndpoints(bed)));
            JoinChecks.runUntilBothSubflowsCarryData(s, BYTES / 4);
            s.bed.path(1).downAt(s.sim.nowNanos());
            runJoined(s, 1);
            // What path B held when it went down was sent again on path A.
            assertThat(s.clientMib().get(MibCounter.MPTCP_RETRANS) + s.serverMib().get(MibCounter.MPTCP_RETRANS))
                    .as("%s", s).isPositive();
        });
    }

    // ---- fastclose_tests: an abort (SO_LINGER 0) sends MP_FASTCLOSE

    @Test
    void fastclose_clientAborts() {
        run.row("fastclose", "fastclose test", "the client aborts once the server has read its 2 MB (the server has"
                + " sent 1 MB and holds the rest)", 1397, seed -> fastclose(seed, true));
    }

    @Test
    void fastclose_serverAborts() {
        run.row("fastclose", "fastclose server test", "the server aborts once the client has read its 2 MB (the"
                + " client has sent 1 MB and holds the rest)", 1398, seed -> fastclose(seed, false));
    }

    /**
     * One end aborts once it has read the other's whole stream and sent half of its own: nothing
     * of the aborting end's is in flight then, so its RST lands on the peer's RCV.NXT and the peer
     * acts on it (RFC 5961 section 3.2; Linux reads MP_FASTCLOSE only from a RST it accepts).
     * chk_fclose_nr 1 1: one MP_FASTCLOSE sent (one subflow, chk_join_nr 0 0 0), one received.
     */
    private void fastclose(long seed, boolean clientAborts) {
        MptcpScenario s = twoPaths(seed, bed -> stack(MptcpConfig.defaults()));
        var aborter = clientAborts ? s.client : s.server;
        var peer = clientAborts ? s.server : s.client;
        var aborterEnd = clientAborts ? s.clientEnd : s.serverEnd;
        peer.held(BYTES / 2);
        assertThat(s.sim.runUntil(() -> aborter.bytesRead() == BYTES / 2 && peer.bytesRead() == BYTES,
                Nanos.ofSeconds(60))).as("%s", s).isTrue();
        assertThat(aborter.isDone()).as("%s", s).isFalse();
        aborterEnd.stack().abort(s.sim.nowNanos(), aborter.conn());
        aborterEnd.service(s.sim.nowNanos());
        assertThat(s.sim.runUntil(() -> peer.failure() != null, s.sim.nowNanos() + Nanos.ofSeconds(1)))
                .as("%s", s).isTrue();

        assertThat(peer.failure()).as("%s", s).isEqualTo(ResetReason.RESET_BY_PEER);
        assertThat(peer.receivedSha256()).as("the aborting end's stream; %s", s).isEqualTo(aborter.sentSha256());
        assertThat(aborter.receivedSha256()).as("what the peer sent before; %s", s).isEqualTo(peer.sentSha256());
        Mib aborterMib = clientAborts ? s.clientMib() : s.serverMib();
        Mib peerMib = clientAborts ? s.serverMib() : s.clientMib();
        JoinChecks.joins(s, 0, 0, 0);
        assertThat(aborterMib.get(MibCounter.MPTCP_FASTCLOSE_TX)).as("%s", s).isEqualTo(1);
        assertThat(peerMib.get(MibCounter.MPTCP_FASTCLOSE_RX)).as("%s", s).isEqualTo(1);
        // chk_rst_nr 1 1 (invert when the client aborts): MP_TCPRST rides beside MP_FASTCLOSE.
        JoinChecks.resets(s, aborterMib, peerMib, 1);
        assertThat(s.mtuDrops()).as("%s", s).isZero();
    }

    // ---- v4mapped_tests with mptcp4j's own endpoints given IPv4-mapped (V4Mapped)

    @Test
    void v4mapped_singleSubflowFromMappedEndpoint() {
        run.row("v4mapped", "single subflow IPv4-mapped", "client: `subflow` endpoint ::ffff:(path B)", 1411, seed -> {
            MptcpScenario s = twoPaths(seed, bed -> stack(MptcpConfig.defaults().withEndpoints(List.of(Endpoint.of(
                    V4Mapped.of((Inet4Address) MptcpScenario.address(bed.path(1).clientAddress())), 1,
                    Endpoint.Flag.SUBFLOW)))));
            runJoined(s, 1);
            JoinChecks.clean(s);
            s.assertEverySubflowCarriedDataBothWays(2); // IPv4 on the wire: the mapped address is IPv4
        });
    }

    @Test
    void v4mapped_signalMappedAddress() {
        run.row("v4mapped", "signal address IPv4-mapped", "server: `signal` endpoint ::ffff:(B), announced in 16 bytes;"
                + " client: add_addr_accepted 1", 1412, seed -> {
            MptcpScenario s = scenario(seed, 2, bed -> stack(acceptingOne()), server(Endpoint.of(
                    V4Mapped.of((Inet4Address) MptcpScenario.address(SERVER_B)), 1, Endpoint.Flag.SIGNAL)), SERVER_B);
            runAnnounced(s, 1);
            s.assertEverySubflowCarriedDataBothWays(2);
        });
    }

    // ---- ipv6_tests and mixed_tests, on two paths that carry IPv6 beside IPv4 (DualStack)

    /** Two dual-stack paths, the client connecting to {@code serverAddress}, the server as given. */
    private MptcpScenario dualStack(long seed, String serverAddress, MptcpScenario.ClientConfig client,
            StackConfig server, String... moreServerAddresses) {
        return run.capture(new MptcpScenario(seed, BYTES, paths(2), client, server, true, serverAddress,
                moreServerAddresses));
    }

    private static Endpoint signal(String address) {
        return Endpoint.of(MptcpScenario.address(address), 1, Endpoint.Flag.SIGNAL);
    }

    /** The family of each of the client's subflows, "4" or "6", in the order they came up. */
    private static List<String> families(MptcpScenario s) {
        return s.subflowData.keySet().stream().map(k -> k.contains("fd00:") ? "6" : "4").toList();
    }

    @Test
    void ipv6_singleSubflow() {
        run.row("ipv6", "single subflow IPv6", "IPv6; client: `subflow` endpoint on path B", 1421, seed -> {
            MptcpScenario s = dualStack(seed, DualStack.SERVER, bed -> stack(MptcpConfig.defaults().withEndpoints(List.of(
                    Endpoint.of(MptcpScenario.address(DualStack.client(1)), 1, Endpoint.Flag.SUBFLOW)))), server());
            runJoined(s, 1);
            JoinChecks.clean(s);
            s.assertEverySubflowCarriedDataBothWays(2);
            assertThat(families(s)).as("%s", s).containsExactly("6", "6");
        });
    }

    @Test
    void ipv6_unusedSignalAddress() {
        run.row("ipv6", "unused signal address IPv6", "IPv6; server: `signal` endpoint; client: add_addr_accepted 0",
                1422, seed -> runAnnounced(dualStack(seed, DualStack.SERVER, bed -> stack(MptcpConfig.defaults()
                        .withLimits(new Limits(2, 0))), server(signal(DualStack.SERVER_B)), DualStack.SERVER_B), 0));
    }

    @Test
    void ipv6_singleAddress() {
        run.row("ipv6", "single address IPv6", "IPv6; server: `signal` endpoint; client: add_addr_accepted 1", 1423,
                seed -> {
            MptcpScenario s = dualStack(seed, DualStack.SERVER, bed -> stack(acceptingOne()),
                    server(signal(DualStack.SERVER_B)), DualStack.SERVER_B);
            runAnnounced(s, 1);
            JoinChecks.clean(s);
            s.assertEverySubflowCarriedDataBothWays(2);
            assertThat(families(s)).as("%s", s).containsExactly("6", "6");
        });
    }

    @Test
    void ipv6_removeSingleAddress() {
        run.row("ipv6", "remove single address IPv6",
                "IPv6; server: `signal` endpoint deleted while data flows; client: add_addr_accepted 1", 1424, seed -> {
            MptcpScenario s = dualStack(seed, DualStack.SERVER, bed -> stack(acceptingOne()),
                    server(signal(DualStack.SERVER_B)), DualStack.SERVER_B);
            onceJoined(s, s.serverEnd, (stack, now) -> stack.removeEndpoint(now, 1));
            runAnnounced(s, 1);
            JoinChecks.removed(s, s.serverMib(), s.clientMib());
        });
    }

    @Test
    void mixed_ipv4ConnectionIgnoresAnnouncedIpv6() {
        // Linux announces an endpoint of the other family too; the receiver echoes it and never joins it.
        run.row("mixed", "IPv4 sockets do not use IPv6 addresses",
                "IPv4 connection; server: `signal` endpoint (IPv6); client: add_addr_accepted 1", 1431, seed -> {
            MptcpScenario s = dualStack(seed, MultipathTestbed.SERVER_ADDRESS, bed -> stack(acceptingOne()),
                    server(signal(DualStack.SERVER_B)), DualStack.SERVER_B);
            runAnnounced(s, 0);
            assertThat(s.clientMib().get(MibCounter.MPTCP_JOIN_SYN_TX)).as("%s", s).isZero();
            assertThat(families(s)).as("%s", s).containsExactly("4");
        });
    }

    @Test
    void mixed_ipv6ConnectionJoinsAnnouncedIpv4() {
        run.row("mixed", "simult IPv4 and IPv6 subflows",
                "IPv6 connection; server: `signal` endpoint (IPv4); client: add_addr_accepted 1", 1432, seed -> {
            MptcpScenario s = dualStack(seed, DualStack.SERVER, bed -> stack(acceptingOne()), server(signal(SERVER_B)),
                    SERVER_B);
            runAnnounced(s, 1);
            JoinChecks.clean(s);
            s.assertEverySubflowCarriedDataBothWays(2);
            assertThat(families(s)).as("%s", s).containsExactly("6", "4");
        });
    }

    // ---- fail_tests: a DSS checksum fails (payload altered on the path)

    @Test
    void fail_oneSegmentAlteredOnPathB_mpFailAndTheSubflowReset() {
        run.row("fail", "MP_FAIL MP_RST", "both require checksums; client: `subflow` endpoint on path B; one byte of"
                + " one server segment on path B altered on the path", 1399, seed -> {
            MptcpScenario s = scenario(seed, 2, bed -> stack(withSubflowEndpoints(bed).withChecksumRequired(true)),
                    stack(MptcpConfig.defaults().withLimits(KERNEL_LIMITS).withChecksumRequired(true)));
            MptcpChecksumTest.Corruption c = MptcpChecksumTest.invertOneByte(s.clientTamper,
                    s.bed.path(1).clientAddress());
            JoinChecks.runUntilBothSubflowsCarryData(s, BYTES / 3);
            c.armed = true;
            s.assertIntact(s.run(Nanos.ofSeconds(120)));
            assertThat(c.count).as("%s", s).isEqualTo(1);
            // chk_fail_nr 1 1, chk_rst_nr 1 1: the altered mapping's data went again on path A.
            assertThat(s.clientMib().get(MibCounter.MPTCP_DATA_CSUM_ERR)).as("%s", s).isEqualTo(1);
            assertThat(s.clientMib().get(MibCounter.MPTCP_MP_FAIL_TX)).as("%s", s).isEqualTo(1);
            assertThat(s.serverMib().get(MibCounter.MPTCP_MP_FAIL_RX)).as("%s", s).isEqualTo(1);
            JoinChecks.resets(s, s.clientMib(), s.serverMib(), 1);
            JoinChecks.joins(s, 1, 1, 1);
        });
    }

    @Test
    void fail_oneSubflow_infiniteMapping() {
        run.row("fail", "Infinite map", "both require checksums, one path, no endpoints, 4 MiB each way; one byte of"
                + " one server segment altered on the path", 1400, seed -> {
            MptcpScenario s = run.capture(MptcpChecksumTest.scenario(seed, paths(1)));
            // chk_fail_nr 1 -1 invert, chk_infi_nr 0 1 invert: MP_FAIL from the receiver, an
            // infinite mapping from the sender; the altered byte reaches the application.
            MptcpChecksumTest.assertFallbackToTcp(s, true);
        });
    }
}
