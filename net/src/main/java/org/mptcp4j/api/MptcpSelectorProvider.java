package org.mptcp4j.api;

import java.io.IOException;
import java.net.ProtocolFamily;
import java.nio.channels.DatagramChannel;
import java.nio.channels.Pipe;
import java.nio.channels.spi.AbstractSelector;
import java.nio.channels.spi.SelectorProvider;

/**
 * NIO for one {@link MptcpHost}: {@link #openSocketChannel()} and {@link #openServerSocketChannel()}
 * make channels on the host, {@link #openSelector()} a selector for them ({@link MptcpHost#selectorProvider()}).
 * Datagram channels and pipes are the JDK's business: they are refused.
 */
public final class MptcpSelectorProvider extends SelectorProvider {
    private final MptcpHost host;

    MptcpSelectorProvider(MptcpHost host) {
        this.host = host;
    }

    public MptcpHost host() {
        return host;
    }

    @Override
    public AbstractSelector openSelector() {
        return new MptcpSelector(this);
    }

    @Override
    public MptcpSocketChannel openSocketChannel() throws IOException {
        return new MptcpSocketChannel(this, new MptcpSocket(host));
    }

    @Override
    public MptcpServerSocketChannel openServerSocketChannel() {
        return new MptcpServerSocketChannel(this, new MptcpServerSocket(host));
    }

    @Override
    public DatagramChannel openDatagramChannel() {
        throw new UnsupportedOperationException("mptcp4j has stream channels only");
    }

    @Override
    public DatagramChannel openDatagramChannel(ProtocolFamily family) {
        throw new UnsupportedOperationException("mptcp4j has stream channels only");
    }

    @Override
    public Pipe openPipe() {
        throw new UnsupportedOperationException("mptcp4j has stream channels only");
    }
}
