package io.captainos.core.exec;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** Answers whether a Docker engine is reachable, and why or why not, without failing. */
public final class DockerProbe {
    /** The answer and its reason, for the log. */
    public record Answer(boolean available, String reason) {}

    private final Map<String, String> environment;

    public DockerProbe(Map<String, String> environment) {
        this.environment = environment;
    }

    public Answer probe() {
        String host = environment.get("DOCKER_HOST");
        if ((host == null || host.isEmpty()) && !Files.exists(Path.of("/var/run/docker.sock"))) {
            return new Answer(false, "no Docker engine: DOCKER_HOST is unset and /var/run/docker.sock does not exist");
        }
        try {
            Process p = new ProcessBuilder("docker", "version", "--format", "{{.Server.Version}}")
                    .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            if (!p.waitFor(10, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return new Answer(false, "the Docker engine did not answer within 10 s");
            }
            return p.exitValue() == 0
                    ? new Answer(true, "a Docker engine answers" + (host == null ? "" : " at " + host))
                    : new Answer(false, "no Docker engine answers (docker version exited " + p.exitValue() + ")");
        } catch (java.io.IOException e) {
            return new Answer(false, "no docker client on PATH");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Answer(false, "interrupted while asking the Docker engine");
        }
    }
}
