package org.mptcp4j.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.mptcp4j.net.driver.RealTimeDriver.DriverStats;

/**
 * Platform threads that block in a socket do the stack's work themselves, as a kernel socket call
 * does in process context: a write to a connection with nothing unacknowledged sends its packet
 * before it returns, and a blocked read waits in the link in the reactor's place, so that the
 * packet it waits for wakes it directly (issue 16: two thread wake-ups per request/response, not
 * six). What a user sees must not change: the same bytes, and java.net's answers to a close, an
 * interrupt or a timeout while a read waits.
 */
class ApplicationThreadTurnsTest {
    private static final long SEED = 1616;
    private static final int EXCHANGES = 2_000;
    private static final int REQUEST_BYTES = 100;
    private LoopbackPair pair;
    private MptcpServerSocket listener;
    private MptcpSocket client;
    private MptcpSocket server;

    @BeforeEach
    void connect() throws Exception {
        pair = new LoopbackPair(SEED);
        listener = pair.listen();
        client = MptcpSocket.connect(pair.client, listener.getLocalSocketAddress(), 5_000);
        server = (MptcpSocket) listener.accept();
    }

    @AfterEach
    void close() throws Exception {
        client.close();
        server.close();
        listener.close();
        pair.close();
    }

    @Test
    void requestResponse_onPlatformThreads_readsLeadTheLinkAndWritesSendInline() throws Exception {
        SplittableRandom random = new SplittableRandom(SEED);
        Thread echo = platform(() -> {
            InputStream in = server.getInputStream();
            OutputStream out = server.getOutputStream();
            byte[] buf = new byte[REQUEST_BYTES];
            for (int i = 0; i < EXCHANGES; i++) {
                in.readNBytes(buf, 0, REQUEST_BYTES);
                out.write(buf);
            }
            return null;
        }).thread;
        DriverStats clientBefore = pair.client.driver().stats();
        DriverStats serverBefore = pair.server.driver().stats();
        MessageDigest sent = MessageDigest.getInstance("SHA-256");
        MessageDigest echoed = MessageDigest.getInstance("SHA-256");
        byte[] request = new byte[REQUEST_BYTES];
        for (int i = 0; i < EXCHANGES; i++) {
            random.nextBytes(request);
            sent.update(request);
            client.getOutputStream().write(request);
            byte[] response = client.getInputStream().readNBytes(REQUEST_BYTES);
            assertThat(response).as("echo %d (seed %d)", i, SEED).isEqualTo(request);
            echoed.update(response);
        }
        echo.join(10_000);
        assertThat(HexFormat.of().formatHex(echoed.digest())).isEqualTo(HexFormat.of().formatHex(sent.digest()));

        DriverStats c = delta(pair.client.driver().stats(), clientBefore);
        DriverStats s = delta(pair.server.driver().stats(), serverBefore);
        // Nearly every read found nothing yet and led; nearly every request and reply left from
        // its writer's thread. Some fall back (the reactor busy at that instant): not all.
        assertThat(c.leads()).as("client reads that led, of %d", EXCHANGES).isGreaterThan(EXCHANGES / 2);
        assertThat(s.leads()).as("server reads that led").isGreaterThan(EXCHANGES / 2);
        assertThat(c.turnsElsewhere()).as("client writes sent on the writer's thread").isGreaterThan(EXCHANGES / 2);
        assertThat(s.turnsElsewhere()).as("server replies sent on the writer's thread").isGreaterThan(EXCHANGES / 2);
        // Ping-pong mode: each reply carries the ACK of its request, no pure ACK in between.
        assertThat(c.packetsOut()).as("client packets").isLessThan(EXCHANGES * 3L / 2);
    }

    @Test
    void bulkBothWays_withPlatformReaders_sameBytesArrive() throws Exception {
        int bytes = 8 << 20;
        Platform<String> upstream = platform(() -> sha(server.getInputStream(), bytes));
        Platform<String> downstream = platform(() -> sha(client.getInputStream(), bytes));
        Platform<String> clientSends = platform(() -> send(client.getOutputStream(), bytes, SEED));
        Platform<String> serverSends = platform(() -> send(server.getOutputStream(), bytes, SEED + 1));
        assertThat(upstream.result.get(60, TimeUnit.SECONDS)).as("client to server, seed %d", SEED)
                .isEqualTo(clientSends.result.get(60, TimeUnit.SECONDS));
        assertThat(downstream.result.get(60, TimeUnit.SECONDS)).as("server to client, seed %d", SEED + 1)
                .isEqualTo(serverSends.result.get(60, TimeUnit.SECONDS));
    }

