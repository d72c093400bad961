package io.captainos.core.docker;

import io.captainos.core.BuildLog;
import io.captainos.core.CaptainException;
import io.captainos.core.Stage;
import io.captainos.core.exec.StageExecution;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Docker mode for a build: one connection to the engine (fabric8's access layer), the builder image made or found
 * once, and a {@link DockerRunner} for each stage that asks.
 */
public final class DockerSetup implements StageExecution.Docker, AutoCloseable {
    private final String address;
    private final String origin;
    private final Function<DockerEngine, BuilderImage> builder;
    private final List<Path> mounts;
    private final Map<String, String> environment;
    private final BuildLog log;
    private DockerEngine engine;
    private BuilderImage.Built image;

    /**
     * @param address the engine's address; empty for the default socket
     * @param origin where the address came from, for messages
     * @param mounts the host folders the stages' commands use, mounted at the same paths
     */
    public DockerSetup(
            String address,
            String origin,
            Function<DockerEngine, BuilderImage> builder,
            List<Path> mounts,
            Map<String, String> environment,
            BuildLog log) {
        this.address = address;
        this.origin = origin;
        this.builder = builder;
        this.mounts = List.copyOf(mounts);
        this.environment = Map.copyOf(environment);
        this.log = log;
    }

    /** The engine, connected on first use. */
    public synchronized DockerEngine engine() {
        if (engine == null) {
            engine = Fabric8Engine.connect(address, origin, log);
        }
        return engine;
    }

    /** The builder image, made or found on first use. */
    public synchronized BuilderImage.Built image() {
        if (image == null) {
            image = builder.apply(engine()).ensure();
        }
        return image;
    }

    @Override
    public StageExecution.Answer probe() {
        try {
            return new StageExecution.Answer(true, "a Docker engine answers at " + engine().describe());
        } catch (CaptainException e) {
            String m = e.getMessage();
            int end = m.indexOf(". ");
            return new StageExecution.Answer(false, end > 0 ? m.substring(0, end) : m);
        }
    }

    @Override
    public DockerRunner runner(Stage stage) {
        return runner(stage.id());
    }

    /** A runner whose log lines carry the given label. */
    public DockerRunner runner(String label) {
        return new DockerRunner(engine(), image(), label, mounts, environment, log);
    }

    @Override
    public synchronized void close() {
        if (engine != null) {
            engine.close();
            engine = null;
        }
    }
}
