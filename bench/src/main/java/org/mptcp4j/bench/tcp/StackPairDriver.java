package org.mptcp4j.bench.tcp;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import org.mptcp4j.base.Rng;
import org.mptcp4j.stack.ConnHandle;
import org.mptcp4j.stack.ListenerHandle;
import org.mptcp4j.stack.Stack;
import org.mptcp4j.stack.StackConfig;

/**
 * Two stacks in one thread passing packets directly, driven as a sans-IO driver must: the loop
 * the per-segment benchmarks share. {@link #segment} writes one MSS on the client's busy
 * connection, moves every packet both ways until nothing moves, lets the server read, and runs
 * the timers that are due; time advances 12 microseconds per segment (1 Gbit/s pacing).
 * Uses only the public {@link Stack} API, so it runs unchanged against older versions of core.
 */
final class StackPairDriver {
    final Stack client;
    final Stack server;
    final InetAddress clientAddress;
    final InetAddress serverAddress;
    long now = 1_000_000_000L;
    private ConnHandle clientConn;
    private ConnHandle serverConn;
    private final ByteBuffer wire = ByteBuffer.allocate(Stack.MAX_PACKET_BYTES);
    private final ByteBuffer appData = ByteBuffer.allocate(1448);
    private final ByteBuffer readBuf = ByteBuffer.allocate(64 * 1024);

    StackPairDriver(StackConfig config, long seed) throws Exception {
        Rng rng = Rng.seeded(seed);
        client = new Stack(config, rng.split());
        server = new Stack(config, rng.split());
        clientAddress = InetAddress.getByName("10.0.0.1");
        serverAddress = InetAddress.getByName("10.0.0.2");
        client.addAddress(clientAddress);
        server.addAddress(serverAddress);
    }

    /** Opens the connection {@link #segment} sends on, to the server's {@code port}. */
    void connectBusy(int port) {
        ListenerHandle l = server.listen(new InetSocketAddress(serverAddress, port), 8);
        clientConn = client.connect(now, null, new InetSocketAddress(serverAddress, port));
        for (int i = 0; i < 10 && serverConn == null; i++) {
            exchange();
            serverConn = server.accept(l);
        }
        if (serverConn == null) {
            throw new IllegalStateException("no handshake");
        }
        drainEvents();
    }

    /** One data segment through both stacks (the unit the benchmarks time); returns the time. */
    long segment() {
        now += 12_000;
        appData.clear();
        client.write(now, clientConn, appData);
        exchange();
        if (client.pollTimeout() <= now) {
            client.handleTimeout(now);
        }
        if (server.pollTimeout() <= now) {
            server.handleTimeout(now);
            exchange();
        }
        drainEvents();
        return now;
    }

    /** Moves every pending packet in both directions, then lets the server application read. */
    void exchange() {
        boolean moved;
        do {
            moved = move(client, server) | move(server, client);
            if (serverConn != null) {
                readBuf.clear();
                while (server.read(now, serverConn, readBuf) > 0) {
                    readBuf.clear();
                }
            }
        } while (moved);
    }

    private boolean move(Stack from, Stack to) {
        boolean any = false;
        while (from.pollTransmit(now, wire.clear()) != null) {
            wire.flip();
            to.handleInbound(now, wire);
            any = true;
        }
        return any;
    }

    void drainEvents() {
        while (client.pollEvent() != null) {
            // discarded
        }
        while (server.pollEvent() != null) {
            // discarded
        }
    }
}
