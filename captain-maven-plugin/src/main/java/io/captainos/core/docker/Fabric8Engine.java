package io.captainos.core.docker;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.captainos.core.BuildLog;
import io.captainos.core.CaptainException;
import io.fabric8.maven.docker.access.BuildOptions;
import io.fabric8.maven.docker.access.ContainerCreateConfig;
import io.fabric8.maven.docker.access.ContainerHostConfig;
import io.fabric8.maven.docker.access.DockerAccess;
import io.fabric8.maven.docker.access.DockerAccessException;
import io.fabric8.maven.docker.access.hc.DockerAccessWithHcClient;
import io.fabric8.maven.docker.access.log.LogCallback;
import io.fabric8.maven.docker.access.log.LogGetHandle;
import io.fabric8.maven.docker.config.Arguments;
import io.fabric8.maven.docker.model.ContainerDetails;
import io.fabric8.maven.docker.util.Logger;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.function.Consumer;

/** The engine through fabric8's Docker access layer: the Docker API on a Unix socket or TCP, no docker CLI. */
public final class Fabric8Engine implements DockerEngine {
    /** Where an engine listens when nothing says otherwise. */
    public static final String DEFAULT_HOST = "unix:///var/run/docker.sock";

    private final DockerAccess access;
    private final String address;
    private final String apiVersion;
    private final EngineLog engineLog;

    private Fabric8Engine(DockerAccess access, String address, EngineLog engineLog) throws DockerAccessException {
        this.access = access;
        this.apiVersion = access.getServerApiVersion();
        this.address = address;
        this.engineLog = engineLog;
    }

    /**
     * Connects to the engine at an address ({@code unix:///path}, {@code tcp://host:port}, {@code https://host:port}
     * with {@code DOCKER_CERT_PATH}), or the default socket
     * when it is empty. Fails with what to do when nothing answers there.
     *
     * @param origin where the address came from, for the message
     */
    public static Fabric8Engine connect(String address, String origin, BuildLog log) {
        String where = address == null || address.isBlank() ? DEFAULT_HOST : address.trim();
        URI uri;
        try {
            uri = URI.create(where);
        } catch (IllegalArgumentException e) {
            throw new CaptainException("Invalid Docker engine address '" + where + "' (" + origin + "): use"
                    + " unix:///path/to/docker.sock or tcp://host:port");
        }
        if (uri.getScheme() == null) {
            throw new CaptainException("Invalid Docker engine address '" + where + "' (" + origin + "): it needs a"
                    + " scheme, unix:///path/to/docker.sock or tcp://host:port");
        }
        if ("unix".equals(uri.getScheme()) && !Files.exists(Path.of(uri.getPath()))) {
            throw noEngine(where, origin, "the socket " + uri.getPath() + " does not exist");
        }
        EngineLog engineLog = new EngineLog(log);
        try {
            // an https:// engine is reached with the client certificates of DOCKER_CERT_PATH, as docker's own client
            String certs = System.getenv("DOCKER_CERT_PATH");
            return new Fabric8Engine(
                    new DockerAccessWithHcClient(where, certs == null || certs.isBlank() ? null : certs, 4, engineLog),
                    where,
                    engineLog);
        } catch (IOException | RuntimeException e) {
            throw noEngine(where, origin, "it does not answer (" + causes(e) + ")");
        }
    }

    private static CaptainException noEngine(String where, String origin, String why) {
        return new CaptainException("No Docker engine at " + where + " (" + origin + "): " + why + ". Start one"
                + " (dockerd, or podman system service for podman's Docker-compatible socket), point DOCKER_HOST or"
                + " -Dcaptain.docker.host at it, or build on this host with -Dcaptain.<stage>.mode=native (for"
                + " example -Dcaptain.kernel.mode=native).");
    }

    static String causes(Throwable e) {
        List<String> parts = new ArrayList<>();
        for (Throwable t = e; t != null && parts.size() < 4; t = t.getCause()) {
            String m = t.getMessage();
            String part = m == null || m.isBlank() ? t.getClass().getSimpleName() : m;
            if (parts.stream().noneMatch(seen -> seen.contains(part))) {
                parts.add(part);
            }
        }
        return String.join(": ", parts);
    }

