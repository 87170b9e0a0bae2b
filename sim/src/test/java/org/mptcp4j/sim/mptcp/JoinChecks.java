package org.mptcp4j.sim.mptcp;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.mptcp4j.base.Nanos;
import org.mptcp4j.mib.Mib;
import org.mptcp4j.mib.MibCounter;
import org.mptcp4j.mptcp.MptcpInfo;
import org.mptcp4j.wire.MptcpOption;

/**
 * The checks of {@code mptcp_join.sh} on a {@link MptcpScenario}, each read on both ends: the
 * stacks are new for every scenario, so their counters are the deltas the script reads.
 */
final class JoinChecks {
    private JoinChecks() {
    }

    /**
     * {@code chk_join_nr syn synack ack}: MP_JOIN SYNs the server received, SYN/ACKs the client
     * received, third ACKs the server received; and no HMAC failed on either end.
     */
    static void joins(MptcpScenario s, long syn, long synAck, long ack) {
        assertThat(s.serverMib().get(MibCounter.MPTCP_JOIN_SYN_RX)).as("server MPJoinSynRx; %s", s).isEqualTo(syn);
        assertThat(s.clientMib().get(MibCounter.MPTCP_JOIN_SYNACK_RX)).as("client MPJoinSynAckRx; %s", s)
                .isEqualTo(synAck);
        assertThat(s.serverMib().get(MibCounter.MPTCP_JOIN_ACK_RX)).as("server MPJoinAckRx; %s", s).isEqualTo(ack);
        for (Mib m : List.of(s.clientMib(), s.serverMib())) {
            assertThat(m.get(MibCounter.MPTCP_JOIN_SYNACK_HMAC_FAILURE) + m.get(MibCounter.MPTCP_JOIN_ACK_HMAC_FAILURE))
                    .as("HMAC failures; %s", s).isZero();
        }
    }

    /**
     * {@code chk_add_nr n n} and {@code chk_add_tx_nr n n}: ADD_ADDRs the announcer sent and the
     * receiver took (none dropped), echoes the receiver sent and the announcer took.
     */
    static void addAddr(MptcpScenario s, Mib announcer, Mib receiver, long n) {
        assertThat(announcer.get(MibCounter.MPTCP_ADD_ADDR_TX)).as("announcer AddAddrTx; %s", s).isEqualTo(n);
        assertThat(receiver.get(MibCounter.MPTCP_ADD_ADDR)).as("receiver AddAddr; %s", s).isEqualTo(n);
        assertThat(receiver.get(MibCounter.MPTCP_ADD_ADDR_DROP)).as("receiver AddAddrDrop; %s", s).isZero();
        assertThat(receiver.get(MibCounter.MPTCP_ECHO_ADD_TX)).as("receiver EchoAddTx; %s", s).isEqualTo(n);
        assertThat(announcer.get(MibCounter.MPTCP_ECHO_ADD)).as("announcer EchoAdd; %s", s).isEqualTo(n);
    }

    /**
     * {@code chk_rm_nr 1 1} (with {@code invert} when the server removes): the end whose endpoint
     * went sent REMOVE_ADDR and closed the subflow from it (RmSubflow); the peer took the
     * REMOVE_ADDR (RmAddr) and closed nothing for an endpoint of its own.
     */
    static void removed(MptcpScenario s, Mib remover, Mib peer) {
        assertThat(remover.get(MibCounter.MPTCP_RM_ADDR_TX)).as("remover RmAddrTx; %s", s).isEqualTo(1);
        assertThat(remover.get(MibCounter.MPTCP_RM_SUBFLOW)).as("remover RmSubflow; %s", s).isEqualTo(1);
        assertThat(remover.get(MibCounter.MPTCP_RM_ADDR)).as("remover RmAddr; %s", s).isZero();
        assertThat(peer.get(MibCounter.MPTCP_RM_ADDR)).as("peer RmAddr; %s", s).isEqualTo(1);
        assertThat(peer.get(MibCounter.MPTCP_RM_SUBFLOW)).as("peer RmSubflow; %s", s).isZero();
    }

