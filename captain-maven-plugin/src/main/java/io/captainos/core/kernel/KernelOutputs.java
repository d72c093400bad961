package io.captainos.core.kernel;

import io.captainos.core.Arch;
import io.captainos.core.CaptainException;
import io.captainos.core.Files2;
import io.captainos.core.ReleaseFiles;
import io.captainos.core.archive.DeterministicTar;
import io.captainos.core.archive.TarExtractor;
import io.captainos.core.state.StageOutputs;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;

/**
 * A kernel build's files for an arch, whichever way it was made: {@code vmlinuz} (published as
 * {@code out/vmlinuz-<kver>-<arch>}), the resolved {@code config} and {@code modules-<arch>.tar.zst}.
 */
public final class KernelOutputs {
    public static final String VMLINUZ = "vmlinuz";
    public static final String MODULES = "modules";
    public static final String CONFIG = "config";

    private KernelOutputs() {}

    /** The kernel stage's outputs for an arch under its folder. */
    public static StageOutputs of(Path stageDir, Arch arch) {
        return new StageOutputs(
                "kernel",
                arch,
                "kernel",
                stageDir.resolve(arch.linux()),
                true,
                List.of(
                        StageOutputs.File.attached(VMLINUZ, "vmlinuz", "vmlinuz", arch.classifier())
                                .published(ReleaseFiles.Kind.VMLINUZ),
                        StageOutputs.File.attached(
                                MODULES, "modules-" + arch.linux() + ".tar.zst", "tar.zst", arch.classifier("modules")),
                        StageOutputs.File.attached(CONFIG, "config", "config", arch.classifier())));
    }

    /**
     * Puts a finished kernel in place: the modules tree packed deterministically (and read back: it must hold every
     * module of the tree), the image and config copied.
     */
    static void commit(StageOutputs out, Path modulesStaging, Path image, Path config, long timestamp)
            throws IOException {
        Set<String> modules = ModuleTree.moduleFiles(modulesStaging);
        new DeterministicTar(timestamp, 19, Runtime.getRuntime().availableProcessors())
                .write(modulesStaging, out.path(MODULES));
        Set<String> packed = TarExtractor.fileNames(out.path(MODULES));
        if (!packed.containsAll(modules)) {
            modules.removeAll(packed);
            throw new CaptainException(out.label() + ": " + out.path(MODULES) + " lacks " + modules.size()
                    + " modules of the tree it was packed from ("
                    + modules.iterator().next() + ", ...); nothing was"
                    + " recorded");
        }
        Files2.copyAtomically(image, out.path(VMLINUZ));
        Files2.copyAtomically(config, out.path(CONFIG));
    }
}
