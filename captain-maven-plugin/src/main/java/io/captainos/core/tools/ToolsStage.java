package io.captainos.core.tools;

import io.captainos.core.Arch;
import io.captainos.core.BuildLog;
import io.captainos.core.CaptainException;
import io.captainos.core.Files2;
import io.captainos.core.archive.DeterministicTar;
import io.captainos.core.archive.TarExtractor;
import io.captainos.core.state.InputHash;
import io.captainos.core.state.StageOutputs;
import io.captainos.core.state.StageWork;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * Builds the tools bundle for one arch: the source's verified binaries, executable, with a manifest of where each
 * came from, packed as a deterministic tar.zst. Its digest of inputs lets the pipeline skip it when nothing changed.
 */
public final class ToolsStage {
    /** The bundle's role in the outputs. */
    public static final String BUNDLE = "bundle";
    /** The manifest's role (the same text is inside the bundle). */
    public static final String MANIFEST = "manifest";

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
    public ToolsStage(
            ToolsSource source, Path workDir, long timestamp, int zstdLevel, String builderVersion, BuildLog log) {
        this.source = source;
        this.workDir = workDir;
        this.timestamp = timestamp;
        this.zstdLevel = zstdLevel;
        this.builderVersion = builderVersion;
        this.log = log;
    }

    /** The stage's files for an arch under a stage folder: the bundle, attached with the arch as classifier. */
    public static StageOutputs outputs(Path workDir, Arch arch) {
        return new StageOutputs(
                "tools",
                arch,
                "bundle",
                workDir.resolve(arch.linux()),
                false,
                List.of(
                        StageOutputs.File.attached(
                                BUNDLE, "captainos-tools-" + arch.linux() + ".tar.zst", "tar.zst", arch.classifier()),
                        StageOutputs.File.kept(MANIFEST, "tools-" + arch.linux() + ".manifest")));
    }

    /** The work for one arch. */
    public StageWork forArch(Arch arch) {
        StageOutputs out = outputs(workDir, arch);
        return new StageWork(out) {
            @Override
            public InputHash inputs() {
                InputHash inputs = stageInputs()
                        .value("source", source.id())
                        .value("timestamp", timestamp)
                        .value("zstd.level", zstdLevel)
                        .value("builder", builderVersion);
                source.describe(arch, inputs);
                return inputs;
            }

            @Override
            public String plan() {
                return "building from " + source.id();
            }

            @Override
            public String build() throws IOException {
                pack(arch, out);
                return null;
            }

            @Override
            public void report(boolean built) {
                logManifest(out.path(MANIFEST));
                if (built) {
                    try {
                        log.info(String.format(
                                "tools (%s): %s, %.1f MB",
                                arch.linux(), out.path(BUNDLE).getFileName(), Files.size(out.path(BUNDLE)) / 1e6));
                    } catch (IOException e) {
                        throw new CaptainException("Cannot read " + out.path(BUNDLE), e);
                    }
                }
            }
        };
    }

    private void pack(Arch arch, StageOutputs out) throws IOException {
        Path root = out.dir().resolve("root");
        Path scratch = out.dir().resolve("scratch");
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
                    .write(root, out.path(BUNDLE));
            requireAll(
                    arch,
                    out.path(BUNDLE),
                    files.stream()
                            .filter(f -> !Files.isSymbolicLink(root.resolve(f.path())))
                            .toList());
            Files2.writeAtomically(out.path(MANIFEST), manifest.toString());
        } finally {
            Files2.deleteTree(scratch);
        }
    }

    /** The bundle, read back, must hold exactly the regular files the source staged and the manifest. */
    private static void requireAll(Arch arch, Path bundle, List<ToolFile> files) {
        Set<String> expected = new TreeSet<>();
        files.forEach(f -> expected.add(f.path()));
        expected.add(BundleLayout.MANIFEST);
        Set<String> packed = TarExtractor.fileNames(bundle);
        if (!packed.equals(expected)) {
            Set<String> missing = new TreeSet<>(expected);
            missing.removeAll(packed);
            Set<String> extra = new TreeSet<>(packed);
            extra.removeAll(expected);
            throw new CaptainException("tools (" + arch.linux() + "): the bundle " + bundle + " does not hold what was"
                    + " staged (missing " + missing + ", unexpected " + extra + "); nothing was recorded");
        }
    }

    private void logManifest(Path manifest) {
        try {
            for (String line : Files.readAllLines(manifest, StandardCharsets.UTF_8)) {
                log.info("  " + line);
            }
        } catch (IOException e) {
            log.warn("Cannot read " + manifest + ": " + e.getMessage());
        }
    }
}