    @Override
    public String describe() {
        return address + " (API " + apiVersion + ")";
    }

    @Override
    public Optional<String> imageId(String name) {
        try {
            return access.hasImage(name) ? Optional.of(access.getImageId(name)) : Optional.empty();
        } catch (DockerAccessException e) {
            throw new CaptainException(
                    "The Docker engine at " + address + " cannot look up " + name + ": " + causes(e), e);
        }
    }

    @Override
    public void build(
            String name, Path context, Map<String, String> buildArgs, boolean noCache, Consumer<String> output) {
        BuildOptions options =
                new BuildOptions().forceRemove(true).noCache(noCache).buildArgs(buildArgs);
        engineLog.streamTo(output);
        try {
            access.buildImage(name, context.toFile(), options);
        } catch (DockerAccessException e) {
            throw new CaptainException(causes(e), e);
        } finally {
            engineLog.streamTo(null);
        }
    }

    @Override
    public int run(Container c, Output output) {
        String id = create(c, false);
        Thread reaper = reaper(id);
        try {
            start(id, c);
            Lines lines = new Lines(output);
            LogGetHandle handle = access.getLogAsync(id, lines);
            try {
                lines.done.await();
            } finally {
                handle.finish();
            }
            return exitCode(id);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CaptainException("Interrupted while a container of " + c.image() + " ran", e);
        } finally {
            release(id, reaper);
        }
    }

