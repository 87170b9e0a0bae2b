package org.mptcp4j.stack;

/** The application's name for one connection of a {@link Stack}; valid until {@link StackEvent.Closed}. */
public record ConnHandle(long id) {}
