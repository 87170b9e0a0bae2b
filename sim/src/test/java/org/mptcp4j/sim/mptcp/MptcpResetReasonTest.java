package org.mptcp4j.sim.mptcp;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.Inet4Address;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.mptcp4j.base.Nanos;
import org.mptcp4j.link.LossModel;
import org.mptcp4j.mib.MibCounter;
import org.mptcp4j.mptcp.Limits;
import org.mptcp4j.mptcp.MptcpConfig;
import org.mptcp4j.mptcp.MptcpInfo;
import org.mptcp4j.mptcp.PmEvent;
import org.mptcp4j.mptcp.SubflowRecreation;
import org.mptcp4j.sim.topo.MultipathTestbed;
import org.mptcp4j.sim.topo.PathSpec;
import org.mptcp4j.stack.StackConfig;
import org.mptcp4j.wire.IpHeader;
import org.mptcp4j.wire.MptcpOption;
import org.mptcp4j.wire.TcpFlags;
import org.mptcp4j.wire.TcpOption;
import org.mptcp4j.wire.TcpPacket;
import org.mptcp4j.wire.TcpSegment;

/**
 * MP_TCPRST (RFC 8684 section 3.6) both ways: every reason, with and without flag T, is recorded
 * where it arrives (MPTcpExtMPRstRx, {@link MptcpInfo.SubflowInfo#resetReason}, SF_CLOSED's
 * {@code reset_reason} and {@code reset_flags}); and the situations mptcp4j sends each in, beyond
 * those other tests cover (1: {@code MptcpJoinRefusalTest}'s unknown token and wrong HMAC; 3: its
 * subflow limit; 5: {@code ReceiveBufferTuningTest}'s CLOSE action; 6: {@code JoinMatrixSimTest}'s
 * MP_FAIL MP_RST case): 0 when an endpoint goes, 2 with T for a flood of join SYNs, 4 with T when a
 * path comes back holding data already DATA_ACKed through the other.
 */
class MptcpResetReasonTest {
    private static final long BYTES = 512L << 10;

    private static PathSpec[] paths(int n) {
        PathSpec[] out = new PathSpec[n];
        for (int i = 0; i < n; i++) {
            out[i] = PathSpec.of(20_000_000, Duration.ofMillis(10 + 5 * i)).withLoss(LossModel.bernoulli(0.002));
        }
        return out;
    }

    /** RSTs reaching the client, with the MP_TCPRST each carried (null: none). */
    private static List<MptcpOption.MpTcpRst> resetsTo(Tamper tamper) {
        List<MptcpOption.MpTcpRst> out = new ArrayList<>();
        tamper.rule((now, p) -> {
            if (p.tcp().has(TcpFlags.RST)) {
                out.add(p.tcp().option(MptcpOption.MpTcpRst.class).orElse(null));
            }
            return p;
        });
        return out;
    }

    private static List<PmEvent> closed(PmMonitor m) {
        return m.events.stream().filter(e -> e.type() == PmEvent.Type.SUB_CLOSED).toList();
    }

    /**
     * The server refuses the client's join at its third ACK (its subflow limit is 0, reason 3); on
     * its way the MP_TCPRST is rewritten to {@code reason} and {@code flags}: the client counts it
     * and reports both on the subflow's SF_CLOSED, as {@code ip mptcp monitor} shows Linux's.
     */
    @ParameterizedTest(name = "reason {0}, flags {1}")
    @CsvSource({"0,0", "0,1", "1,0", "1,1", "2,0", "2,1", "3,0", "3,1", "4,0", "4,1", "5,0", "5,1", "6,0", "6,1"})
    void peerResetsJoin_reasonAndFlagRecordedOnSfClosed(int reason, int flags) {
        MptcpScenario s = new MptcpScenario(70 + reason, BYTES, paths(2), bed -> StackConfig.defaults().withMptcp(
                MptcpConfig.defaults().withEndpoints(MptcpScenario.subflowEndpoints(bed)).withLimits(new Limits(1, 0))),
                StackConfig.defaults().withMptcp(MptcpConfig.defaults().withLimits(new Limits(0, 0))));
        int[] rewritten = {0};
        s.clientTamper.rule((now, p) -> p.tcp().has(TcpFlags.RST) ? Tamper.mapOptions(p, o -> {
            if (o instanceof MptcpOption.MpTcpRst) {
                rewritten[0]++;
                return new MptcpOption.MpTcpRst(flags, reason);
            }
            return o;
        }) : p);
        PmMonitor monitor = new PmMonitor(s.sim, s.clientEnd);

        s.assertIntact(s.run(Nanos.ofSeconds(60)));

        assertThat(rewritten[0]).as("%s", s).isEqualTo(1);
        assertThat(s.clientMib().get(MibCounter.MPTCP_RST_RX)).as("%s", s).isEqualTo(1);
        assertThat(closed(monitor)).as("%s", monitor.lines()).singleElement().satisfies(e -> {
            assertThat(e.resetReason()).isEqualTo(reason);
            assertThat(e.resetFlags()).isEqualTo(flags);
            assertThat(e.toMonitorLine()).endsWith(" reset_reason=" + reason + " reset_flags=0x" + flags);
        });
    }

