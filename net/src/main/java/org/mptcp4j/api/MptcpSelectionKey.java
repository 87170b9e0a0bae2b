package org.mptcp4j.api;

import java.nio.channels.CancelledKeyException;
import java.nio.channels.SelectableChannel;
import java.nio.channels.Selector;
import java.nio.channels.spi.AbstractSelectionKey;

/** A channel's registration with an {@link MptcpSelector}. */
final class MptcpSelectionKey extends AbstractSelectionKey {
    final SelectableChannel channel;
    final MptcpChannel source;
    private final MptcpSelector selector;
    private volatile int interestOps;
    private volatile int readyOps;

    MptcpSelectionKey(SelectableChannel channel, MptcpChannel source, MptcpSelector selector) {
        this.channel = channel;
        this.source = source;
        this.selector = selector;
    }

    @Override
    public SelectableChannel channel() {
        return channel;
    }

    @Override
    public Selector selector() {
        return selector;
    }

    @Override
    public int interestOps() {
        if (!isValid()) {
            throw new CancelledKeyException();
        }
        return interestOps;
    }

    @Override
    public MptcpSelectionKey interestOps(int ops) {
        if (!isValid()) {
            throw new CancelledKeyException();
        }
        if ((ops & ~channel.validOps()) != 0) {
            throw new IllegalArgumentException("invalid operations " + ops + " for " + channel);
        }
        interestOps = ops;
        selector.poke(); // a select in progress looks again with the new interest
        return this;
    }

    @Override
    public int readyOps() {
        if (!isValid()) {
            throw new CancelledKeyException();
        }
        return readyOps;
    }

    void setReadyOps(int ops) {
        readyOps = ops;
    }
}