    /**
     * {@code chk_prio_nr}: the end that changed its endpoint sent MP_PRIO, the peer received it,
     * and not the other way. Linux sends it once; mptcp4j sends it on a pure ACK at once and again
     * on the subflow's next two pure ACKs, since nothing acknowledges an option (docs/MPTCP.md).
     */
    static void prio(MptcpScenario s, Mib sender, Mib receiver) {
        long tx = sender.get(MibCounter.MPTCP_MP_PRIO_TX);
        assertThat(tx).as("sender MPPrioTx; %s", s).isBetween(1L, 3L);
        assertThat(receiver.get(MibCounter.MPTCP_MP_PRIO_RX)).as("receiver MPPrioRx; %s", s).isBetween(1L, tx);
        assertThat(receiver.get(MibCounter.MPTCP_MP_PRIO_TX)).as("receiver MPPrioTx; %s", s).isZero();
        assertThat(sender.get(MibCounter.MPTCP_MP_PRIO_RX)).as("sender MPPrioRx; %s", s).isZero();
    }

    /** {@code chk_rst_nr n n}: RSTs with MP_TCPRST sent by {@code sender}, received by {@code receiver}. */
    static void resets(MptcpScenario s, Mib sender, Mib receiver, long n) {
        assertThat(sender.get(MibCounter.MPTCP_RST_TX)).as("MPRstTx; %s", s).isEqualTo(n);
        assertThat(receiver.get(MibCounter.MPTCP_RST_RX)).as("MPRstRx; %s", s).isEqualTo(n);
    }

    /** Nothing went wrong at the MPTCP level on either end: no reset, fallback, bad mapping or checksum. */
    static void clean(MptcpScenario s) {
        for (Mib m : List.of(s.clientMib(), s.serverMib())) {
            for (MibCounter c : List.of(MibCounter.MPTCP_RST_TX, MibCounter.MPTCP_RST_RX,
                    MibCounter.MPTCP_DSS_NOT_MATCHING, MibCounter.MPTCP_DATA_CSUM_ERR, MibCounter.MPTCP_MP_FAIL_TX,
                    MibCounter.MPTCP_DSS_FALLBACK, MibCounter.MPTCP_CAPABLE_FALLBACK_ACK,
                    MibCounter.MPTCP_CAPABLE_FALLBACK_SYNACK)) {
                assertThat(m.get(c)).as("%s; %s", c, s).isZero();
            }
        }
    }

    /** Runs until {@code bytes} arrived each way and every one of two subflows carried data both ways. */
    static void runUntilBothSubflowsCarryData(MptcpScenario s, long bytes) {
        assertThat(s.sim.runUntil(() -> s.client.bytesRead() >= bytes && s.server.bytesRead() >= bytes
                && s.subflowData.size() == 2 && s.subflowData.values().stream().allMatch(d -> d[0] > 0 && d[1] > 0),
                Nanos.ofSeconds(60))).as("%s", s).isTrue();
    }

    /** Runs (at most 60 s more) until {@code condition} holds. */
    static void runUntil(MptcpScenario s, java.util.function.BooleanSupplier condition) {
        assertThat(s.sim.runUntil(condition, s.sim.nowNanos() + Nanos.ofSeconds(60))).as("%s", s).isTrue();
    }

    /** Runs until the server's subflow from {@code clientAddress} is backup (its MP_PRIO arrived). */
    static void awaitBackupAtServer(MptcpScenario s, String clientAddress) {
        assertThat(s.sim.runUntil(() -> {
            MptcpInfo info = s.serverInfo();
            return info != null && info.subflows().stream().anyMatch(f -> f.backup()
                    && f.remote().getAddress().getHostAddress().equals(clientAddress));
        }, s.sim.nowNanos() + Nanos.ofSeconds(5))).as("%s", s).isTrue();
    }

    /** DSS mappings that reached one host, and how many of them carried a checksum. */
    static final class DssCount {
        long mappings;
        long checksummed;

        /** Every mapping carried a checksum (and there were mappings). */
        void assertAllChecksummed(MptcpScenario s) {
            assertThat(mappings).as("%s", s).isPositive();
            assertThat(checksummed).as("mappings with a checksum of %d; %s", mappings, s).isEqualTo(mappings);
        }
    }

    /** Counts the DSS mappings of every packet that reaches {@code tamper}'s host (the tamper's rule). */
    static DssCount countDss(Tamper tamper) {
        DssCount c = new DssCount();
        tamper.rule((now, p) -> {
            p.tcp().option(MptcpOption.Dss.class).flatMap(MptcpOption.Dss::mapping).ifPresent(m -> {
                c.mappings++;
                if (m.checksum().isPresent()) {
                    c.checksummed++;
                }
            });
            return p;
        });
        return c;
    }
}
