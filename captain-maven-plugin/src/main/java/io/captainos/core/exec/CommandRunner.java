package io.captainos.core.exec;

/**
 * Runs a stage's commands. This is the one seam between a stage and where it runs: natively on this host, or
 * (later) in the builder container. Stages never start processes themselves.
 */
public interface CommandRunner {
    /** Runs the command to its end; fails with its output tail when it exits non-zero. */
    void run(Command command);

    /** Runs the command and returns what it printed on standard output. */
    String capture(Command command);

    /** Where this runner runs commands, for the log. */
    String describe();
}
