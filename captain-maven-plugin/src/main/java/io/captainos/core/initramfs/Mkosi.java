package io.captainos.core.initramfs;

import io.captainos.core.Arch;
import io.captainos.core.BuildLog;
import io.captainos.core.CaptainException;
import io.captainos.core.debian.DebianArchive;
import io.captainos.core.debian.DebianPackage;
import io.captainos.core.exec.Command;
import io.captainos.core.exec.CommandRunner;
import io.captainos.core.host.HostPrerequisites;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The mkosi that builds the root filesystem: the host's when it is version 25 or newer, else Debian trixie's
 * package, fetched through the verified Debian client, unpacked into the build folder and run with the host's
 * Python 3.
 */
public final class Mkosi {
    /** The oldest mkosi whose configuration format and options the build uses. */
    public static final int MIN_MAJOR = 25;

    private static final Pattern VERSION = Pattern.compile("mkosi\\s+(\\d+)(?:\\.(\\d+))?");

    private final List<String> command;
    private final Map<String, String> environment;
    private final String version;
    private final String origin;

    private Mkosi(List<String> command, Map<String, String> environment, String version, String origin) {
        this.command = List.copyOf(command);
        this.environment = Map.copyOf(environment);
        this.version = version;
        this.origin = origin;
    }

    /** The program and arguments that start mkosi. */
    public List<String> command() {
        return command;
    }

    /** Environment mkosi needs (PYTHONPATH for an unpacked package). */
    public Map<String, String> environment() {
        return environment;
    }

    /** {@code 25.3}. */
    public String version() {
        return version;
    }

    /** Where it comes from, for the log. */
    public String origin() {
        return origin;
    }

    /** The major version in {@code mkosi --version} output, or -1 when the text holds none. */
    static int major(String versionOutput) {
        Matcher m = VERSION.matcher(versionOutput);
        return m.find() ? Integer.parseInt(m.group(1)) : -1;
    }

    static String version(String versionOutput) {
        Matcher m = VERSION.matcher(versionOutput);
        if (!m.find()) {
            return "unknown";
        }
        return m.group(2) == null ? m.group(1) : m.group(1) + "." + m.group(2);
    }

    /**
     * The host's mkosi when it is new enough; otherwise trixie's package unpacked under {@code toolsDir}.
     *
     * @param python the Python 3 interpreter that runs an unpacked mkosi
     */
    public static Mkosi find(CommandRunner runner, DebianArchive debian, Path toolsDir, String python, BuildLog log) {
        String host = HostPrerequisites.locate("mkosi");
        if (Files.isExecutable(Path.of(host))) {
            String out;
            try {
                out = runner.capture(Command.of(null, host, "--version"));
            } catch (CaptainException e) {
                out = "";
            }
            if (major(out) >= MIN_MAJOR) {
                return new Mkosi(List.of(host), Map.of(), version(out), host);
            }
            log.info("initramfs: the host's mkosi (" + (out.isBlank() ? "version unknown" : out.trim())
                    + ") is older than " + MIN_MAJOR + "; using Debian's package instead");
        }
        return unpacked(runner, debian, toolsDir, python, log);
    }

    /** Trixie's mkosi package, unpacked under {@code toolsDir} and run with {@code python}. */
    public static Mkosi unpacked(
            CommandRunner runner, DebianArchive debian, Path toolsDir, String python, BuildLog log) {
        Arch hostArch = Arch.hostOr(Arch.AMD64);
        DebianPackage pkg = debian.resolve(hostArch.debian(), List.of("mkosi")).get(0);
        Path site = debian.unpacked(pkg, toolsDir).resolve("usr/lib/python3/dist-packages");
        List<String> cmd = new ArrayList<>(List.of(python, "-m", "mkosi"));
        Map<String, String> env = Map.of("PYTHONPATH", site.toString());
        String out = runner.capture(new Command(List.of(python, "-m", "mkosi", "--version"), null, env));
        if (major(out) < MIN_MAJOR) {
            throw new CaptainException("Debian's mkosi " + pkg.version() + " does not run with " + python + " ("
                    + out.trim() + "): install mkosi >= " + MIN_MAJOR + " on the host, or Python >= 3.9 as "
                    + python);
        }
        return new Mkosi(cmd, env, version(out), "Debian package " + pkg.name() + " " + pkg.version());
    }
}
