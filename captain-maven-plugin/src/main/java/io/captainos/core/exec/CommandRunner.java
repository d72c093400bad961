package io.captainos.core.exec;

import java.nio.file.Path;
import java.util.List;

/**
 * Runs a stage's commands. This is the one seam between a stage and where it runs: natively on this host, or in
 * the builder container. Stages never start processes themselves.
 */
public interface CommandRunner {
    /** Runs the command to its end; fails with its output tail when it exits non-zero. */
    void run(Command command);

    /** Runs the command and returns what it printed on standard output. */
    String capture(Command command);

    /** Where this runner runs commands, for the log. */
    String describe();

    /**
     * What the programs a command runs come from, for a stage's input record: {@code native} for this host's, the
     * builder image's ID for the container's.
     */
    default String identity() {
        return "native";
    }

    /**
     * The runner for commands that build an image tree (mkosi), which must write files of any owner: this one on
     * this host; as root with the capabilities it needs in the builder container.
     */
    default CommandRunner forImageBuilds() {
        return this;
    }

    /**
     * Gives files an image build wrote as root back to the user who runs the build, once they are no longer needed
     * with their image owners; nothing to do when the commands ran as that user.
     */
    default void handBack(List<Path> paths) {}
}
