package io.captainos.core.kernel;

import io.captainos.core.Arch;
import io.captainos.core.BuildLog;
import io.captainos.core.CaptainException;
import io.captainos.core.Files2;
import io.captainos.core.Resources;
import io.captainos.core.exec.Command;
import io.captainos.core.exec.CommandRunner;
import io.captainos.core.host.HostPrerequisites;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Turns installed kernel modules into the tree the OS ships: {@code usr/lib/modules/<release>} (merged /usr), no
 * {@code build}/{@code source} links, the modules nobody provisions with removed (with the modules that need them),
 * and {@code depmod} run on the result.
 */
public final class ModuleTree {
    /** Module folders a provisioning OS has no use for (modules-unwanted.txt beside this class). */
    public static final List<String> UNWANTED = resourceLines("modules-unwanted.txt");

    /** Modules every image must have, each with an optional {@code arch:} in front (modules-required.txt). */
    static final List<String> REQUIRED = resourceLines("modules-required.txt");

    private final CommandRunner runner;
    private final BuildLog log;

    public ModuleTree(CommandRunner runner, BuildLog log) {
        this.runner = runner;
        this.log = log;
    }

    /**
     * Moves {@code <staging>/lib/modules/<release>} (where modules_install puts it) to
     * {@code <staging>/usr/lib/modules/<release>}, removes the unwanted modules, runs depmod and checks that the
     * required modules are there: a missing one fails the build when {@code ours} (our configurations, Debian's
     * kernel), and is a warning for a configuration of the user's.
     */
    public Path finish(Path staging, String release, Arch arch, boolean ours) {
        Path from = staging.resolve("lib/modules").resolve(release);
        Path to = staging.resolve("usr/lib/modules").resolve(release);
        try {
            if (Files.isDirectory(from)) {
                Files.createDirectories(to.getParent());
                Files2.deleteTree(to);
                Files.move(from, to);
                Files2.deleteTree(staging.resolve("lib"));
            }
            if (!Files.isDirectory(to)) {
                throw new CaptainException("No modules for " + release + " in " + staging);
            }
            Files.deleteIfExists(to.resolve("build"));
            Files.deleteIfExists(to.resolve("source"));
            if (!Files.isRegularFile(to.resolve("modules.dep"))) {
                depmod(staging.resolve("usr"), release); // the dependencies decide what trimming keeps
            }
            trim(to, UNWANTED);
            depmod(staging.resolve("usr"), release);
            List<String> missing = missing(to, arch);
            if (!missing.isEmpty()) {
                String what = "The " + release + " modules lack " + String.join(", ", missing)
                        + " (modules-required.txt): the trim list (modules-unwanted.txt) removed them, or the kernel"
                        + " configuration does not build them";
                if (ours) {
                    throw new CaptainException(what + ". Build them as modules or into the kernel.");
                }
                log.warn(what + "; machines that need them will not work with this kernel.");
            }
        } catch (IOException e) {
            throw new CaptainException("Cannot arrange the modules of " + release + ": " + e.getMessage(), e);
        }
        return to;
    }

    /**
     * Removes the modules under the given prefixes, and every module that depends on one of them (it could not
     * load without it); returns how many went.
     */
    int trim(Path modules, List<String> remove) throws IOException {
        Map<String, List<String>> deps = readDeps(modules);
        Set<String> drop = new HashSet<>();
        for (String m : deps.keySet()) {
            if (remove.stream().anyMatch(m::startsWith)) {
                drop.add(m);
            }
        }
        int direct = drop.size();
        boolean grew = true;
        while (grew) {
            grew = false;
            for (Map.Entry<String, List<String>> e : deps.entrySet()) {
                if (!drop.contains(e.getKey()) && e.getValue().stream().anyMatch(drop::contains)) {
                    drop.add(e.getKey());
                    grew = true;
                }
            }
        }
        for (String m : drop) {
            Files.deleteIfExists(modules.resolve(m));
        }
        pruneEmptyDirs(modules.resolve("kernel"));
        log.info("modules: removed " + drop.size() + " of " + deps.size()
                + (drop.size() > direct ? " (" + (drop.size() - direct) + " because they need a removed one)" : ""));
        return drop.size();
    }

    /** The required modules of the arch that are neither in modules.dep nor in modules.builtin. */
    static List<String> missing(Path modules, Arch arch) throws IOException {
        Set<String> present = new HashSet<>();
        for (String list : List.of("modules.dep", "modules.builtin")) {
            Path file = modules.resolve(list);
            if (Files.isRegularFile(file)) {
                for (String line : Files.readAllLines(file)) {
                    int colon = line.indexOf(':');
                    String path = colon >= 0 ? line.substring(0, colon) : line.trim();
                    String name = path.substring(path.lastIndexOf('/') + 1);
                    int ko = name.indexOf(".ko");
                    if (ko > 0) {
                        present.add(name.substring(0, ko).replace('-', '_'));
                    }
                }
            }
        }
        List<String> missing = new ArrayList<>();
        for (String line : REQUIRED) {
            int colon = line.indexOf(':');
            if (colon > 0 && !line.substring(0, colon).equals(arch.debian())) {
                continue;
            }
            String name = line.substring(colon + 1);
            if (!present.contains(name.replace('-', '_'))) {
                missing.add(name);
            }
        }
        return missing;
    }

    private static List<String> resourceLines(String name) {
        return Resources.lines(ModuleTree.class, name);
    }

    /** modules.dep when it exists, else every module file with no known dependencies. */
    private static Map<String, List<String>> readDeps(Path modules) throws IOException {
        Map<String, List<String>> deps = new TreeMap<>();
        Path dep = modules.resolve("modules.dep");
        if (Files.isRegularFile(dep)) {
            for (String line : Files.readAllLines(dep)) {
                int colon = line.indexOf(':');
                if (colon > 0) {
                    String rest = line.substring(colon + 1).trim();
                    deps.put(line.substring(0, colon), rest.isEmpty() ? List.of() : List.of(rest.split("\\s+")));
                }
            }
            return deps;
        }
        for (String m : moduleFiles(modules)) {
            deps.put(m, List.of());
        }
        return deps;
    }

    /** The module files ({@code .ko}, compressed or not) under {@code root}, by their path relative to it, sorted. */
    public static SortedSet<String> moduleFiles(Path root) throws IOException {
        try (Stream<Path> s = Files.walk(root)) {
            return s.filter(Files::isRegularFile)
                    .filter(f -> f.getFileName().toString().contains(".ko"))
                    .map(f -> root.relativize(f).toString())
                    .collect(Collectors.toCollection(TreeSet::new));
        }
    }

    private static void pruneEmptyDirs(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            return;
        }
        List<Path> dirs;
        try (Stream<Path> s = Files.walk(dir)) {
            dirs = s.filter(Files::isDirectory)
                    .sorted((a, b) -> b.getNameCount() - a.getNameCount())
                    .collect(Collectors.toList());
        }
        for (Path d : dirs) {
            try (Stream<Path> s = Files.list(d)) {
                if (s.findAny().isEmpty()) {
                    Files.delete(d);
                }
            }
        }
    }

    private void depmod(Path base, String release) throws IOException {
        Path emptyConfig = Files.createTempDirectory("depmod.d");
        try {
            runner.run(Command.of(
                    null,
                    HostPrerequisites.locate("depmod"),
                    "-C",
                    emptyConfig.toString(),
                    "-b",
                    base.toString(),
                    release));
        } finally {
            Files2.deleteTree(emptyConfig);
        }
    }
}