    @Test
    void endpointDeleted_subflowResetUnspecified() {
        MptcpScenario s = new MptcpScenario(80, 4 * BYTES, paths(2), bed -> StackConfig.defaults().withMptcp(
                MptcpConfig.defaults().withEndpoints(MptcpScenario.subflowEndpoints(bed))), StackConfig.defaults());
        List<MptcpOption.MpTcpRst> toServer = resetsTo(s.serverTamper);
        JoinChecks.runUntilBothSubflowsCarryData(s, BYTES);
        s.clientEnd.stack().removeEndpoint(s.sim.nowNanos(), 1);
        s.clientEnd.service(s.sim.nowNanos());

        s.assertIntact(s.run(Nanos.ofSeconds(60)));

        // As Linux closes a subflow its path manager removes: MPTCP_RST_EUNSPEC, not transient.
        assertThat(toServer).as("%s", s).first().satisfies(r -> {
            assertThat(r.reason()).isEqualTo(MptcpOption.MpTcpRst.REASON_UNSPECIFIED);
            assertThat(r.isTransient()).isFalse();
        });
        assertThat(s.clientMib().get(MibCounter.MPTCP_RST_TX)).as("%s", s).isEqualTo(1);
    }

    /**
     * Join SYNs for the connection's token from ports no subflow uses, more than
     * {@code MAX_PENDING_JOINS} (16) in their handshake at once: each gets its SYN/ACK until then,
     * the next a RST with "lack of resources" and T (it passes once the handshakes end). The
     * connection is not harmed.
     */
    @Test
    void joinSynFlood_beyondPendingLimit_lackOfResourcesTransient() {
        MptcpScenario s = new MptcpScenario(81, 2 * BYTES, paths(2), bed -> StackConfig.defaults(),
                StackConfig.defaults().withMptcp(MptcpConfig.defaults().withLimits(new Limits(8, 0))));
        List<TcpSegment> answers = new ArrayList<>();
        s.clientTamper.rule((now, p) -> {
            if (p.tcp().dstPort() >= 41000 && p.tcp().dstPort() < 41100) {
                answers.add(p.tcp());
                return null; // answers to the injected SYNs are the test's, not the client stack's
            }
            return p;
        });
        assertThat(s.runUntilRead(BYTES / 2, Nanos.ofSeconds(60))).as("%s", s).isTrue();
        int token = s.clientInfo().remoteToken();
        Inet4Address from = (Inet4Address) MptcpScenario.address(s.bed.path(1).clientAddress());
        Inet4Address to = (Inet4Address) MptcpScenario.address(MultipathTestbed.SERVER_ADDRESS);
        for (int i = 0; i < 17; i++) {
            TcpSegment syn = new TcpSegment(41000 + i, MptcpScenario.PORT, 1000 * i, 0, TcpFlags.SYN, 65535, 0,
                    List.of(new TcpOption.Mss(1460), new MptcpOption.MpJoinSyn(false, 9, token, 0x5eed + i)),
                    TcpSegment.EMPTY);
            s.clientTamper.inject(new TcpPacket(IpHeader.V4.of(from, to, IpHeader.PROTOCOL_TCP), syn));
        }
        assertThat(s.sim.runUntil(() -> answers.size() >= 17, s.sim.nowNanos() + Nanos.ofSeconds(1))).as("%s", s).isTrue();

        List<TcpSegment> firstAnswers = answers.stream().filter(a -> !a.has(TcpFlags.RST) || a.ack() != 0).toList();
        assertThat(firstAnswers.stream().filter(a -> a.has(TcpFlags.SYN))).as("SYN/ACKs; %s", answers).hasSize(16);
        assertThat(firstAnswers.stream().filter(a -> a.has(TcpFlags.RST))).as("%s", answers).singleElement()
                .satisfies(rst -> {
                    assertThat(rst.ack()).isEqualTo(1000 * 16 + 1);
                    assertThat(rst.option(MptcpOption.MpTcpRst.class)).hasValueSatisfying(r -> {
                        assertThat(r.reason()).isEqualTo(MptcpOption.MpTcpRst.REASON_LACK_OF_RESOURCES);
                        assertThat(r.isTransient()).isTrue();
                    });
                });
        assertThat(s.serverMib().get(MibCounter.MPTCP_JOIN_REJECTED)).as("%s", s).isEqualTo(1);
        s.assertIntact(s.run(Nanos.ofSeconds(120)));
    }

