package org.mptcp4j.net.interop;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.mptcp4j.api.MptcpHost;
import org.mptcp4j.api.MptcpSocket;
import org.mptcp4j.net.perf.Transfers;
import org.mptcp4j.net.udp.UdpDriver;
import org.mptcp4j.stack.StackConfig;

/** Two mptcp4j processes on loopback, TCP in UDP: this JVM is the client, a child JVM the server. */
class UdpTwoProcessInteropTest {
    private static final long BYTES = 20_000_000L;
    private static final int TCP_PORT = 6001;

    @Test
    void clientHereServerInChildProcess_bothWays_equalSha256_finBothWays() throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process child = new ProcessBuilder(java, "--enable-native-access=ALL-UNNAMED", "-cp", System.getProperty("java.class.path"),
                UdpPeerProcess.class.getName(), Integer.toString(TCP_PORT), Long.toString(BYTES))
                .redirectError(ProcessBuilder.Redirect.INHERIT).start();
        try (BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.US_ASCII));
                Writer in = new OutputStreamWriter(child.getOutputStream(), StandardCharsets.US_ASCII)) {
            String udpLine = out.readLine();
            assertThat(udpLine).startsWith("UDP ");
            InetAddress client = InetAddress.getByName("127.0.0.1");
            InetAddress server = InetAddress.getByName("127.0.0.2");
            UdpDriver link = UdpDriver.builder().local(client, 0)
                    .peer(server, new InetSocketAddress(server, Integer.parseInt(udpLine.substring(4).strip()))).open();
            in.write(link.localSocketAddress(client).getPort() + "\n");
            in.flush();
            assertThat(out.readLine()).isEqualTo("LISTENING");
            try (MptcpHost host = MptcpHost.overUdp("client-process", StackConfig.defaults(), link, List.of(client));
                    MptcpSocket s = new MptcpSocket(host)) {
                s.connect(new InetSocketAddress(server, TCP_PORT), 10_000);
                s.setSoTimeout(60_000);
                Transfers.Result sent = Transfers.send(s.getOutputStream(), BYTES, 5);
                s.shutdownOutput();
                Transfers.Result got = Transfers.receive(s.getInputStream());
                String[] result = out.readLine().split(" ");
                assertThat(result[0]).isEqualTo("RESULT");
                assertThat(Long.parseLong(result[1])).isEqualTo(BYTES);
                assertThat(result[2]).as("the child received what we sent").isEqualTo(sent.sha256());
                assertThat(got.bytes()).isEqualTo(BYTES);
                assertThat(got.sha256()).as("we received what the child sent").isEqualTo(result[3]);
            }
            assertThat(child.waitFor(30, TimeUnit.SECONDS)).isTrue();
            assertThat(child.exitValue()).isZero();
        } finally {
            child.destroyForcibly();
        }
    }
}
