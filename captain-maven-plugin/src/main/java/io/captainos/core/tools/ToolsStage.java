package io.captainos.core.tools;

import io.captainos.core.Arch;
import io.captainos.core.BuildLog;
import io.captainos.core.CaptainException;
import io.captainos.core.Files2;
import io.captainos.core.archive.DeterministicTar;
import io.captainos.core.state.InputHash;
import io.captainos.core.state.StageStamp;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Builds the tools bundle for one arch: the source's verified binaries, executable, with a manifest of where each
 * came from, packed as a deterministic tar.zst. Skipped when the digest of its inputs matches the last build.
 */
public final class ToolsStage {
    /** What the stage produced for an arch, and whether it had to build. */
    public record Result(Arch arch, Path bundle, Path manifest, boolean built) {}

    private final ToolsSource source;
    private final Path workDir;
    private final long timestamp;
    private final int zstdLevel;
    private final String builderVersion;
    private final BuildLog log;

    /**
     * @param workDir        the stage's folder; each arch gets its own below it
     * @param timestamp      the time every archive entry carries, in seconds since the epoch
     * @param builderVersion the plugin version, which is an input too
     */
    public ToolsStage(ToolsSource source, Path workDir, long timestamp, int zstdLevel, String builderVersion,
            BuildLog log) {
        this.source = source;
        this.workDir = workDir;
        this.timestamp = timestamp;
        this.zstdLevel = zstdLevel;
        this.builderVersion = builderVersion;
        this.log = log;
    }

    /** The bundle's file for an arch. */
    public Path bundle(Arch arch) {
        return bundle(workDir, arch);
    }

    /** The bundle's file for an arch under a stage folder. */
    public static Path bundle(Path workDir, Arch arch) {
        return workDir.resolve(arch.linux()).resolve("captainos-tools-" + arch.linux() + ".tar.zst");
    }

    /** The record of the last finished build for an arch, written after its outputs. */
    public static Path stamp(Path workDir, Arch arch) {
        return workDir.resolve(arch.linux()).resolve("inputs.stamp");
    }

    /** The manifest beside the bundle (the same text is inside it). */
    public Path manifest(Arch arch) {
        return workDir.resolve(arch.linux()).resolve("tools-" + arch.linux() + ".manifest");
    }

    public Result build(Arch arch, boolean force) {
        Path dir = workDir.resolve(arch.linux());
        Files2.removeLeftovers(dir);
        InputHash inputs = new InputHash()
                .value("stage", "tools")
                .value("arch", arch.debian())
                .value("source", source.id())
                .value("timestamp", timestamp)
                .value("zstd.level", zstdLevel)
                .value("builder", builderVersion);
        source.describe(arch, inputs);
        StageStamp stamp = new StageStamp(stamp(workDir, arch));
        List<Path> outputs = List.of(bundle(arch), manifest(arch));
        String stale = force ? "forced" : stamp.staleReason(inputs, outputs);
        if (stale == null) {
            log.info("tools (" + arch.linux() + "): up to date, inputs " + inputs.digest().substring(0, 12)
                    + "; skipping");
            logManifest(arch);
            return new Result(arch, bundle(arch), manifest(arch), false);
        }
        log.info("tools (" + arch.linux() + "): building from " + source.id() + " (" + stale + ")");
        stamp.invalidate();
        Path root = dir.resolve("root");
        Path scratch = dir.resolve("scratch");
        Files2.deleteTree(root);
        Files2.deleteTree(scratch);
        try {
            Files.createDirectories(root);
            Files.createDirectories(scratch);
            List<ToolFile> files = new ArrayList<>(source.stage(arch, root, scratch));
            files.sort(Comparator.comparing(ToolFile::path));
            for (ToolFile f : files) {
                Files.setPosixFilePermissions(root.resolve(f.path()), PosixFilePermissions.fromString("rwxr-xr-x"));
            }
            StringBuilder manifest = new StringBuilder(ToolFile.HEADER).append('\n');
            files.forEach(f -> manifest.append(f.row()).append('\n'));
            Path inBundle = root.resolve(BundleLayout.MANIFEST);
            Files.createDirectories(inBundle.getParent());
            Files.writeString(inBundle, manifest, StandardCharsets.UTF_8);
            new DeterministicTar(timestamp, zstdLevel, Runtime.getRuntime().availableProcessors())
                    .write(root, bundle(arch));
            Files2.writeAtomically(manifest(arch), manifest.toString());
        } catch (IOException e) {
            throw new CaptainException("tools (" + arch.linux() + "): " + e.getMessage(), e);
        } finally {
            Files2.deleteTree(scratch);
        }
        stamp.record(inputs);
        logManifest(arch);
        try {
            log.info(String.format("tools (%s): %s, %.1f MB", arch.linux(), bundle(arch).getFileName(),
                    Files.size(bundle(arch)) / 1e6));
        } catch (IOException e) {
            throw new CaptainException("Cannot read " + bundle(arch), e);
        }
        return new Result(arch, bundle(arch), manifest(arch), true);
    }

    private void logManifest(Arch arch) {
        try {
            for (String line : Files.readAllLines(manifest(arch), StandardCharsets.UTF_8)) {
                log.info("  " + line);
            }
        } catch (IOException e) {
            log.warn("Cannot read " + manifest(arch) + ": " + e.getMessage());
        }
    }
}
