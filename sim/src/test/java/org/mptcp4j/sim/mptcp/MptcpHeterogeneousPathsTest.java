package org.mptcp4j.sim.mptcp;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.mptcp4j.base.Nanos;
import org.mptcp4j.mptcp.MptcpInfo;
import org.mptcp4j.sim.topo.PathSpec;
import org.mptcp4j.stack.StackConfig;

/**
 * The case BLEST (Ferlin et al., IFIP Networking 2016) and ECF (Lim et al., CoNEXT 2017) were made
 * for: a fast path and a slow one, 100 Mbit/s with 10 ms one way and 5 Mbit/s with 100 ms. Once
 * both subflows are up (the server's first 1000 bytes make the client fully established and its
 * path manager join the slow path), each end sends its 1 MB at once. {@code default} fills the fast subflow's
 * window and puts the overflow on the slow one, whose last segments arrive long after the fast
 * path would have carried them; BLEST and ECF wait for the fast subflow instead, and finish sooner
 * (before the receive-buffer autotuning, seeds 1 to 3: default 0.59 s, BLEST 0.28 s, ECF 0.36 s).
 *
 * <p>The receive buffer starts at Linux's 128 KiB. BLEST's test is against the connection-level
 * send window: with this stack's default 1 MiB window a 1 MB transfer never fills it, BLEST never
 * waits, and it finishes with {@code default} (0.61 s against 0.60 s). ECF's test is against the
 * bytes waiting, and it wins either way (0.28 s; these figures too are from before the autotuning).
 *
 * <p>Since the paper's receive-buffer autotuning and the send-buffer rule (at least twice the summed
 * rates times the longest RTT) joined the engine, {@code default} itself finishes in 0.21 s here.
 * ECF then tied it: about 300 KB wait at the start, which at the fast subflow's initial window the
 * paper's estimate counts as 22 of its rounds (440 ms), later than the slow path, so ECF put two
 * windows on the slow path at once as {@code default} does. ECF now counts the fast window's
 * doubling in slow start (5.7 rounds) and waits: BLEST and ECF both 0.19 s. Each seed must show it
 * (the paths lose nothing, and the three seeds give the same times).
 */
class MptcpHeterogeneousPathsTest {
    private static final long BYTES = 1L << 20;
    /** The receive buffer a connection starts with: Linux's tcp_rmem[1] (it grows by autotuning). */
    private static final int RCVBUF = 128 << 10;

    @Test
    void fastAndSlowPath_oneMegabyteEachWay_blestAndEcfFinishBeforeDefault() {
        Map<String, Double> seconds = new LinkedHashMap<>();
        for (long seed = 1; seed <= 3; seed++) {
            for (String scheduler : new String[] {"default", "blest", "ecf"}) {
                seconds.put(scheduler, Nanos.toSeconds(completionNanos(seed, scheduler)));
            }
            System.out.printf("seed %d: 1 MB each way over 100 Mbit/s 10 ms + 5 Mbit/s 100 ms, seconds: %s%n", seed,
                    seconds);
            assertThat(seconds.get("blest")).as("seed %d, blest vs default: %s", seed, seconds)
                    .isLessThan(seconds.get("default"));
            assertThat(seconds.get("ecf")).as("seed %d, ecf vs default: %s", seed, seconds)
                    .isLessThan(seconds.get("default"));
        }
    }

    /** Both streams whole; the time from the release of both writers until both ends read the other's to its end. */
    static long completionNanos(long seed, String scheduler) {
        MptcpScenario s = MptcpSchedulerTest.scenario(seed, BYTES, StackConfig.defaults().withReceiveBufferBytes(RCVBUF),
                scheduler,
                PathSpec.of(100_000_000, Duration.ofMillis(10)), PathSpec.of(5_000_000, Duration.ofMillis(100)));
        s.client.held(0);
        s.server.held(1000);
        boolean up = s.sim.runUntil(() -> bothSubflowsUp(s), Nanos.ofSeconds(10));
        assertThat(up).as("seed %d, %s: both subflows established; %s", seed, scheduler, s).isTrue();
        s.client.release(s.clientEnd, s.sim.nowNanos());
        s.server.release(s.serverEnd, s.sim.nowNanos());
        s.assertIntact(s.run(Nanos.ofSeconds(60)));
        return Math.max(s.client.completionNanos(), s.server.completionNanos());
    }

    private static boolean bothSubflowsUp(MptcpScenario s) {
        if (s.client.conn() == null || s.server.conn() == null) {
            return false;
        }
        for (MptcpInfo info : new MptcpInfo[] {s.clientInfo(), s.serverInfo()}) {
            if (info == null || info.subflows().size() < 2
                    || !info.subflows().stream().allMatch(MptcpInfo.SubflowInfo::established)) {
                return false;
            }
        }
        return true;
    }

}
