package org.mptcp4j.stack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.mptcp4j.base.Nanos;

/**
 * {@link Stack#discard} (Linux {@code recv} with {@code MSG_TRUNC}, iperf3's {@code
 * --skip-rx-copy}): bytes let go unread open the window as bytes read do, so a transfer of more
 * than the largest receive buffer (6 MB) gets through with the first 12 MiB discarded; what is read
 * after them is the sender's stream from there on, and the end of the stream still shows. Under 1 %
 * loss on 1500-byte packets, on a plain TCP connection and on an MPTCP one.
 */
class DiscardTest {
    private static final long SEED = 77;
    private static final long TOTAL = 16 << 20;
    private static final long DISCARDED = 12 << 20;

    @ParameterizedTest(name = "mptcp={0}")
    @ValueSource(booleans = {false, true})
    void discardedBytesOpenTheWindow_theReadThatFollowsGoesOnAfterThem(boolean mptcp) {
        Pair pair = new Pair(StackConfig.defaults().withMptcpEnabled(mptcp), SEED);
        pair.toServer.lossRate = 0.01;
        pair.toClient.lossRate = 0.01;
        Transfer t = new Transfer(pair, TOTAL, SEED).keepingBytes().discardingFirst(DISCARDED).run(Nanos.ofSeconds(300));

        assertThat(t.endOfStream()).as("seed %d", SEED).isTrue();
        assertThat(t.discarded()).as("seed %d", SEED).isEqualTo(DISCARDED);
        assertThat(t.received()).as("seed %d", SEED).isEqualTo(TOTAL - DISCARDED);
        byte[] sent = t.sentBytes();
        assertThat(Arrays.equals(t.receivedBytes(), Arrays.copyOfRange(sent, (int) DISCARDED, sent.length)))
                .as("the bytes read are the stream after the discarded ones; seed %d", SEED).isTrue();
        assertThat(pair.toServer.dropped).as("seed %d", SEED).isPositive();
        assertThatThrownBy(() -> pair.server.discard(pair.now(), t.serverConn, -1)).isInstanceOf(IllegalArgumentException.class);
    }
}
