package io.captainos.core.docker;

import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * The few things the build asks of a container engine. Stages never see it: they hand commands to a
 * {@link DockerRunner}, which runs them in the builder container through this.
 */
public interface DockerEngine extends AutoCloseable {
    /** Where the engine answers and its API version, for the log. */
    String describe();

    /** The image's ID when the engine has an image of that name. */
    Optional<String> imageId(String name);

    /**
     * Builds an image from a build context (a tar whose root holds the {@code Dockerfile}) and tags it.
     *
     * @param output receives each line the build prints
     */
    void build(String name, Path context, Map<String, String> buildArgs, boolean noCache, Consumer<String> output);

    /**
     * Runs a container to its end and removes it.
     *
     * @param output receives each line the container prints, with {@code true} for standard output and
     *     {@code false} for standard error
     * @return the container's exit code
     */
    int run(Container container, Output output);

    /**
     * Runs a container with its standard input fed from {@code in} and its output copied to {@code out}, to its end,
     * and removes it.
     *
     * @return the container's exit code
     */
    int attach(Container container, InputStream in, OutputStream out);

    @Override
    void close();

    /** A line a container printed. */
    @FunctionalInterface
    interface Output {
        void line(boolean stdout, String text);
    }

    /**
     * One container run.
     *
     * @param binds host path to container path, mounted read-write
     * @param user {@code uid:gid}
     * @param capabilities capabilities added to the engine's default set
     * @param securityOptions options such as {@code seccomp=unconfined}
     */
    record Container(
            String image,
            List<String> command,
            String workingDir,
            String user,
            Map<String, String> environment,
            Map<Path, Path> binds,
            List<String> capabilities,
            List<String> securityOptions) {
        public Container {
            command = List.copyOf(command);
            environment = Map.copyOf(environment);
            binds = Map.copyOf(binds);
            capabilities = List.copyOf(capabilities);
            securityOptions = List.copyOf(securityOptions);
        }
    }
}
