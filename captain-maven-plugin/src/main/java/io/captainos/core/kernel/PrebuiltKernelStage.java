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
import io.captainos.core.state.StageStamp;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
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
    private final Path outDir;
    private final long timestamp;
    private final String builderVersion;
    private final CommandRunner runner;
    private final BuildLog log;

    public PrebuiltKernelStage(DebianArchive archive, Path stageDir, Path outDir, long timestamp,
            String builderVersion, CommandRunner runner, BuildLog log) {
        this.archive = archive;
        this.stageDir = stageDir;
        this.outDir = outDir;
        this.timestamp = timestamp;
        this.builderVersion = builderVersion;
        this.runner = runner;
        this.log = log;
    }

    /** The versioned image package the {@code linux-image-<arch>} metapackage points at (unsigned where it exists). */
    DebianPackage imagePackage(Arch arch) {
        DebianPackage meta = archive.resolve(arch.debian(), List.of("linux-image-" + arch.debian())).get(0);
        String target = meta.dependencyNames().stream().filter(n -> n.startsWith("linux-image-")).findFirst()
                .orElseThrow(() -> new CaptainException(meta.name() + " " + meta.version()
                        + " depends on no linux-image package: " + meta.depends()));
        List<DebianPackage> unsigned = archive.versions(arch.debian(), target + "-unsigned");
        return unsigned.isEmpty() ? archive.resolve(arch.debian(), List.of(target)).get(0)
                : unsigned.get(unsigned.size() - 1);
    }

    public KernelStage.Result build(Arch arch, boolean force) {
        KernelOutputs out = new KernelOutputs(stageDir, outDir, arch);
        DebianPackage pkg = imagePackage(arch);
        String version = pkg.version().split("-")[0];
        InputHash inputs = new InputHash()
                .value("stage", "kernel")
                .value("arch", arch.debian())
                // depmod (its index files differ between kmod versions) from the host or the builder image
                .value("runner", runner.identity())
                .value("kernel.source", "debian-image " + pkg.name() + " " + pkg.version() + " " + pkg.sha256())
                .value("modules.unwanted", String.join(",", ModuleTree.UNWANTED))
                .value("modules.required", String.join(",", ModuleTree.REQUIRED))
                .value("timestamp", timestamp)
                .value("builder", builderVersion);
        StageStamp stamp = new StageStamp(out.stamp());
        String stale = force ? "forced" : stamp.staleReason(inputs,
                List.of(out.vmlinuz(), out.config(), out.modules(), out.outVmlinuz(version)));
        if (stale == null) {
            log.info("kernel (" + arch.linux() + "): Debian " + pkg.name() + " up to date; skipping");
            return new KernelStage.Result(arch, version, out.vmlinuz(), out.modules(), out.config(),
                    out.outVmlinuz(version), false, List.of());
        }
        log.info("kernel (" + arch.linux() + "): taking Debian's prebuilt " + pkg.name() + " " + pkg.version()
                + " (" + stale + ")");
        stamp.invalidate();
        Path unpacked = out.dir().resolve("package");
        Path staging = out.dir().resolve("modules-root");
        Files2.deleteTree(unpacked);
        Files2.deleteTree(staging);
        try {
            DebExtractor.extract(archive.download(pkg), unpacked);
            Path modulesRoot = Files.isDirectory(unpacked.resolve("usr/lib/modules")) ? unpacked.resolve("usr/lib/modules")
                    : unpacked.resolve("lib/modules");
            String release = single(modulesRoot);
            Path image = unpacked.resolve("boot").resolve("vmlinuz-" + release);
            Path config = unpacked.resolve("boot").resolve("config-" + release);
            if (!Files.isRegularFile(image)) {
                throw new CaptainException(pkg.debName() + " holds no boot/vmlinuz-" + release);
            }
            Files.createDirectories(staging.resolve("lib/modules"));
            Files.move(modulesRoot.resolve(release), staging.resolve("lib/modules").resolve(release));
            new ModuleTree(runner, log).finish(staging, release, arch, true);
            Path published = out.commit(staging, image, config, version, release, timestamp);
            stamp.record(inputs);
            log.info(String.format("kernel (%s): Debian %s, vmlinuz %.1f MB, trimmed modules %.1f MB (%s)",
                    arch.linux(), release, Files.size(out.vmlinuz()) / 1e6, Files.size(out.modules()) / 1e6,
                    published));
            return new KernelStage.Result(arch, version, out.vmlinuz(), out.modules(), out.config(), published, true,
                    List.of());
        } catch (IOException e) {
            throw new CaptainException("kernel (" + arch.linux() + "): " + e.getMessage(), e);
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
