package org.mptcp4j.api;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.SocketAddress;
import java.net.SocketOption;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.NotYetBoundException;
import java.nio.channels.SelectionKey;
import java.nio.channels.ServerSocketChannel;
import java.util.Set;

/**
 * An NIO {@link ServerSocketChannel} on an {@link MptcpHost}, blocking or not; OP_ACCEPT with an
 * {@link MptcpSelector}. {@link #socket()} is its {@link MptcpServerSocket}.
 */
public final class MptcpServerSocketChannel extends ServerSocketChannel implements MptcpChannel {
    private final MptcpServerSocket server;

    MptcpServerSocketChannel(MptcpSelectorProvider provider, MptcpServerSocket server) {
        super(provider);
        this.server = server;
    }

    /** A new unbound channel on {@code host}. */
    public static MptcpServerSocketChannel open(MptcpHost host) {
        return host.selectorProvider().openServerSocketChannel();
    }

    @Override
    public MptcpServerSocketChannel bind(SocketAddress local, int backlog) throws IOException {
        ensureOpen();
        server.bind(local == null ? new InetSocketAddress(0) : local, backlog < 1 ? 50 : backlog);
        return this;
    }

    @Override
    public <T> MptcpServerSocketChannel setOption(SocketOption<T> name, T value) throws IOException {
        ensureOpen();
        server.setOption(name, value);
        return this;
    }

    @Override
    public <T> T getOption(SocketOption<T> name) throws IOException {
        ensureOpen();
        return server.getOption(name);
    }

    @Override
    public Set<SocketOption<?>> supportedOptions() {
        return server.supportedOptions();
    }

    @Override
    public ServerSocket socket() {
        return server;
    }

    /** An accepted connection as a blocking channel; null when non-blocking and none waits. */
    @Override
    public MptcpSocketChannel accept() throws IOException {
        ensureOpen();
        if (!server.isBound()) {
            throw new NotYetBoundException();
        }
        MptcpSocket s;
        if (isBlocking()) {
            boolean completed = false;
            try {
                begin();
                s = server.accept();
                completed = true;
            } finally {
                end(completed);
            }
        } else {
            s = server.acceptNow();
        }
        return s == null ? null : new MptcpSocketChannel((MptcpSelectorProvider) provider(), s);
    }

    @Override
    public SocketAddress getLocalAddress() throws IOException {
        ensureOpen();
        return server.getLocalSocketAddress();
    }

    @Override
    protected void implCloseSelectableChannel() throws IOException {
        server.close();
    }

    @Override
    protected void implConfigureBlocking(boolean block) {
        // accept asks isBlocking() each time
    }

    @Override
    public int readyOps() {
        return server.isBound() && server.impl().acceptReady() ? SelectionKey.OP_ACCEPT : 0;
    }

    @Override
    public void addWatcher(Runnable poke) {
        Waiter w = server.impl().waiter();
        if (w == null) {
            throw new NotYetBoundException();
        }
        w.watchers.add(poke);
    }

    @Override
    public void removeWatcher(Runnable poke) {
        Waiter w = server.impl().waiter();
        if (w != null) {
            w.watchers.remove(poke);
        }
    }

    private void ensureOpen() throws ClosedChannelException {
        if (!isOpen()) {
            throw new ClosedChannelException();
        }
    }
}
