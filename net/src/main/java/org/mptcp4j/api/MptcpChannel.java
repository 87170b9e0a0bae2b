package org.mptcp4j.api;

/** What an {@link MptcpSelector} asks of the channels it watches. */
interface MptcpChannel {
    /** The operations that would not block now (SelectionKey OP_* bits). */
    int readyOps();

    /** Runs {@code poke} whenever the reactor changed something about this channel. */
    void addWatcher(Runnable poke);

    void removeWatcher(Runnable poke);
}
