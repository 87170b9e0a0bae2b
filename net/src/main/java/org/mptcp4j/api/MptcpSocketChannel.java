package org.mptcp4j.api;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketAddress;
import java.net.SocketOption;
import java.nio.ByteBuffer;
import java.nio.channels.AlreadyConnectedException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ConnectionPendingException;
import java.nio.channels.NoConnectionPendingException;
import java.nio.channels.NotYetConnectedException;
import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;
import java.nio.channels.UnresolvedAddressException;
import java.nio.channels.UnsupportedAddressTypeException;
import java.util.Objects;
import java.util.Set;

/**
 * An NIO {@link SocketChannel} on an {@link MptcpHost}, blocking or not, for an
 * {@link MptcpSelector} ({@code host.selectorProvider().openSelector()}). Reads and writes go
 * through the same per-socket buffers as {@link MptcpSocket}'s streams; {@link #socket()} is that
 * socket.
 */
public final class MptcpSocketChannel extends SocketChannel implements MptcpChannel {
    private final MptcpSocket socket;
    private final MptcpSocketImpl impl;
    private final Object stateLock = new Object();
    /** Guarded by stateLock. */
    private InetSocketAddress pendingRemote;
    private volatile boolean connected;

    MptcpSocketChannel(MptcpSelectorProvider provider, MptcpSocket socket) {
        super(provider);
        this.socket = socket;
        this.impl = socket.impl();
        this.connected = socket.isConnected();
    }

    /** A new unconnected channel on {@code host}. */
    public static MptcpSocketChannel open(MptcpHost host) throws IOException {
        return host.selectorProvider().openSocketChannel();
    }

    /** A channel connected (blocking) to {@code remote}. */
    public static MptcpSocketChannel open(MptcpHost host, SocketAddress remote) throws IOException {
        MptcpSocketChannel c = open(host);
        try {
            c.connect(remote);
        } catch (IOException | RuntimeException e) {
            c.close();
            throw e;
        }
        return c;
    }

    @Override
    public MptcpSocketChannel bind(SocketAddress local) throws IOException {
        ensureOpen();
        socket.bind(local);
        return this;
    }

    @Override
    public <T> MptcpSocketChannel setOption(SocketOption<T> name, T value) throws IOException {
        ensureOpen();
        socket.setOption(name, value);
        return this;
    }

    @Override
    public <T> T getOption(SocketOption<T> name) throws IOException {
        ensureOpen();
        return socket.getOption(name);
    }

    @Override
    public Set<SocketOption<?>> supportedOptions() {
        return socket.supportedOptions();
    }

    @Override
    public MptcpSocketChannel shutdownInput() throws IOException {
        ensureConnected();
        socket.shutdownInput();
        return this;
    }

    @Override
    public MptcpSocketChannel shutdownOutput() throws IOException {
        ensureConnected();
        socket.shutdownOutput();
        return this;
    }

    @Override
    public Socket socket() {
        return socket;
    }

    @Override
    public boolean isConnected() {
        return connected;
    }

    @Override
    public boolean isConnectionPending() {
        synchronized (stateLock) {
            return pendingRemote != null;
        }
    }

    @Override
    public boolean connect(SocketAddress remote) throws IOException {
        ensureOpen();
        if (!(remote instanceof InetSocketAddress r)) {
            throw new UnsupportedAddressTypeException();
        }
        if (r.isUnresolved()) {
            throw new UnresolvedAddressException();
        }
        synchronized (stateLock) {
            if (connected) {
                throw new AlreadyConnectedException();
            }
            if (pendingRemote != null) {
                throw new ConnectionPendingException();
            }
            pendingRemote = r;
        }
        if (isBlocking()) {
            boolean completed = false;
            try {
                begin();
                socket.connect(r);
                completed = true;
            } finally {
                endOp(completed);
            }
            synchronized (stateLock) {
                pendingRemote = null;
                connected = true;
            }
            return true;
        }
        try {
            impl.startConnect(r);
        } catch (IOException | RuntimeException e) {
            close();
            throw e;
        }
        return finishConnect();
    }

