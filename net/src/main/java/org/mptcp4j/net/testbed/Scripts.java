package org.mptcp4j.net.testbed;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.concurrent.ConcurrentHashMap;

/** The testbed's helper scripts ({@code org/mptcp4j/net/*.py} on the class path), copied once to temporary files to run. */
final class Scripts {
    private static final ConcurrentHashMap<String, Path> extracted = new ConcurrentHashMap<>();

    private Scripts() {}

    /** The script {@code name} as a file, owner-only, deleted when the JVM exits. */
    static Path extract(String name) throws IOException {
        Path p = extracted.get(name);
        if (p != null && Files.exists(p)) {
            return p;
        }
        synchronized (Scripts.class) {
            try (InputStream in = Scripts.class.getResourceAsStream("/org/mptcp4j/net/" + name)) {
                if (in == null) {
                    throw new IOException(name + " is missing from the class path");
                }
                p = Files.createTempFile("mptcp4j-" + name.replace(".py", "-"), ".py",
                        PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
                Files.write(p, in.readAllBytes());
                p.toFile().deleteOnExit();
                extracted.put(name, p);
                return p;
            }
        }
    }
}
