package org.mptcp4j.examples.echo;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Random;
import org.mptcp4j.api.MptcpHost;
import org.mptcp4j.api.MptcpServerSocket;
import org.mptcp4j.api.MptcpSocket;
import org.mptcp4j.api.MptcpSocketFactory;
import org.mptcp4j.mptcp.MptcpInfo;

/**
 * An echo server and a client on each of mptcp4j's two engines: mptcp4j's own stack (two hosts on
 * loopback, IP over UDP) and the Linux kernel's MPTCP (plain TCP where the kernel has none). The
 * client sends 1 MB, reads it back and compares SHA-256; the program exits with status 1 if the
 * bytes differ.
 */
public final class EchoExample {
    private static final int BYTES = 1 << 20;

    private EchoExample() {}

    public static void main(String[] args) throws Exception {
        boolean same;
        try (MptcpHost.Pair hosts = MptcpHost.loopbackPair()) {
            same = run("userspace", hosts.server(), hosts.client(), hosts.serverAddress());
        }
        MptcpHost kernel = MptcpHost.kernel(); // the kernel's stack: nothing to start or close
        same &= run("kernel", kernel, kernel, InetAddress.getLoopbackAddress());
        if (!same) {
            System.exit(1);
        }
    }

    /** A server on {@code serverHost} echoing one connection, a client on {@code clientHost}: whether the echo matched. */
    static boolean run(String engine, MptcpHost serverHost, MptcpHost clientHost, InetAddress serverAddress)
            throws Exception {
        try (ServerSocket listener = new MptcpServerSocket(serverHost, new InetSocketAddress(serverAddress, 0), 8)) {
            Thread server = Thread.ofVirtual().start(() -> {
                try (Socket s = listener.accept()) {
                    s.getInputStream().transferTo(s.getOutputStream()); // until the client shuts its side
                } catch (IOException e) {
                    System.err.println("server: " + e);
                }
            });
            byte[] data = new byte[BYTES];
            new Random(42).nextBytes(data);
            // A SocketFactory, as HTTP and database clients take one.
            try (Socket s = new MptcpSocketFactory(clientHost).createSocket(serverAddress, listener.getLocalPort())) {
                Thread writer = Thread.ofVirtual().start(() -> {
                    try {
                        s.getOutputStream().write(data);
                        s.shutdownOutput();
                    } catch (IOException e) {
                        System.err.println("client: " + e);
                    }
                });
                byte[] echoed = s.getInputStream().readAllBytes();
                writer.join();
                server.join();
                MptcpInfo info = ((MptcpSocket) s).mptcpInfo();
                boolean same = Arrays.equals(sha256(echoed), sha256(data));
                System.out.println(engine + ": " + info.mode() + ", " + echoed.length + " bytes echoed, SHA-256 "
                        + (same ? "equal " + HexFormat.of().formatHex(sha256(data), 0, 8) : "DIFFERENT"));
                return same;
            }
        }
    }

    private static byte[] sha256(byte[] b) throws NoSuchAlgorithmException {
        return MessageDigest.getInstance("SHA-256").digest(b);
    }
}
