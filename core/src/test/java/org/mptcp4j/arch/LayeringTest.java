package org.mptcp4j.arch;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The architecture as a test (STYLE.md, "Dependency direction"): each core package imports only
 * the packages below it, and nothing in core reads a clock, starts a thread, opens a socket or
 * draws from a global random source (DESIGN.md, "One engine, several drivers").
 */
class LayeringTest {
    private static final Path MAIN = Path.of("src/main/java/org/mptcp4j");

    /** Package -> the org.mptcp4j packages it may import (itself always allowed). */
    private static final Map<String, Set<String>> ALLOWED = Map.ofEntries(
            Map.entry("base", Set.of()),
            Map.entry("mib", Set.of("base")),
            Map.entry("pcap", Set.of("base")),
            Map.entry("link", Set.of("base")),
            Map.entry("buffer", Set.of("base")),
            Map.entry("wire", Set.of("base", "mib", "buffer")),
            Map.entry("crypto", Set.of("base", "wire")),
            Map.entry("cc", Set.of("base")),
            Map.entry("tcp", Set.of("base", "mib", "buffer", "wire", "cc", "crypto")),
            Map.entry("mptcp", Set.of("base", "mib", "buffer", "wire", "cc", "crypto", "tcp")),
            Map.entry("stack", Set.of("base", "mib", "buffer", "wire", "cc", "crypto", "tcp", "mptcp", "pcap")));

    /** Forbidden in core: the engine is driven, it never drives itself. */
    private static final List<String> FORBIDDEN = List.of(
            "System.nanoTime", "System.currentTimeMillis", "Instant.now", "new Thread", "Thread.sleep",
            "Executors.", "java.util.Random", "ThreadLocalRandom", "Math.random", "java.net.Socket",
            "java.net.DatagramSocket", "java.nio.channels", "synchronized", "volatile ");

    private static final Pattern IMPORT = Pattern.compile("^import (?:static )?org\\.mptcp4j\\.([a-z]+)[.;]", Pattern.MULTILINE);

    @Test
    void corePackages_importOnlyDownward() throws IOException {
        List<String> violations = new ArrayList<>();
        for (Path file : javaFiles()) {
            String pkg = topPackage(file);
            Set<String> allowed = ALLOWED.get(pkg);
            if (allowed == null) {
                violations.add(file + ": package '" + pkg + "' has no layering rule; add it to LayeringTest");
                continue;
            }
            Matcher m = IMPORT.matcher(Files.readString(file));
            while (m.find()) {
                String target = m.group(1);
                if (!target.equals(pkg) && !allowed.contains(target)) {
                    violations.add(file + ": " + pkg + " imports " + target);
                }
            }
        }
        assertThat(violations).isEmpty();
    }

    @Test
    void core_hasNoClockThreadSocketOrGlobalRandom() throws IOException {
        List<String> violations = new ArrayList<>();
        for (Path file : javaFiles()) {
            String text = stripComments(Files.readString(file));
            for (String token : FORBIDDEN) {
                boolean secureRngItself = file.endsWith("base/SecureRng.java");
                if (text.contains(token) && !secureRngItself) {
                    violations.add(file + " uses " + token);
                }
            }
        }
        assertThat(violations).isEmpty();
    }

    /**
     * STYLE.md example 2: sequence numbers wrap, so only {@code Seq32}/{@code Dsn} compare them. A
     * bare relational operator next to a name ending in Seq, Nxt or Una outside {@code base} is a bug
     * waiting for a wrap-around.
     */
    @Test
    void sequenceNumbers_areComparedOnlyInBase() throws IOException {
        Pattern bareCompare = Pattern.compile(
                "\\b\\w*(Seq|Nxt|Una)\\s*(<|>|<=|>=)\\s|\\s(<|>|<=|>=)\\s*\\w*(Seq|Nxt|Una)\\b");
        List<String> violations = new ArrayList<>();
        for (Path file : javaFiles()) {
            if (topPackage(file).equals("base")) {
                continue;
            }
            String[] lines = stripComments(Files.readString(file)).split("\n");
            for (int i = 0; i < lines.length; i++) {
                if (bareCompare.matcher(lines[i]).find()) {
                    violations.add(file + ": " + lines[i].strip());
                }
            }
        }
        assertThat(violations).isEmpty();
    }

    private static List<Path> javaFiles() throws IOException {
        try (Stream<Path> s = Files.walk(MAIN)) {
            return s.filter(p -> p.toString().endsWith(".java")).toList();
        }
    }

    private static String topPackage(Path file) {
        return MAIN.relativize(file).getName(0).toString();
    }

    private static String stripComments(String source) {
        return source.replaceAll("(?s)/\\*.*?\\*/", "").replaceAll("//[^\n]*", "");
    }
}