    @Test
    void leadingRead_otherThreadCloses_readThrowsSocketClosed() throws Exception {
        Platform<Integer> reading = platform(() -> client.getInputStream().read());
        awaitLeading(reading.thread);
        client.close();
        assertThatThrownBy(() -> reading.result.get(5, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class)
                .cause().isInstanceOf(SocketException.class).hasMessage("Socket closed");
    }

    @Test
    void leadingRead_interrupted_throwsInterruptedIOException() throws Exception {
        Platform<Integer> reading = platform(() -> client.getInputStream().read());
        awaitLeading(reading.thread);
        reading.thread.interrupt();
        assertThatThrownBy(() -> reading.result.get(5, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class)
                .cause().isInstanceOf(InterruptedIOException.class);
    }

    @Test
    void leadingRead_withSoTimeout_timesOut_andTheConnectionStillWorks() throws Exception {
        client.setSoTimeout(200);
        Platform<Integer> reading = platform(() -> client.getInputStream().read());
        assertThatThrownBy(() -> reading.result.get(5, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class)
                .cause().isInstanceOf(SocketTimeoutException.class);
        server.getOutputStream().write(42);
        assertThat(client.getInputStream().read()).isEqualTo(42);
    }

    /** Waits until {@code reader} is in the link (a lead begun, the thread not parked on the socket). */
    private void awaitLeading(Thread reader) throws InterruptedException {
        for (int i = 0; i < 5000; i++) {
            if (pair.client.driver().stats().leads() > 0 && reader.getState() == Thread.State.RUNNABLE) {
                Thread.sleep(20); // in the selector by now
                return;
            }
            Thread.sleep(1);
        }
        throw new AssertionError("the read never led");
    }

    private static DriverStats delta(DriverStats after, DriverStats before) {
        return new DriverStats(after.packetsIn() - before.packetsIn(), after.packetsOut() - before.packetsOut(),
                after.linkDropped() - before.linkDropped(), after.turns() - before.turns(),
                after.turnsElsewhere() - before.turnsElsewhere(), after.leads() - before.leads());
    }

    private static String send(OutputStream out, int bytes, long seed) throws Exception {
        SplittableRandom random = new SplittableRandom(seed);
        MessageDigest sha = MessageDigest.getInstance("SHA-256");
        byte[] chunk = new byte[65536];
        for (int left = bytes; left > 0; left -= chunk.length) {
            random.nextBytes(chunk);
            int n = Math.min(left, chunk.length);
            out.write(chunk, 0, n);
            sha.update(chunk, 0, n);
        }
        return HexFormat.of().formatHex(sha.digest());
    }

    private static String sha(InputStream in, int bytes) throws Exception {
        MessageDigest sha = MessageDigest.getInstance("SHA-256");
        byte[] buf = new byte[65536];
        int got = 0;
        while (got < bytes) {
            int n = in.read(buf, 0, Math.min(buf.length, bytes - got));
            if (n < 0) {
                throw new AssertionError("end of stream after " + got + " of " + bytes + " bytes");
            }
            sha.update(buf, 0, n);
            got += n;
        }
        return HexFormat.of().formatHex(sha.digest());
    }

    private record Platform<T>(Thread thread, CompletableFuture<T> result) {}

    private interface Body<T> {
        T run() throws Exception;
    }

    /** Runs {@code body} on a new platform thread: virtual threads never lead (they would pin a carrier). */
    private static <T> Platform<T> platform(Body<T> body) {
        CompletableFuture<T> f = new CompletableFuture<>();
        Thread t = Thread.ofPlatform().daemon(true).start(() -> {
            try {
                f.complete(body.run());
            } catch (Throwable e) {
                f.completeExceptionally(e);
            }
        });
        return new Platform<>(t, f);
    }
}
