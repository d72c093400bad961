package io.captainos.core.kernel;

import io.captainos.core.Arch;
import io.captainos.core.CaptainException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Our kernel configs: one fragment per branch and arch, {@code <major>.<minor>.y.<arch>} (e.g. {@code 6.12.y.amd64}),
 * in the kernel module's {@code config/} folder. An override file replaces it.
 */
public final class KernelConfigs {
    private final Path dir;

    public KernelConfigs(Path dir) {
        this.dir = dir;
    }

    public Path resolve(String branch, Arch arch, String override) {
        if (override != null && !override.isBlank()) {
            Path p = Path.of(override.trim());
            if (!Files.isRegularFile(p)) {
                throw new CaptainException("The kernel config " + p.toAbsolutePath() + " named by captain.kernel.config"
                        + " does not exist");
            }
            return p;
        }
        Path p = dir.resolve(branch + "." + arch.debian());
        if (!Files.isRegularFile(p)) {
            throw new CaptainException("No kernel config for branch " + branch + " on " + arch.debian() + " ("
                    + p + "). Branches with configs: " + branches(arch)
                    + ". Pick one with -Dcaptain.kernel.version, or give a file with -Dcaptain.kernel.config");
        }
        return p;
    }

    /** The branches that have a config for an arch. */
    public String branches(Arch arch) {
        String suffix = "." + arch.debian();
        try (Stream<Path> s = Files.list(dir)) {
            TreeSet<String> set = s.map(p -> p.getFileName().toString())
                    .filter(n -> n.endsWith(suffix))
                    .map(n -> n.substring(0, n.length() - suffix.length()))
                    .collect(Collectors.toCollection(TreeSet::new));
            return set.isEmpty() ? "none in " + dir : String.join(", ", set);
        } catch (IOException e) {
            return "none (" + dir + " cannot be read)";
        }
    }
}
