package org.mptcp4j.net.os;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;

/**
 * Runs code inside a named network namespace ({@code ip netns add NAME}, file
 * {@code /var/run/netns/NAME}). The code runs on a fresh platform thread that has joined the
 * namespace with {@code setns(2)}; Linux allows that for network namespaces on a single thread of a
 * multi-threaded process. Devices and sockets created there stay in that namespace for life, so a TUN
 * device opened this way can then be read and written from any thread.
 */
public final class NetNamespace {
    private NetNamespace() {}

    /** Where {@code ip netns} keeps the namespace handles. */
    public static final String NETNS_DIR = "/var/run/netns/";

    public static <T> T call(String namespace, Callable<T> work) throws IOException {
        FutureTask<T> task = new FutureTask<>(() -> {
            enter(namespace);
            return work.call();
        });
        Thread thread = Thread.ofPlatform().name("netns-" + namespace).unstarted(task);
        thread.start();
        try {
            return task.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while working in namespace " + namespace, e);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof IOException io) {
                throw io;
            }
            if (cause instanceof RuntimeException r) {
                throw r;
            }
            throw new IOException("failed in namespace " + namespace, cause);
        }
    }

    private static void enter(String namespace) throws IOException {
        if (namespace.contains("/") || namespace.isEmpty()) {
            throw new IllegalArgumentException("not a namespace name: " + namespace);
        }
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment errno = Libc.newErrnoSegment(arena);
            int fd = Libc.open(errno, arena.allocateFrom(NETNS_DIR + namespace), Libc.O_CLOEXEC);
            if (fd < 0) {
                throw new NativeIoException("open " + NETNS_DIR + namespace, Libc.errno(errno));
            }
            try {
                if (Libc.setns(errno, fd, Libc.CLONE_NEWNET) < 0) {
                    throw new NativeIoException("setns " + namespace, Libc.errno(errno));
                }
            } finally {
                Libc.close(errno, fd);
            }
        }
    }
}
