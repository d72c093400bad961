package io.captainos.core.exec;

import io.captainos.core.BuildLog;
import io.captainos.core.CaptainException;
import io.captainos.core.Mode;
import io.captainos.core.Stage;

/**
 * Turns a stage's configured mode into the mode it actually runs in and the runner for it. {@code auto} picks the
 * builder container when a Docker engine answers and native otherwise; until the builder container exists, it
 * resolves to native and says so.
 */
public final class StageExecution {
    /** The mode a stage runs in, why, and the runner that runs its commands (null when skipped). */
    public record Resolved(Stage stage, Mode configured, Mode mode, String reason, CommandRunner runner) {
        public boolean skipped() {
            return mode == Mode.SKIP;
        }
    }

    private final DockerProbe docker;
    private final BuildLog log;

    public StageExecution(DockerProbe docker, BuildLog log) {
        this.docker = docker;
        this.log = log;
    }

    /** Resolves the mode without running anything that fails: for the summary. */
    public Resolved describe(Stage stage, Mode configured) {
        switch (configured) {
            case SKIP:
                return new Resolved(stage, configured, Mode.SKIP, "skip requested", null);
            case NATIVE:
                return new Resolved(stage, configured, Mode.NATIVE, "native requested", new NativeRunner(log));
            case DOCKER:
                return new Resolved(stage, configured, Mode.DOCKER, "docker requested", null);
            default:
                DockerProbe.Answer a = docker.probe();
                String why = a.available()
                        ? a.reason() + ", but the builder container is not part of this build yet: native"
                        : a.reason() + ": native";
                return new Resolved(stage, configured, Mode.NATIVE, why, new NativeRunner(log));
        }
    }

    /** Resolves the mode for a run, failing at once for a mode this build cannot honour. */
    public Resolved resolve(Stage stage, Mode configured) {
        Resolved r = describe(stage, configured);
        if (r.mode() == Mode.DOCKER) {
            throw new CaptainException("The " + stage.id() + " stage cannot run in docker mode yet: the builder "
                    + "container is not part of this build. Use -D" + stage.modeProperty() + "=native (or "
                    + stage.modeEnv() + "=native), which checks and installs the host programs it needs.");
        }
        log.info(stage.id() + " stage: " + r.mode().id() + " (" + r.reason() + ")");
        return r;
    }
}
