package io.captainos.core.docker;

import io.captainos.core.BuildLog;
import io.captainos.core.CaptainException;
import io.captainos.core.exec.Command;
import io.captainos.core.exec.CommandRunner;
import io.captainos.core.exec.OutputTail;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Runs a stage's commands in the builder container: one container a command, the given host folders mounted at the
 * same paths (so every path a stage names means the same inside), as the caller's uid:gid so the files it writes
 * are the caller's, with its output streamed into the build log under the stage's name.
 */
public final class DockerRunner implements CommandRunner {
    /**
     * What mkosi needs in an unprivileged container: mounts and namespaces for its sandbox (CAP_SYS_ADMIN, and a
     * seccomp profile that lets it call mount, unshare and pivot_root), device nodes in the image (MKNOD, part of the
     * default set), and no AppArmor profile in its way where the host has AppArmor.
     */
    public static final List<String> IMAGE_BUILD_CAPABILITIES = List.of("SYS_ADMIN");

    public static final List<String> IMAGE_BUILD_SECURITY = List.of("seccomp=unconfined", "apparmor=unconfined");

    private static final int TAIL_LINES = 40;

    private final DockerEngine engine;
    private final BuilderImage.Built image;
    private final String label;
    private final Path home;
    private final List<Path> mounts;
    private final String caller;
    private final String user;
    private final List<String> capabilities;
    private final List<String> security;
    private final Map<String, String> environment;
    private final BuildLog log;

    /**
     * @param label the stage, for the log
     * @param mounts host folders the commands read and write, mounted at the same paths; the first is where a
     *     command without a folder of its own runs
     * @param environment variables every command gets (a command's own win)
     */
    public DockerRunner(
            DockerEngine engine,
            BuilderImage.Built image,
            String label,
            List<Path> mounts,
            Map<String, String> environment,
            BuildLog log) {
        this(engine, image, label, mounts, environment, log, callerIds());
    }

    /** As the given uid:gid instead of this process's. */
    DockerRunner(
            DockerEngine engine,
            BuilderImage.Built image,
            String label,
            List<Path> mounts,
            Map<String, String> environment,
            BuildLog log,
            String caller) {
        this(
                engine,
                image,
                label,
                mounts.get(0).toAbsolutePath().normalize(),
                distinct(mounts),
                caller,
                caller,
                List.of(),
                List.of(),
                environment,
                log);
    }

    private DockerRunner(
            DockerEngine engine,
            BuilderImage.Built image,
            String label,
            Path home,
            List<Path> mounts,
            String caller,
            String user,
            List<String> capabilities,
            List<String> security,
            Map<String, String> environment,
            BuildLog log) {
        this.engine = engine;
        this.caller = caller;
        this.home = home;
        this.image = image;
        this.label = label;
        this.mounts = mounts;
        this.user = user;
        this.capabilities = List.copyOf(capabilities);
        this.security = List.copyOf(security);
        this.environment = Map.copyOf(environment);
        this.log = log;
    }

    /**
     * The same runner as root, with what an image build (mkosi) needs: its tree keeps the image's owners, which only
     * root can write.
     */
    @Override
    public DockerRunner forImageBuilds() {
        return new DockerRunner(
                engine,
                image,
                label,
                home,
                mounts,
                caller,
                "0:0",
                IMAGE_BUILD_CAPABILITIES,
                IMAGE_BUILD_SECURITY,
                environment,
                log);
    }

    @Override
    public void handBack(List<Path> paths) {
        List<String> existing =
                paths.stream().filter(Files::exists).map(Path::toString).toList();
        if (user.equals(caller) || existing.isEmpty()) {
            return;
        }
        List<String> args = new ArrayList<>(List.of("chown", "-R", "--no-dereference", caller));
        args.addAll(existing);
        run(new Command(args, null, Map.of()));
    }

    /** The uid:gid this process runs as (the owner of its own /proc entry). */
    static String callerIds() {
        try {
            Path self = Path.of("/proc/self");
            return Files.getAttribute(self, "unix:uid") + ":" + Files.getAttribute(self, "unix:gid");
        } catch (IOException | UnsupportedOperationException | IllegalArgumentException e) {
            return "0:0";
        }
    }

    /** Absolute, normalized, without folders inside another one of the list. */
    static List<Path> distinct(List<Path> paths) {
        List<Path> abs = paths.stream()
                .map(p -> p.toAbsolutePath().normalize())
                .distinct()
                .sorted()
                .toList();
        List<Path> out = new ArrayList<>();
        for (Path p : abs) {
            if (out.stream().noneMatch(p::startsWith)) {
                out.add(p);
            }
        }
        return out;
    }

    @Override
    public void run(Command command) {
        execute(command, null);
    }

    @Override
    public String capture(Command command) {
        StringBuilder out = new StringBuilder();
        execute(command, out);
        return out.toString();
    }

    /** Runs a command and returns its exit code, failing only when the container cannot run. */
    public int exitCode(Command command) {
        return start(command, null, new OutputTail(TAIL_LINES));
    }

    private void execute(Command command, StringBuilder capture) {
        OutputTail tail = new OutputTail(TAIL_LINES);
        int rc = start(command, capture, tail);
        if (rc != 0) {
            throw new CaptainException("Command failed with exit code " + rc + " in the builder container ("
                    + image.name() + "): " + command.display() + tail.describe("last lines"));
        }
    }

    /**
     * Runs a command with its standard input from {@code in} and its output to {@code out} (an interactive shell),
     * returning its exit code.
     */
    public int attach(Command command, InputStream in, OutputStream out) {
        return engine.attach(container(command), in, out);
    }

    private int start(Command command, StringBuilder capture, OutputTail tail) {
        String prefix = "  [" + label + "] ";
        return engine.run(container(command), (stdout, line) -> {
            if (capture != null && stdout) {
                capture.append(line).append('\n');
            } else if (!line.isEmpty() || capture == null) {
                log.info(prefix + line);
            }
            tail.add(line);
        });
    }

    private DockerEngine.Container container(Command command) {
        log.debug("run in " + image.name() + ": " + command.display());
        Map<String, String> env = new HashMap<>(environment);
        env.putAll(command.environment());
        Map<Path, Path> binds = new LinkedHashMap<>();
        for (Path m : mounts) {
            try {
                // The engine would make a missing folder itself, owned by root.
                Files.createDirectories(m);
            } catch (IOException e) {
                throw new CaptainException(
                        "Cannot make " + m + " to mount it in the builder container: " + e.getMessage(), e);
            }
            binds.put(m, m);
        }
        String dir = command.directory() == null
                ? home.toString()
                : command.directory().toAbsolutePath().toString();
        return new DockerEngine.Container(image.name(), command.args(), dir, user, env, binds, capabilities, security);
    }

    @Override
    public String describe() {
        return "the builder container " + image.name() + " as " + user;
    }

    @Override
    public String identity() {
        return "docker " + image.id();
    }
}
