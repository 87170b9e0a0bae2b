package org.mptcp4j.stack;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.mptcp4j.base.Nanos;
import org.mptcp4j.cc.CongestionAlgorithm;
import org.mptcp4j.cc.CongestionController;
import org.mptcp4j.mptcp.Endpoint;
import org.mptcp4j.mptcp.MptcpInfo;

/**
 * Congestion control is chosen for the stack ({@code StackConfig.congestionControl}, Linux's
 * sysctl) or for one connection ({@code connect(..., CongestionAlgorithm)}, Linux's
 * {@code TCP_CONGESTION}); a connection's joined subflows run what its first one runs.
 */
class CongestionChoiceTest {
    private static final long SEED = 15;
    private static final InetAddress CLIENT_SECOND = address("10.0.0.3");

    private static Pair twoAddressClient(StackConfig base) {
        StackConfig client = base.withMptcp(base.mptcp()
                .withEndpoints(List.of(Endpoint.of(CLIENT_SECOND, 1, Endpoint.Flag.SUBFLOW))));
        Pair pair = new Pair(client, StackConfig.defaults(), SEED);
        pair.client.addAddress(CLIENT_SECOND);
        return pair;
    }

    /** Drives the connection until both subflows are up (the client sends, the server reads), then names their algorithms. */
    private static List<String> subflowAlgorithms(Pair pair, ListenerHandle listener, ConnHandle h) {
        ConnHandle[] server = new ConnHandle[1];
        ByteBuffer sink = ByteBuffer.allocate(64 * 1024);
        pair.client.write(pair.now(), h, ByteBuffer.wrap(new byte[200_000]));
        pair.flush();
        pair.driveUntil(() -> {
            if (server[0] == null) {
                server[0] = pair.server.accept(listener);
            }
            if (server[0] != null) {
                pair.server.read(pair.now(), server[0], sink.clear());
            }
            pair.client.write(pair.now(), h, ByteBuffer.wrap(new byte[10_000]));
            MptcpInfo info = pair.client.mptcpInfo(h);
            return info.subflows().size() == 2 && info.subflows().stream().allMatch(MptcpInfo.SubflowInfo::established);
        }, Nanos.ofSeconds(10), Long.MAX_VALUE);
        return pair.client.mptcpConnection(h).ccGroup().members().stream().map(CongestionController::name).toList();
    }

    @Test
    void connectWithLia_onACubicStack_bothSubflowsRunLia() {
        Pair pair = twoAddressClient(StackConfig.defaults());
        ListenerHandle listener = pair.server.listen(pair.serverAddress(), 8);

        ConnHandle h = pair.client.connect(pair.now(), null, pair.serverAddress(), CongestionAlgorithm.LIA);

        assertThat(subflowAlgorithms(pair, listener, h)).as("seed %d", SEED).containsExactly("lia", "lia");
        assertThat(pair.client.info(h).congestionControl()).isEqualTo("lia");
    }

    @Test
    void plainConnect_runsTheStacksAlgorithm() {
        Pair pair = twoAddressClient(StackConfig.defaults().withCongestionControl(CongestionAlgorithm.OLIA));
        ListenerHandle listener = pair.server.listen(pair.serverAddress(), 8);

        ConnHandle h = pair.client.connect(pair.now(), null, pair.serverAddress());

        assertThat(subflowAlgorithms(pair, listener, h)).as("seed %d", SEED).containsExactly("olia", "olia");
    }

    private static InetAddress address(String literal) {
        try {
            return InetAddress.getByName(literal);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException(literal, e);
        }
    }
}
