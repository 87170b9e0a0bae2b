package org.mptcp4j.cli.iperf3;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Map;
import java.util.Optional;
import org.mptcp4j.api.MptcpHost;
import org.mptcp4j.api.MptcpServerSocket;
import org.mptcp4j.api.MptcpSocket;
import org.mptcp4j.mptcp.MptcpConnection;
import org.mptcp4j.mptcp.MptcpInfo;
import org.mptcp4j.stack.ConnectionInfo;

/**
 * The test's connections on an mptcp4j host: {@link MptcpSocket}s bound to {@code local}, and the
 * figures iperf3 reads with TCP_INFO taken from MPTCP_INFO over all subflows (retransmits and cwnd
 * summed; RTT, peer window and MSS of the initial subflow).
 */
public final class MptcpTransport implements Transport {
    private final MptcpHost host;
    private final InetAddress local;

    public MptcpTransport(MptcpHost host, InetAddress local) {
        this.host = host;
        this.local = local;
    }

    @Override
    public Socket connect(InetSocketAddress remote, int timeoutMillis) throws IOException {
        MptcpSocket s = new MptcpSocket(host);
        try {
            s.bind(new InetSocketAddress(local, 0));
            s.connect(remote, timeoutMillis);
            return s;
        } catch (IOException e) {
            s.close();
            throw e;
        }
    }

    @Override
    public ServerSocket listen(InetSocketAddress localAddress) throws IOException {
        return new MptcpServerSocket(host, localAddress, 16);
    }

    @Override
    public Optional<TcpSample> sample(Socket s) {
        if (!(s instanceof MptcpSocket m)) {
            return Optional.empty();
        }
        try {
            ConnectionInfo first = m.info();
            MptcpInfo all = m.mptcpInfo();
            long retransmits = first.retransmits();
            long cwnd = first.cwndBytes();
            if (all != null && !all.subflows().isEmpty()) {
                retransmits = all.subflows().stream().mapToLong(MptcpInfo.SubflowInfo::retransmits).sum();
                cwnd = all.subflows().stream().mapToLong(MptcpInfo.SubflowInfo::cwndBytes).sum();
            }
            return Optional.of(new TcpSample(retransmits, cwnd, first.sndWnd(), first.srttNanos() / 1000,
                    first.rttvarNanos() / 1000, first.mss() + 40));
        } catch (IOException gone) {
            return Optional.empty();
        }
    }

    @Override
    public String congestionControl() {
        return host.config().congestionControl();
    }

    @Override
    public Optional<String> fallbackReason(Socket s, boolean client) {
        if (!(s instanceof MptcpSocket m) || !host.config().mptcpEnabled()) {
            return Optional.empty(); // plain TCP asked for (--no-mptcp) is no fallback
        }
        MptcpInfo info;
        try {
            info = m.mptcpInfo();
        } catch (IOException gone) {
            return Optional.empty();
        }
        if (info == null || info.mode() == MptcpConnection.Mode.MPTCP) {
            return Optional.empty();
        }
        if (info.mode() == MptcpConnection.Mode.PLAIN) {
            return Optional.of(client
                    ? "the server's SYN-ACK carried no MP_CAPABLE: it is not an MPTCP socket (run the server under mptcpize, "
                            + "or it has net.mptcp.enabled=0)"
                    : "the client's SYN carried no MP_CAPABLE: it is not an MPTCP socket (run the client under mptcpize, "
                            + "or it has net.mptcp.enabled=0)");
        }
        Map<String, Long> c = counters();
        if (c.getOrDefault("MPTcpExtDssFallback", 0L) > 0) {
            return Optional.of("data arrived without a DSS mapping: something on the path strips MPTCP options (RFC 8684 section 3.7)");
        }
        if (c.getOrDefault("MPTcpExtMPCapableFallbackACK", 0L) > 0) {
            return Optional.of("the client's third ACK carried no MP_CAPABLE (RFC 8684 section 3.7)");
        }
        if (c.getOrDefault("MPTcpExtMPCapableDataFallback", 0L) > 0) {
            return Optional.of("the first data arrived without MP_CAPABLE or DSS (RFC 8684 section 3.7)");
        }
        return Optional.of("the connection fell back to TCP after the handshake (RFC 8684 section 3.7)");
    }

    @Override
    public ObjectNode extraJson(Socket s) {
        if (!(s instanceof MptcpSocket m)) {
            return null;
        }
        MptcpInfo info;
        try {
            info = m.mptcpInfo();
        } catch (IOException gone) {
            return null;
        }
        if (info == null) {
            return null;
        }
        ObjectNode o = ControlChannel.JSON.createObjectNode();
        o.put("mode", info.mode().name());
        o.put("bytes_sent", info.bytesSent());
        o.put("bytes_acked", info.bytesAcked());
        o.put("bytes_received", info.bytesReceived());
        ArrayNode subflows = o.putArray("subflows");
        for (MptcpInfo.SubflowInfo f : info.subflows()) {
            ObjectNode x = subflows.addObject();
            x.put("local_host", f.local().getAddress().getHostAddress());
            x.put("local_port", f.local().getPort());
            x.put("remote_host", f.remote().getAddress().getHostAddress());
            x.put("remote_port", f.remote().getPort());
            x.put("local_id", f.localId());
            x.put("remote_id", f.remoteId());
            x.put("state", f.state().name());
            x.put("backup", f.backup());
            x.put("rtt", f.srttNanos() / 1000);
            x.put("snd_cwnd", f.cwndBytes());
            x.put("bytes_sent", f.bytesSent());
            x.put("bytes_acked", f.bytesAcked());
            x.put("bytes_received", f.bytesReceived());
            x.put("retransmits", f.retransmits());
            x.put("data_bytes_sent", f.dataBytesSent());
            x.put("data_bytes_received", f.dataBytesReceived());
        }
        return o;
    }

    @Override
    public Map<String, Long> counters() {
        try {
            return host.counters();
        } catch (IOException stopped) {
            return Map.of();
        }
    }
}
