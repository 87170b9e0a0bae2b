package org.mptcp4j.cli.iperf3;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Map;
import java.util.Optional;

/**
 * The kernel's TCP through java.net, for checking the protocol against the real iperf3 on loopback
 * without root; it has no TCP_INFO, so it reports no Retr/Cwnd, as iperf3 does on such systems.
 */
final class KernelTcpTransport implements Transport {
    @Override
    public Socket connect(InetSocketAddress remote, int timeoutMillis) throws IOException {
        Socket s = new Socket();
        s.connect(remote, timeoutMillis);
        return s;
    }

    @Override
    public ServerSocket listen(InetSocketAddress local) throws IOException {
        return new ServerSocket(local.getPort(), 16, local.getAddress());
    }

    @Override
    public Optional<TcpSample> sample(Socket s) {
        return Optional.empty();
    }

    @Override
    public String congestionControl() {
        return "unknown";
    }

    @Override
    public Optional<String> fallbackReason(Socket s, boolean client) {
        return Optional.empty();
    }

    @Override
    public ObjectNode extraJson(Socket s) {
        return null;
    }

    @Override
    public Map<String, Long> counters() {
        return Map.of();
    }
}
