package org.mptcp4j.net.os;

import java.io.IOException;

/** A system call failed; carries the call's name and errno, formatted like {@code perror(3)}. */
public final class NativeIoException extends IOException {
    private final int errno;

    public NativeIoException(String call, int errno) {
        super(call + ": " + Libc.strerror(errno) + " (errno " + errno + ")");
        this.errno = errno;
    }

    public int errno() {
        return errno;
    }
}