    @Override
    public boolean finishConnect() throws IOException {
        ensureOpen();
        InetSocketAddress r;
        synchronized (stateLock) {
            if (connected) {
                return true;
            }
            r = pendingRemote;
            if (r == null) {
                throw new NoConnectionPendingException();
            }
        }
        try {
            if (!isBlocking() && !impl.finishConnectNow()) {
                return false;
            }
            socket.connect(r); // established (or, blocking, waits): java.net.Socket records it
        } catch (IOException | RuntimeException e) {
            close(); // java.nio: a failed connect closes the channel
            throw e;
        }
        synchronized (stateLock) {
            pendingRemote = null;
            connected = true;
        }
        return true;
    }

    @Override
    public SocketAddress getRemoteAddress() throws IOException {
        ensureOpen();
        return socket.getRemoteSocketAddress();
    }

    @Override
    public SocketAddress getLocalAddress() throws IOException {
        ensureOpen();
        return socket.getLocalSocketAddress();
    }

    @Override
    public int read(ByteBuffer dst) throws IOException {
        Objects.requireNonNull(dst);
        ensureConnected();
        boolean completed = false;
        try {
            begin();
            int n = impl.read(dst, isBlocking());
            completed = true;
            return n;
        } finally {
            endOp(completed);
        }
    }

    @Override
    public long read(ByteBuffer[] dsts, int offset, int length) throws IOException {
        Objects.checkFromIndexSize(offset, length, dsts.length);
        long total = 0;
        for (int i = offset; i < offset + length; i++) {
            if (!dsts[i].hasRemaining()) {
                continue;
            }
            int n = total == 0 ? read(dsts[i]) : readNow(dsts[i]);
            if (n < 0) {
                return total == 0 ? -1 : total;
            }
            total += n;
            if (dsts[i].hasRemaining()) {
                break; // nothing more there now
            }
        }
        return total;
    }

    private int readNow(ByteBuffer dst) throws IOException {
        return impl.read(dst, false);
    }

    @Override
    public int write(ByteBuffer src) throws IOException {
        Objects.requireNonNull(src);
        ensureConnected();
        boolean completed = false;
        try {
            begin();
            int n = impl.write(src, isBlocking());
            completed = true;
            return n;
        } finally {
            endOp(completed);
        }
    }

    @Override
    public long write(ByteBuffer[] srcs, int offset, int length) throws IOException {
        Objects.checkFromIndexSize(offset, length, srcs.length);
        long total = 0;
        for (int i = offset; i < offset + length; i++) {
            total += write(srcs[i]);
            if (srcs[i].hasRemaining()) {
                break; // non-blocking and full
            }
        }
        return total;
    }

    @Override
    protected void implCloseSelectableChannel() throws IOException {
        socket.close();
    }

    @Override
    protected void implConfigureBlocking(boolean block) {
        // reads and writes ask isBlocking() each time
    }

    @Override
    public int readyOps() {
        int ops = impl.readyOps();
        if (!isConnectionPending()) {
            ops &= ~SelectionKey.OP_CONNECT;
        }
        if (!connected) {
            ops &= ~(SelectionKey.OP_READ | SelectionKey.OP_WRITE);
        }
        return ops;
    }

    @Override
    public void addWatcher(Runnable poke) {
        ConnState s = impl.state();
        if (s != null) {
            s.watchers.add(poke);
        } else {
            impl.earlyWatchers.add(poke);
        }
    }

    @Override
    public void removeWatcher(Runnable poke) {
        impl.earlyWatchers.remove(poke);
        ConnState s = impl.state();
        if (s != null) {
            s.watchers.remove(poke);
        }
    }

    private void ensureOpen() throws ClosedChannelException {
        if (!isOpen()) {
            throw new ClosedChannelException();
        }
    }

    private void ensureConnected() throws ClosedChannelException {
        ensureOpen();
        if (!connected) {
            throw new NotYetConnectedException();
        }
    }

    /** end() of an I/O operation, with the socket's "Socket closed" mapped to NIO's exceptions. */
    private void endOp(boolean completed) throws java.nio.channels.AsynchronousCloseException {
        end(completed);
    }
}
