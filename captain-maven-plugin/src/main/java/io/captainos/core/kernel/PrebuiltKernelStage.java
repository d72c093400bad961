package io.captainos.core.kernel;

import io.captainos.core.Arch;
import io.captainos.core.BuildLog;
import io.captainos.core.CaptainException;
import io.captainos.core.Files2;
import io.captainos.core.debian.DebExtractor;
import io.captainos.core.debian.DebianArchive;
import io.captainos.core.debian.DebianPackage;
import io.captainos.core.exec.CommandRunner;
import io.captainos.core.state.InputHash;
import io.captainos.core.state.StageOutputs;
import io.captainos.core.state.StageWork;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * No compile: the kernel and modules of Debian's prebuilt {@code linux-image} package for the arch, verified
 * through the archive, with the module tree trimmed to what CaptainOS provisions with (network, storage, virtio,
 * netfilter, the filesystems provisioning uses). For fast work on the rest of the OS, and for hardware Debian supports.
 */
public final class PrebuiltKernelStage {
    private final DebianArchive archive;
    private final Path stageDir;
    private final long timestamp;
    private final String builderVersion;
    private final CommandRunner runner;
    private final BuildLog log;

    public PrebuiltKernelStage(
            DebianArchive archive,
            Path stageDir,
            long timestamp,
            String builderVersion,
            CommandRunner runner,
            BuildLog log) {
        this.archive = archive;
        this.stageDir = stageDir;
        this.timestamp = timestamp;
        this.builderVersion = builderVersion;
        this.runner = runner;
        this.log = log;
    }

    /** The versioned image package the {@code linux-image-<arch>} metapackage points at (unsigned where it exists). */
    DebianPackage imagePackage(Arch arch) {
        DebianPackage meta = archive.resolve(arch.debian(), List.of("linux-image-" + arch.debian()))
                .get(0);
        String target = meta.dependencyNames().stream()
                .filter(n -> n.startsWith("linux-image-"))
                .findFirst()
                .orElseThrow(() -> new CaptainException(
                        meta.name() + " " + meta.version() + " depends on no linux-image package: " + meta.depends()));
        List<DebianPackage> unsigned = archive.versions(arch.debian(), target + "-unsigned");
        return unsigned.isEmpty()
                ? archive.resolve(arch.debian(), List.of(target)).get(0)
                : unsigned.get(unsigned.size() - 1);
    }

    /** Debian's kernel for one arch. */
    public StageWork forArch(Arch arch) {
        StageOutputs out = KernelOutputs.of(stageDir, arch);
        return new StageWork(out) {
            private DebianPackage pkg;

            @Override
            public InputHash inputs() {
                pkg = imagePackage(arch);
                return stageInputs()
                        // depmod (its index files differ between kmod versions) from the host or the builder image
                        .value("runner", runner.identity())
                        .value("kernel.source", "debian-image " + pkg.name() + " " + pkg.version() + " " + pkg.sha256())
                        .value("modules.unwanted", String.join(",", ModuleTree.UNWANTED))
                        .value("modules.required", String.join(",", ModuleTree.REQUIRED))
                        .value("timestamp", timestamp)
                        .value("builder", builderVersion);
            }

            @Override
            public String plan() {
                return "taking Debian's prebuilt " + pkg.name() + " " + pkg.version();
            }

            @Override
            public String build() throws IOException {
                unpack(arch, out, pkg);
                return pkg.version().split("-")[0];
            }
        };
    }

    private void unpack(Arch arch, StageOutputs out, DebianPackage pkg) throws IOException {
        Path unpacked = out.dir().resolve("package");
        Path staging = out.dir().resolve("modules-root");
        Files2.deleteTree(unpacked);
        Files2.deleteTree(staging);
        try {
            DebExtractor.extract(archive.download(pkg), unpacked);
            Path modulesRoot = Files.isDirectory(unpacked.resolve("usr/lib/modules"))
                    ? unpacked.resolve("usr/lib/modules")
                    : unpacked.resolve("lib/modules");
            String release = single(modulesRoot);
            Path image = unpacked.resolve("boot").resolve("vmlinuz-" + release);
            Path config = unpacked.resolve("boot").resolve("config-" + release);
            if (!Files.isRegularFile(image)) {
                throw new CaptainException(pkg.debName() + " holds no boot/vmlinuz-" + release);
            }
            Files.createDirectories(staging.resolve("lib/modules"));
            Files.move(
                    modulesRoot.resolve(release), staging.resolve("lib/modules").resolve(release));
            new ModuleTree(runner, log).finish(staging, release, arch, true);
            KernelOutputs.commit(out, staging, image, config, timestamp);
            log.info(String.format(
                    "kernel (%s): Debian %s, vmlinuz %.1f MB, trimmed modules %.1f MB",
                    arch.linux(),
                    release,
                    Files.size(out.path(KernelOutputs.VMLINUZ)) / 1e6,
                    Files.size(out.path(KernelOutputs.MODULES)) / 1e6));
        } finally {
            Files2.deleteTree(unpacked);
        }
    }

    private static String single(Path modulesRoot) throws IOException {
        try (Stream<Path> s = Files.list(modulesRoot)) {
            List<String> names = s.map(p -> p.getFileName().toString()).collect(Collectors.toList());
            if (names.size() != 1) {
                throw new CaptainException("Expected one module tree in " + modulesRoot + ", found " + names);
            }
            return names.get(0);
        }
    }
}
