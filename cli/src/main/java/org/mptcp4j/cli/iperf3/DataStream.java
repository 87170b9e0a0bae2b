package org.mptcp4j.cli.iperf3;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;

/**
 * One data connection of a test: it sends blocks of random bytes or reads and counts them, on a
 * virtual thread of its own, until the test stops it. iperf3 numbers streams 1, 3, 4, 5, ... in
 * the order they connect (iperf_add_stream), and both ends exchange results by that number.
 */
final class DataStream {
    private final int id;
    private final Socket socket;
    private final boolean sender;
    private final AtomicLong bytes = new AtomicLong();
    /** Set when the test ends: a sender stops writing, a receiver keeps draining but no longer counts. */
    private volatile boolean stopped;
    private volatile long endNanos;
    private Thread thread;

    DataStream(int id, Socket socket, boolean sender) {
        this.id = id;
        this.socket = socket;
        this.sender = sender;
    }

    /** iperf3's stream numbering: 1 for the first, then one more than the count so far plus one. */
    static int idOf(int index) {
        return index == 0 ? 1 : index + 2;
    }

    int id() {
        return id;
    }

    Socket socket() {
        return socket;
    }

    boolean isSender() {
        return sender;
    }

    long bytes() {
        return bytes.get();
    }

    /** When the stream stopped counting, or {@code fallbackNanos} while it still runs. */
    long endNanos(long fallbackNanos) {
        return endNanos == 0 ? fallbackNanos : endNanos;
    }

    /**
     * Starts the stream's thread. A sender writes {@code blockBytes} at a time while {@code mayWrite}
     * allows the next block (-n counts over all of a test's sending streams); a receiver reads until
     * the peer closes or the socket is closed.
     */
    void start(int blockBytes, BooleanSupplier mayWrite) {
        thread = Thread.ofVirtual().name("iperf3-stream-" + id).start(() -> {
            try {
                if (sender) {
                    send(blockBytes, mayWrite);
                } else {
                    receive(blockBytes);
                }
            } catch (IOException closedOrReset) {
                // The socket was closed at the end of the test, or the peer went away: the control
                // connection reports how the test ended; this stream has counted what it moved.
            } finally {
                stop();
            }
        });
    }

    private void send(int blockBytes, BooleanSupplier mayWrite) throws IOException {
        byte[] block = new byte[blockBytes];
        ThreadLocalRandom.current().nextBytes(block); // iperf3 sends random bytes too, so compression gains nothing
        OutputStream out = socket.getOutputStream();
        while (!stopped && mayWrite.getAsBoolean()) {
            out.write(block);
            // Counted even when the test stopped during the write: the peer receives these bytes all the same.
            bytes.addAndGet(block.length);
        }
    }

    private void receive(int blockBytes) throws IOException {
        byte[] buffer = new byte[Math.max(blockBytes, 64 * 1024)];
        InputStream in = socket.getInputStream();
        int n;
        while ((n = in.read(buffer)) >= 0) {
            if (!stopped) {
                bytes.addAndGet(n);
            }
        }
    }

    /** Stops counting (and sending); the first call fixes the stream's end time. */
    void stop() {
        if (!stopped) {
            endNanos = System.nanoTime();
            stopped = true;
        }
    }

    /**
     * Waits until a stopped sender has finished the block it was writing, at most {@code millis}:
     * closing the socket in the middle of a write would deliver bytes that were never counted.
     */
    void awaitWriterIdle(long millis) {
        if (sender && thread != null) {
            try {
                thread.join(millis);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** Closes the connection, which ends the thread, and waits for it briefly. */
    void close() {
        stop();
        try {
            socket.close();
        } catch (IOException ignored) {
            // closing is all that is left to do with it
        }
        if (thread != null) {
            try {
                thread.join(2_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
