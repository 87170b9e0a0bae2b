package org.mptcp4j.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.mptcp4j.base.Nanos;
import org.mptcp4j.base.SplitMix64;
import org.mptcp4j.net.emu.PathEmulator;
import org.mptcp4j.link.LinkSpec;
import org.mptcp4j.stack.StackConfig;

/** NIO on mptcp4j: socket channels, a server socket channel and a selector, as a NIO program uses them. */
class MptcpChannelsTest {
    private static final long SEED = 99;
    private LoopbackPair pair;

    @BeforeEach
    void start() throws Exception {
        pair = new LoopbackPair(SEED);
    }

    @AfterEach
    void stop() throws Exception {
        pair.close();
    }

    @Test
    void selectorEchoServer_eightBlockingClients_everyByteEchoed() throws Exception {
        try (MptcpServerSocketChannel listener = MptcpServerSocketChannel.open(pair.server);
             ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
            listener.bind(new InetSocketAddress(LoopbackPair.SERVER, 0));
            InetSocketAddress address = (InetSocketAddress) listener.getLocalAddress();
            Selector selector = pair.server.selectorProvider().openSelector();
            Thread server = Thread.ofPlatform().start(() -> runEchoServer(selector, listener));
            List<Future<Boolean>> clients = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                long seed = SEED + i;
                clients.add(threads.submit(() -> {
                    try (MptcpSocketChannel c = MptcpSocketChannel.open(pair.client, address)) {
                        byte[] sent = new byte[64 << 10];
                        new SplittableRandom(seed).nextBytes(sent);
                        ByteBuffer out = ByteBuffer.wrap(sent);
                        ByteBuffer in = ByteBuffer.allocate(sent.length);
                        Future<?> writing = threads.submit(() -> {
                            while (out.hasRemaining()) {
                                c.write(out);
                            }
                            return null;
                        });
                        while (in.hasRemaining()) {
                            if (c.read(in) < 0) {
                                throw new IOException("end of stream");
                            }
                        }
                        writing.get();
                        return java.util.Arrays.equals(in.array(), sent);
                    }
                }));
            }
            for (int i = 0; i < clients.size(); i++) {
                assertThat(clients.get(i).get(60, TimeUnit.SECONDS)).as("client %d echoed whole (seed %d)", i, SEED + i).isTrue();
            }
            selector.close();
            server.join(5_000);
            assertThat(server.isAlive()).as("closing the selector ends the server's loop").isFalse();
        }
    }

    @Test
    void nonBlockingConnect_readyForConnectThenWriteThenRead_throughOneSelector() throws Exception {
        // 20 ms on the client's way out, so that the SYN does need a round trip: on bare loopback the
        // handshake can finish before connect() returns (which NIO allows), whenever the calling
        // thread waits for a core.
        pair.close();
        PathEmulator delay = new PathEmulator(new SplitMix64(SEED));
        delay.configure(LoopbackPair.CLIENT, LoopbackPair.SERVER, LinkSpec.of(1_000_000_000L, Nanos.ofMillis(20)));
        pair = new LoopbackPair(SEED, StackConfig.defaults(), StackConfig.defaults(), delay);
        try (MptcpServerSocket listener = pair.listen();
             MptcpSocketChannel c = MptcpSocketChannel.open(pair.client);
             Selector selector = pair.client.selectorProvider().openSelector()) {
            c.configureBlocking(false);
            boolean connectedAtOnce = c.connect(listener.getLocalSocketAddress());
            assertThat(connectedAtOnce).as("the SYN needs a round trip").isFalse();
            assertThat(c.isConnectionPending()).isTrue();
            SelectionKey key = c.register(selector, SelectionKey.OP_CONNECT);
            assertThat(selector.select(5_000)).isEqualTo(1);
            assertThat(key.isConnectable()).isTrue();
            assertThat(c.finishConnect()).isTrue();
            assertThat(c.isConnected()).isTrue();
            assertThat(c.socket().isConnected()).as("the channel's socket saw the connect").isTrue();
            selector.selectedKeys().clear();
            try (MptcpSocket accepted = listener.accept()) {
                key.interestOps(SelectionKey.OP_WRITE);
                assertThat(selector.select(5_000)).isEqualTo(1);
                assertThat(c.write(ByteBuffer.wrap("ping".getBytes()))).isEqualTo(4);
                selector.selectedKeys().clear();
                key.interestOps(SelectionKey.OP_READ);
                assertThat(selector.selectNow()).as("nothing to read yet").isZero();
                assertThat(c.read(ByteBuffer.allocate(10))).as("non-blocking read, no data").isZero();
                assertThat(accepted.getInputStream().readNBytes(4)).isEqualTo("ping".getBytes());
                accepted.getOutputStream().write("pong".getBytes());
                assertThat(selector.select(5_000)).isEqualTo(1);
                ByteBuffer got = ByteBuffer.allocate(10);
                assertThat(c.read(got)).isEqualTo(4);
                assertThat(new String(got.array(), 0, 4)).isEqualTo("pong");
                selector.selectedKeys().clear();
                accepted.close();
                assertThat(selector.select(5_000)).as("end of stream is readable").isEqualTo(1);
                assertThat(c.read(ByteBuffer.allocate(10))).isEqualTo(-1);
            }
        }
    }

    @Test
    void idleSelector_wakeupReturnsABlockedSelect() throws Exception {
        try (MptcpServerSocketChannel listener = MptcpServerSocketChannel.open(pair.server);
             Selector selector = pair.server.selectorProvider().openSelector()) {
            listener.bind(null);
            listener.configureBlocking(false);
            listener.register(selector, SelectionKey.OP_ACCEPT);
            assertThat(listener.accept()).as("non-blocking accept, nobody there").isNull();
            assertThat(selector.selectNow()).isZero();
            CompletableFuture<Integer> selecting = CompletableFuture.supplyAsync(() -> {
                try {
                    return selector.select();
                } catch (IOException e) {
                    throw new RuntimeException(e);
                }
            }, r -> Thread.ofVirtual().start(r));
            Thread.sleep(20);
            selector.wakeup();
            assertThat(selecting.get(5, TimeUnit.SECONDS)).isZero();
        }
    }

    /** A single-threaded NIO echo server: accept, read, write back what was read (OP_WRITE when the socket is full). */
    private static void runEchoServer(Selector selector, MptcpServerSocketChannel listener) {
        try {
            listener.configureBlocking(false);
            listener.register(selector, SelectionKey.OP_ACCEPT);
            while (selector.isOpen()) {
                selector.select();
                if (!selector.isOpen()) {
                    return;
                }
                Iterator<SelectionKey> it = selector.selectedKeys().iterator();
                while (it.hasNext()) {
                    SelectionKey k = it.next();
                    it.remove();
                    if (!k.isValid()) {
                        continue;
                    }
                    if (k.isAcceptable()) {
                        MptcpSocketChannel c = listener.accept();
                        if (c != null) {
                            c.configureBlocking(false);
                            c.register(selector, SelectionKey.OP_READ, ByteBuffer.allocate(16 << 10));
                        }
                        continue;
                    }
                    MptcpSocketChannel c = (MptcpSocketChannel) k.channel();
                    ByteBuffer buf = (ByteBuffer) k.attachment();
                    if (k.isReadable() && c.read(buf) < 0) {
                        c.close();
                        continue;
                    }
                    buf.flip();
                    c.write(buf);
                    buf.compact();
                    // Read more only while there is room; write when something waits to go.
                    k.interestOps((buf.position() > 0 ? SelectionKey.OP_WRITE : 0)
                            | (buf.hasRemaining() ? SelectionKey.OP_READ : 0));
                }
            }
        } catch (java.nio.channels.ClosedSelectorException closed) {
            // the test closed the selector: done
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
