package io.captainos.core.docker;

import io.captainos.core.CaptainException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;

/** An engine that records what it is asked and answers from a script: the boundary the unit tests fake. */
final class FakeEngine implements DockerEngine {
    final Map<String, String> images = new HashMap<>();
    final List<String> built = new ArrayList<>();
    final List<Map<String, String>> buildArgs = new ArrayList<>();
    final List<Container> containers = new ArrayList<>();
    String failBuild;
    List<String> stdout = List.of();
    List<String> stderr = List.of();
    int exitCode;

    @Override
    public String describe() {
        return "fake";
    }

    @Override
    public Optional<String> imageId(String name) {
        return Optional.ofNullable(images.get(name));
    }

    @Override
    public void build(String name, Path context, Map<String, String> args, boolean noCache, Consumer<String> output) {
        output.accept("Step 1/1 : RUN something");
        if (failBuild != null) {
            output.accept("E: " + failBuild);
            throw new CaptainException("The command '/bin/sh -c something' returned a non-zero code: 100");
        }
        built.add(name);
        buildArgs.add(args);
        images.put(name, "sha256:" + Integer.toHexString(name.hashCode()) + "0000000000000000");
    }

    @Override
    public int run(Container container, Output output) {
        containers.add(container);
        stdout.forEach(l -> output.line(true, l));
        stderr.forEach(l -> output.line(false, l));
        return exitCode;
    }

    @Override
    public int attach(Container container, InputStream in, OutputStream out) {
        containers.add(container);
        return exitCode;
    }

    @Override
    public void close() {}
}
