package org.mptcp4j.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.PrintStream;
import java.io.Writer;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.StandardSocketOptions;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.net.SocketFactory;
import org.junit.jupiter.api.Test;
import org.mptcp4j.mptcp.MptcpInfo;

/** docs/API.md's complete client and server, run as written there (the test checks API.md holds this very code). */
class ApiGuideExampleTest {

    // API:begin
    public static class EchoExample {
        public static void main(String[] args) throws Exception {
            // Two mptcp4j hosts, IP over UDP on loopback (unprivileged): the server 127.0.0.2, the client 127.0.0.1.
            try (MptcpHost.Pair hosts = MptcpHost.loopbackPair();
                 ServerSocket listener = new MptcpServerSocket(hosts.server(), new InetSocketAddress(hosts.serverAddress(), 0), 50)) {

                // The server: a ServerSocket like any other; a virtual thread per connection echoes lines.
                Thread.ofVirtual().start(() -> {
                    while (!listener.isClosed()) {
                        try {
                            Socket s = listener.accept();
                            Thread.ofVirtual().start(() -> echo(s));
                        } catch (IOException closed) {
                            return;
                        }
                    }
                });

                // The client: a Socket like any other, made by a SocketFactory as libraries take them.
                SocketFactory factory = new MptcpSocketFactory(hosts.client());
                try (Socket s = factory.createSocket(hosts.serverAddress(), listener.getLocalPort())) {
                    s.setSoTimeout(5_000);                              // reads time out, as in java.net
                    s.setOption(StandardSocketOptions.TCP_NODELAY, true); // Nagle is on by default
                    BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.UTF_8));
                    Writer out = new OutputStreamWriter(s.getOutputStream(), StandardCharsets.UTF_8);
                    out.write("hello over MPTCP\n");
                    out.flush();
                    System.out.println("echoed: " + in.readLine());

                    MptcpInfo info = s.getOption(MptcpSocketOptions.MPTCP_INFO); // like getsockopt(MPTCP_INFO)
                    System.out.println(info.mode() + ", " + info.subflows().size() + " subflow, "
                            + info.bytesAcked() + " bytes acknowledged");
                }
            }
        }

        private static void echo(Socket s) {
            try (s) {
                s.getInputStream().transferTo(s.getOutputStream()); // until the client closes
            } catch (IOException e) {
                System.err.println("echo: " + e);
            }
        }
    }
    // API:end

    @Test
    void echoServerAndClient_asInApiMd() throws Exception {
        PrintStream saved = System.out;
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        System.setOut(new PrintStream(buf, true));
        try {
            EchoExample.main(new String[0]);
        } finally {
            System.setOut(saved);
        }
        String printed = buf.toString();
        System.out.print(printed);
        assertThat(printed.lines().toList()).containsExactly("echoed: hello over MPTCP",
                "MPTCP, 1 subflow, 17 bytes acknowledged");
    }

    @Test
    void apiMd_holdsTheExampleAsWritten() throws IOException {
        Path self = Path.of("src/test/java/org/mptcp4j/api/ApiGuideExampleTest.java");
        String source = Files.readString(self);
        String example = source.substring(source.indexOf("    // API:begin\n") + "    // API:begin\n".length(),
                source.indexOf("    // API:end"));
        String doc = Files.readString(Path.of("../docs/API.md"));
        assertThat(doc).as("docs/API.md holds the example of %s, less its first four spaces of indent", self)
                .contains(example.lines().map(l -> l.startsWith("    ") ? l.substring(4) : l)
                        .collect(java.util.stream.Collectors.joining("\n", "", "\n")));
    }
}
