package org.mptcp4j.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** Entry point of {@code ./mptcp4j}: one picocli command with a subcommand per job. */
@Command(
        name = "mptcp4j",
        mixinStandardHelpOptions = true,
        versionProvider = Version.class,
        description = "MultiPath TCP (RFC 8684 v1) in Java: demos, measurements, the testbed and the paper's experiments.",
        subcommands = {DemoCommand.class, TestbedCommand.class, PerfCommand.class, org.mptcp4j.cli.sim.SimCommand.class,
                CommandLine.HelpCommand.class})
public final class Main implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        System.exit(run(args));
    }

    /** Runs the CLI and returns its exit code (tests call this instead of {@link #main}). */
    public static int run(String... args) {
        return new CommandLine(new Main()).execute(args);
    }

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }
}
