package io.captainos.core.host;

import io.captainos.core.BuildLog;
import io.captainos.core.CaptainException;
import io.captainos.core.exec.Command;
import io.captainos.core.exec.CommandRunner;
import io.captainos.core.exec.NativeRunner;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * Checks that a native stage has every program and file it needs before it starts. What is missing is installed
 * with apt-get when the build runs as root on a Debian-family host and installing is allowed; otherwise the build
 * fails with the exact command that installs it.
 */
public final class HostPrerequisites {
    /** Where Debian keeps depmod and friends; not on a normal user's PATH, so always searched. */
    public static final String SBIN = "/usr/sbin" + File.pathSeparator + "/sbin";

    private final String path;
    private final boolean root;
    private final boolean debian;
    private final boolean installAllowed;
    private final CommandRunner runner;
    private final BuildLog log;
    private final boolean provided;

    public HostPrerequisites(
            String path, boolean root, boolean debian, boolean installAllowed, CommandRunner runner, BuildLog log) {
        this(path, root, debian, installAllowed, runner, log, false);
    }

    private HostPrerequisites(
            String path,
            boolean root,
            boolean debian,
            boolean installAllowed,
            CommandRunner runner,
            BuildLog log,
            boolean provided) {
        this.provided = provided;
        this.path = path == null ? "" : path;
        this.root = root;
        this.debian = debian;
        this.installAllowed = installAllowed;
        this.runner = runner;
        this.log = log;
    }

    /** Prerequisites of this host, as the process sees it. */
    public static HostPrerequisites ofThisHost(boolean installAllowed, CommandRunner runner, BuildLog log) {
        boolean root = "root".equals(System.getProperty("user.name"));
        boolean debian = Files.exists(Path.of("/etc/debian_version"));
        return new HostPrerequisites(System.getenv("PATH"), root, debian, installAllowed, runner, log);
    }

    /**
     * The builder image's programs: it is made with every package a stage needs (its Dockerfile lists them), so
     * nothing is missing and nothing is installed.
     */
    public static HostPrerequisites provided(BuildLog log) {
        return new HostPrerequisites("", true, true, false, null, log, true);
    }

    /** The requirements that are not met. */
    public List<Requirement> missing(List<Requirement> requirements) {
        List<Requirement> missing = new ArrayList<>();
        if (provided) {
            return missing;
        }
        for (Requirement r : requirements) {
            if (!(r.program() ? onPath(r.name()) : Files.exists(Path.of(r.name())))) {
                missing.add(r);
            }
        }
        return missing;
    }

    /** Ensures every requirement is met, installing packages where allowed; fails naming what is missing. */
    public void ensure(String stage, List<Requirement> requirements) {
        List<Requirement> missing = missing(requirements);
        if (missing.isEmpty()) {
            return;
        }
        if (root && debian && installAllowed) {
            log.info(stage + " stage: installing host packages " + packages(missing) + " for " + names(missing)
                    + " (turn off with -Dcaptain.host.install=false)");
            Map<String, String> env = Map.of("DEBIAN_FRONTEND", "noninteractive");
            runner.run(new Command(List.of("apt-get", "update", "-q"), null, env));
            runner.run(new Command(installCommand(missing), null, env));
            missing = missing(missing);
            if (missing.isEmpty()) {
                return;
            }
        }
        String why = !debian
                ? "this host is not Debian-family"
                : !root
                        ? "the build does not run as root"
                        : !installAllowed ? "captain.host.install is false" : "installing them did not provide them";
        throw new CaptainException("The " + stage + " stage needs " + names(missing) + " on this host, which "
                + (missing.size() == 1 ? "is" : "are") + " missing (" + why + "). Install with: "
                + (root ? "" : "sudo ") + String.join(" ", installCommand(missing))
                + (debian ? "" : " (or your distribution's equivalent)"));
    }

    private static TreeSet<String> packages(List<Requirement> missing) {
        return missing.stream().map(Requirement::debianPackage).collect(Collectors.toCollection(TreeSet::new));
    }

    private static String names(List<Requirement> missing) {
        return missing.stream().map(Requirement::name).collect(Collectors.joining(", "));
    }

    private static List<String> installCommand(List<Requirement> missing) {
        List<String> args = new ArrayList<>(List.of("apt-get", "install", "-y", "--no-install-recommends"));
        args.addAll(packages(missing));
        return args;
    }

    private boolean onPath(String program) {
        return find(program, path) != null;
    }

    /** The absolute path of a program on this process's PATH or in the sbin folders, else its bare name. */
    public static String locate(String program) {
        Path p = find(program, System.getenv("PATH"));
        return p == null ? program : p.toString();
    }

    private static Path find(String program, String path) {
        return NativeRunner.onPath(program, (path == null ? "" : path) + File.pathSeparator + SBIN);
    }
}
