package io.captainos.core.exec;

import io.captainos.core.BuildLog;
import io.captainos.core.Mode;
import io.captainos.core.Stage;

/**
 * Turns a stage's configured mode into the mode it actually runs in and the runner for it. {@code auto} picks the
 * builder container when a Docker engine answers and native otherwise, and says why.
 */
public final class StageExecution {
    /** The mode a stage runs in, why, and the runner that runs its commands (null when skipped or described). */
    public record Resolved(Stage stage, Mode configured, Mode mode, String reason, CommandRunner runner) {
        public boolean skipped() {
            return mode == Mode.SKIP;
        }

        /** Whether commands run in the builder container, which brings every program a stage needs. */
        public boolean inBuilder() {
            return mode == Mode.DOCKER;
        }
    }

    /** Whether an engine answers, and why or why not. */
    public record Answer(boolean available, String reason) {}

    /** What docker mode needs from the build: a container engine and the builder image on it. */
    public interface Docker {
        /** Whether an engine answers; never fails. */
        Answer probe();

        /** The runner for a stage in the builder container; fails saying what to do when it cannot be had. */
        CommandRunner runner(Stage stage);
    }

    private final Docker docker;
    private final BuildLog log;

    public StageExecution(Docker docker, BuildLog log) {
        this.docker = docker;
        this.log = log;
    }

    /** Resolves the mode without starting anything: for the summary. */
    public Resolved describe(Stage stage, Mode configured) {
        switch (configured) {
            case SKIP:
                return new Resolved(stage, configured, Mode.SKIP, "skip requested", null);
            case NATIVE:
                return new Resolved(stage, configured, Mode.NATIVE, "native requested", null);
            case DOCKER:
                return new Resolved(stage, configured, Mode.DOCKER, "docker requested", null);
            default:
                Answer a = docker.probe();
                return a.available()
                        ? new Resolved(stage, configured, Mode.DOCKER, a.reason() + ": docker", null)
                        : new Resolved(stage, configured, Mode.NATIVE, a.reason() + ": native", null);
        }
    }

    /** Resolves the mode for a run and gets its runner, failing at once when docker mode cannot be had. */
    public Resolved resolve(Stage stage, Mode configured) {
        Resolved r = describe(stage, configured);
        log.info(stage.id() + " stage: " + r.mode().id() + " (" + r.reason() + ")");
        CommandRunner runner = switch (r.mode()) {
            case NATIVE -> new NativeRunner(log);
            case DOCKER -> docker.runner(stage);
            default -> null;
        };
        return new Resolved(stage, configured, r.mode(), r.reason(), runner);
    }
}