    /**
     * Path B goes down until its subflow is stale at both ends and comes back; meanwhile path A
     * delivered (and DATA_ACKed) what B held. With subflow recreation on, an end whose B subflow
     * still holds 64 KiB or more of that resets it with "too much outstanding data" and T, and the
     * client opens a fresh one from B.
     */
    @Test
    void pathBackHoldingDataAckedElsewhere_tooMuchOutstandingData_subflowOpenedAgain() {
        long bytes = 32L << 20;
        StackConfig base = StackConfig.defaults().withSendBufferBytes(1 << 20);
        MptcpScenario s = new MptcpScenario(82, bytes, paths(2), bed -> base.withMptcp(base.mptcp()
                .withEndpoints(MptcpScenario.subflowEndpoints(bed))
                .withRecreation(new SubflowRecreation(true, Nanos.ofMillis(50), Nanos.ofSeconds(60)))),
                base.withMptcp(base.mptcp().withRecreation(SubflowRecreation.on())));
        List<MptcpOption.MpTcpRst> toClient = resetsTo(s.clientTamper);
        List<MptcpOption.MpTcpRst> toServer = resetsTo(s.serverTamper);
        assertThat(s.runUntilRead(bytes / 8, Nanos.ofSeconds(60))).as("%s", s).isTrue();
        s.bed.path(1).downAt(s.sim.nowNanos());
        assertThat(s.sim.runUntil(() -> s.clientMib().get(MibCounter.MPTCP_SUBFLOW_STALE) > 0
                && s.serverMib().get(MibCounter.MPTCP_SUBFLOW_STALE) > 0, s.sim.nowNanos() + Nanos.ofSeconds(10)))
                .as("%s", s).isTrue();
        s.bed.path(1).upAt(s.sim.nowNanos());

        s.assertIntact(s.run(Nanos.ofSeconds(120)));

        List<MptcpOption.MpTcpRst> all = new ArrayList<>(toClient);
        all.addAll(toServer);
        assertThat(all).as("RSTs to the client %s, to the server %s; %s", toClient, toServer, s)
                .anySatisfy(r -> {
                    assertThat(r).isNotNull();
                    assertThat(r.reason()).isEqualTo(MptcpOption.MpTcpRst.REASON_TOO_MUCH_OUTSTANDING_DATA);
                    assertThat(r.isTransient()).isTrue();
                });
        assertThat(s.clientMib().get(MibCounter.MPTCP_SUBFLOW_RECREATE)).as("%s", s).isEqualTo(1);
        // In this seed the server recovers last, once it has sent all it had: it refuses the new
        // join as closing, "MPTCP-specific error" (Linux's mptcp_finish_join refuses a join once
        // the MPTCP socket left ESTABLISHED with MPTCP_RST_EMPTCP).
        assertThat(toClient.getLast()).as("RSTs to the client %s; %s", toClient, s).satisfies(r -> {
            assertThat(r.reason()).isEqualTo(MptcpOption.MpTcpRst.REASON_MPTCP_SPECIFIC);
            assertThat(r.isTransient()).isFalse();
        });
    }
}