    @Override
    public int attach(Container c, InputStream in, OutputStream out) {
        String id = create(c, true);
        Thread reaper = reaper(id);
        try {
            try (AttachStream stream = AttachStream.open(address, id)) {
                start(id, c);
                stream.feed(in);
                stream.drain(out);
            }
            return exitCode(id);
        } catch (IOException e) {
            throw new CaptainException("Lost the attached container " + id + " on " + address + ": " + causes(e), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CaptainException("Interrupted while a container of " + c.image() + " ran", e);
        } finally {
            release(id, reaper);
        }
    }

    private String create(Container c, boolean stdin) {
        ContainerHostConfig host = new ContainerHostConfig()
                .binds(c.binds().entrySet().stream()
                        .map(b -> b.getKey() + ":" + b.getValue())
                        .sorted()
                        .toList())
                .networkMode("bridge");
        if (!c.capabilities().isEmpty()) {
            host.capAdd(c.capabilities());
        }
        if (!c.securityOptions().isEmpty()) {
            host.securityOpts(c.securityOptions());
        }
        ContainerCreateConfig create = (stdin ? new WithStdin(c.image()) : new ContainerCreateConfig(c.image()))
                .command(new Arguments(c.command()))
                .workingDir(c.workingDir())
                .user(c.user())
                .environment(null, new HashMap<>(c.environment()), Map.of())
                .hostConfig(host);
        try {
            return access.createContainer(create, null);
        } catch (DockerAccessException e) {
            throw new CaptainException(
                    "The Docker engine at " + address + " refused to create a container of " + c.image() + ": "
                            + causes(e) + refusedOption(e, c),
                    e);
        }
    }

    private void start(String id, Container c) {
        try {
            access.startContainer(id);
        } catch (DockerAccessException e) {
            throw new CaptainException(
                    "The Docker engine at " + address + " could not start a container of " + c.image() + ": "
                            + causes(e) + refusedOption(e, c),
                    e);
        }
    }

    /** Removes the container if the JVM ends while it runs (Ctrl-C, a killed build's shutdown). */
    private Thread reaper(String id) {
        Thread reaper = new Thread(() -> remove(id), "captain-container-" + id);
        Runtime.getRuntime().addShutdownHook(reaper);
        return reaper;
    }

    private void release(String id, Thread reaper) {
        remove(id);
        try {
            Runtime.getRuntime().removeShutdownHook(reaper);
        } catch (IllegalStateException shuttingDown) {
            // the hook runs anyway
        }
    }

    /** A create request that keeps the container's stdin open for one attached client. */
    private static final class WithStdin extends ContainerCreateConfig {
        WithStdin(String image) {
            super(image);
        }

        @Override
        public String toJson() {
            JsonObject o = JsonParser.parseString(super.toJson()).getAsJsonObject();
            for (String key : new String[] {"AttachStdin", "AttachStdout", "AttachStderr", "OpenStdin", "StdinOnce"}) {
                o.addProperty(key, true);
            }
            return o.toString();
        }
    }

    /**
     * The options an engine refused, named: runc says only "unable to apply caps" when the machine's bounding set
     * lacks an added capability, so every added one is named then.
     */
    static String refusedOption(Exception e, Container c) {
        String m = causes(e).toLowerCase();
        for (String cap : c.capabilities()) {
            if (m.contains(cap.toLowerCase())) {
                return " (it refused the capability " + cap + ")";
            }
        }
        if (!c.capabilities().isEmpty() && m.contains("caps")) {
            return " (it refused the capabilities added: " + String.join(", ", c.capabilities())
                    + "; this machine may not grant them to containers)";
        }
        for (String opt : c.securityOptions()) {
            if (m.contains(opt.split("=")[0].toLowerCase())) {
                return " (it refused the security option " + opt + ")";
            }
        }
        return "";
    }

    private int exitCode(String id) throws InterruptedException {
        for (int i = 0; ; i++) {
            try {
                ContainerDetails d = access.getContainer(id);
                if (!d.isRunning() && d.getExitCode() != null) {
                    return d.getExitCode();
                }
            } catch (DockerAccessException e) {
                if (i > 50) {
                    throw new CaptainException("Lost the container " + id + " on " + address + ": " + causes(e), e);
                }
            }
            Thread.sleep(Math.min(20L * (i + 1), 500L));
        }
    }

    private void remove(String id) {
        try {
            access.removeContainer(id, true);
        } catch (DockerAccessException | RuntimeException e) {
            try {
                access.killContainer(id);
                access.removeContainer(id, true);
            } catch (DockerAccessException | RuntimeException again) {
                // the engine is gone; nothing left to clean here
            }
        }
    }

    @Override
    public void close() {
        access.shutdown();
    }

    /** Splits the log stream into lines and says when it ended. */
    private static final class Lines implements LogCallback {
        private final Output output;
        private final CountDownLatch done = new CountDownLatch(1);

        Lines(Output output) {
            this.output = output;
        }

        @Override
        public void log(int type, ZonedDateTime timestamp, String text) {
            for (String line : text.split("\n", -1)) {
                output.line(type != 2, line.endsWith("\r") ? line.substring(0, line.length() - 1) : line);
            }
        }

        @Override
        public void error(String error) {
            output.line(false, "(log stream: " + error + ")");
        }

        @Override
        public void open() {}

        @Override
        public void close() {
            done.countDown();
        }
    }

    /** fabric8's logger: image build output goes to whoever builds, the rest to the debug log. */
    private static final class EngineLog implements Logger {
        private final BuildLog log;
        private volatile Consumer<String> build;

        EngineLog(BuildLog log) {
            this.log = log;
        }

        void streamTo(Consumer<String> output) {
            this.build = output;
        }

        private static String format(String format, Object... params) {
            return params == null || params.length == 0 ? format : String.format(format, params);
        }

        @Override
        public void debug(String format, Object... params) {
            log.debug("docker: " + format(format, params));
        }

        @Override
        public void info(String format, Object... params) {
            Consumer<String> b = build;
            if (b != null) {
                b.accept(format(format, params));
            } else {
                log.debug("docker: " + format(format, params));
            }
        }

        @Override
        public void verbose(LogVerboseCategory category, String format, Object... params) {
            Consumer<String> b = build;
            if (category == LogVerboseCategory.BUILD && b != null) {
                for (String line : format(format, params).split("\n")) {
                    b.accept(line);
                }
            } else {
                log.debug("docker: " + format(format, params));
            }
        }

        @Override
        public void warn(String format, Object... params) {
            log.warn("docker: " + format(format, params));
        }

        @Override
        public void error(String format, Object... params) {
            log.warn("docker: " + format(format, params));
        }

        @Override
        public String errorMessage(String message) {
            return message;
        }

        @Override
        public boolean isDebugEnabled() {
            return false;
        }

        @Override
        public boolean isVerboseEnabled() {
            return true;
        }

        @Override
        public void progressStart() {}

        @Override
        public void progressUpdate(String layerId, String status, String progressMessage) {}

        @Override
        public void progressFinished() {}
    }
}
