package org.mptcp4j.net.interop;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.mptcp4j.api.MptcpHost;
import org.mptcp4j.api.MptcpServerSocket;
import org.mptcp4j.api.MptcpSocket;
import org.mptcp4j.net.perf.Transfers;
import org.mptcp4j.net.udp.UdpDriver;
import org.mptcp4j.stack.StackConfig;

/**
 * The second mptcp4j process of {@link UdpTwoProcessInteropTest}: a server stack on
 * {@code 127.0.0.2} over UDP. Protocol on stdin/stdout: prints {@code UDP <port>}, reads the
 * client's UDP port, accepts one connection on TCP port {@code args[0]}, reads to end of stream,
 * sends {@code args[1]} seeded bytes back, closes, and prints {@code RESULT <bytes> <sha256 in>
 * <sha256 out>}.
 */
public final class UdpPeerProcess {
    private UdpPeerProcess() {}

    public static void main(String[] args) throws Exception {
        int tcpPort = Integer.parseInt(args[0]);
        long sendBytes = Long.parseLong(args[1]);
        InetAddress server = InetAddress.getByName("127.0.0.2");
        InetAddress client = InetAddress.getByName("127.0.0.1");
        UdpDriver link = UdpDriver.builder().local(server, 0).open();
        System.out.println("UDP " + link.localSocketAddress(server).getPort());
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.US_ASCII));
        int clientUdpPort = Integer.parseInt(in.readLine().strip());
        link.addPeer(client, new InetSocketAddress(client, clientUdpPort));
        try (MptcpHost host = MptcpHost.overUdp("peer-process", StackConfig.defaults(), link, List.of(server));
                MptcpServerSocket listener = new MptcpServerSocket(host, new InetSocketAddress(server, tcpPort), 8)) {
            System.out.println("LISTENING");
            listener.setSoTimeout(30_000);
            try (MptcpSocket s = listener.accept()) {
                Transfers.Result got = Transfers.receive(s.getInputStream());
                Transfers.Result sent = Transfers.send(s.getOutputStream(), sendBytes, 99);
                System.out.println("RESULT " + got.bytes() + " " + got.sha256() + " " + sent.sha256());
            }
        }
        System.exit(0);
    }
}
