package io.captainos.core.kernel;

import io.captainos.core.Arch;
import io.captainos.core.Files2;
import io.captainos.core.ReleaseFiles;
import io.captainos.core.archive.DeterministicTar;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;

/**
 * Where a kernel build's results live for an arch: in the stage folder ({@code vmlinuz}, {@code config},
 * {@code modules-<arch>.tar.zst}, {@code kernel.properties} with the version) and, under the name the provisioning
 * side expects, {@code out/vmlinuz-<kver>-<arch>}.
 */
public final class KernelOutputs {
    private final Path dir;
    private final Path outDir;
    private final Arch arch;

    public KernelOutputs(Path stageDir, Path outDir, Arch arch) {
        this.dir = stageDir.resolve(arch.linux());
        this.outDir = outDir;
        this.arch = arch;
    }

    public Path dir() {
        return dir;
    }

    public Path vmlinuz() {
        return dir.resolve("vmlinuz");
    }

    public Path config() {
        return dir.resolve("config");
    }

    public Path modules() {
        return dir.resolve("modules-" + arch.linux() + ".tar.zst");
    }

    public Path stamp() {
        return dir.resolve("inputs.stamp");
    }

    private Path properties() {
        return dir.resolve("kernel.properties");
    }

    public Path outVmlinuz(String version) {
        return ReleaseFiles.Kind.VMLINUZ.in(outDir, version, arch);
    }

    /** Records the version of what was built; the stamp is written after this. */
    private void recordVersion(String version, String release) {
        Properties p = new Properties();
        p.setProperty("version", version);
        p.setProperty("release", release);
        StringBuilder sb = new StringBuilder();
        p.stringPropertyNames().stream().sorted().forEach(k -> sb.append(k).append('=').append(p.getProperty(k))
                .append('\n'));
        Files2.writeAtomically(properties(), sb.toString());
    }

    /** The kernel version of the last build ({@code 6.12.57}), or null. */
    public String version() {
        Properties p = new Properties();
        try (InputStream in = Files.newInputStream(properties())) {
            p.load(in);
        } catch (IOException e) {
            return null;
        }
        return p.getProperty("version");
    }

    /**
     * Puts a finished kernel in place: the modules tree packed deterministically, the image and config copied,
     * the version recorded and the image published to out/, each atomically. Returns the published image. The
     * caller records the stage stamp after this, so an interruption here leaves the stage unfinished.
     */
    public Path commit(Path modulesStaging, Path image, Path config, String version, String release,
            long timestamp) {
        new DeterministicTar(timestamp, 19, Runtime.getRuntime().availableProcessors())
                .write(modulesStaging, modules());
        Files2.copyAtomically(image, vmlinuz());
        Files2.copyAtomically(config, config());
        recordVersion(version, release);
        return publish(version);
    }

    /** Copies the kernel image to out/ under its versioned name, atomically. */
    public Path publish(String version) {
        Path target = outVmlinuz(version);
        Files2.copyAtomically(vmlinuz(), target);
        return target;
    }
}
