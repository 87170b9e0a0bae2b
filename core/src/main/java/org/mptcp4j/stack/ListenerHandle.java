package org.mptcp4j.stack;

/** The application's name for one listening socket of a {@link Stack}. */
public record ListenerHandle(long id) {}
