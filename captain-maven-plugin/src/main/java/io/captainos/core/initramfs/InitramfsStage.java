package io.captainos.core.initramfs;

import io.captainos.core.Arch;
import io.captainos.core.BuildLog;
import io.captainos.core.CaptainException;
import io.captainos.core.Files2;
import io.captainos.core.KernelVersion;
import io.captainos.core.ReleaseFiles;
import io.captainos.core.archive.NewcCpio;
import io.captainos.core.archive.TarExtractor;
import io.captainos.core.debian.AptSources;
import io.captainos.core.exec.Command;
import io.captainos.core.exec.CommandRunner;
import io.captainos.core.fetch.Sha256;
import io.captainos.core.kernel.ModuleTree;
import io.captainos.core.state.InputHash;
import io.captainos.core.state.StageOutputs;
import io.captainos.core.state.StageWork;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Builds the initramfs for one arch: the kernel's modules tree and the tools bundle unpacked as extra trees, mkosi
 * building the Debian root filesystem with {@code mkosi.extra} on top, and our packer writing the zstd newc CPIO,
 * with a manifest of the image beside it. The pipeline skips it when the digest of its inputs matches the last build.
 */
public final class InitramfsStage {
    /**
     * The stage's inputs that do not come from files.
     *
     * @param offline Maven's offline mode: mkosi installs from its package cache and contacts no mirror
     * @param preload images put into the image for machines that reach no registry
     */
    public record Options(
            String osVersion,
            long timestamp,
            int zstdLevel,
            int longWindowLog,
            String mirror,
            List<String> suites,
            byte[] keyring,
            String builderId,
            boolean offline,
            List<Preload.Entry> preload) {
        public Options {
            preload = List.copyOf(preload);
        }
    }

    private final Mkosi mkosi;
    private final Path mkosiDir;
    private final Path extraDir;
    private final Path workDir;
    private final Path packageCache;
    private final Options options;
    private final CommandRunner runner;
    private final BuildLog log;

    /**
     * @param mkosiDir     the folder with {@code mkosi.conf} and the post-install and finalize scripts
     * @param extraDir     the {@code mkosi.extra} tree laid over the image last
     * @param workDir      the stage's folder; each arch gets its own below it
     * @param packageCache where mkosi keeps downloaded packages between builds
     */
    public InitramfsStage(
            Mkosi mkosi,
            Path mkosiDir,
            Path extraDir,
            Path workDir,
            Path packageCache,
            Options options,
            CommandRunner runner,
            BuildLog log) {
        this.mkosi = mkosi;
        this.mkosiDir = mkosiDir;
        this.extraDir = extraDir;
        this.workDir = workDir;
        this.packageCache = packageCache;
        this.options = options;
        this.runner = runner;
        this.log = log;
    }

    /** The image's role in the outputs. */
    public static final String IMAGE = "image";
    /** The manifest's role. */
    public static final String MANIFEST = "manifest";

    /** The stage's files for an arch: the image (attached, published) and its manifest (published). */
    public static StageOutputs outputs(Path workDir, Arch arch) {
        return new StageOutputs(
                "initramfs",
                arch,
                "image",
                workDir.resolve(arch.linux()),
                true,
                List.of(
                        StageOutputs.File.attached(
                                        IMAGE, "initramfs-" + arch.linux() + ".cpio.zst", "cpio.zst", arch.classifier())
                                .published(ReleaseFiles.Kind.INITRAMFS),
                        StageOutputs.File.kept(MANIFEST, "initramfs-" + arch.linux() + ".manifest")
                                .published(ReleaseFiles.Kind.MANIFEST)));
    }

    /** {@code 6.12.57} from a module tree's release name such as {@code 6.12.57-captainos} or {@code 6.12.57+deb13-amd64}. */
    static String kernelVersion(String release) {
        return KernelVersion.leading(release)
                .map(KernelVersion::toString)
                .orElseThrow(() -> new CaptainException("Kernel modules tree usr/lib/modules/" + release
                        + " does not start with a kernel version such as 6.12.57"));
    }

    /**
     * The image for one arch.
     *
     * @param modules the kernel stage's {@code modules-<arch>.tar.zst}
     * @param tools   the tools stage's bundle
     */
    public StageWork forArch(Arch arch, Path modules, Path tools) {
        StageOutputs out = outputs(workDir, arch);
        Preload preload = new Preload(arch, e -> Preload.client(e, log), log);
        return new StageWork(out) {
            private List<Preload.Resolved> images;

            @Override
            public InputHash inputs() {
                // each image by the digest of its manifest for this arch: a moved tag builds again
                images = preload.resolve(options.preload());
                InputHash h = stageInputs();
                for (int i = 0; i < images.size(); i++) {
                    Preload.Resolved r = images.get(i);
                    h.value(
                            "preload." + i,
                            r.entry().source() + " " + r.entry().name() + " "
                                    + r.manifest().digest());
                }
                return h
                        // apt, dpkg and depmod come from the host or the builder image
                        .value("runner", runner.identity())
                        .value("os.version", options.osVersion())
                        .value("timestamp", options.timestamp())
                        .value("zstd.level", options.zstdLevel())
                        .value("zstd.long", options.longWindowLog())
                        .value("mirror", options.mirror())
                        .value("suites", String.join(",", options.suites()))
                        .value("keyring", Sha256.of(options.keyring()))
                        .value("mkosi", mkosi.version())
                        .value("builder", options.builderId())
                        .path("kernel.modules", modules)
                        .path("tools.bundle", tools)
                        .path("mkosi", mkosiDir)
                        .path("mkosi.extra", extraDir);
            }

            @Override
            public String plan() {
                return "building with mkosi " + mkosi.version();
            }

            @Override
            public String build() throws IOException {
                return make(arch, out, modules, tools, preload, images);
            }
        };
    }

    private String make(
            Arch arch, StageOutputs out, Path modules, Path tools, Preload preload, List<Preload.Resolved> images)
            throws IOException {
        Path trees = out.dir().resolve("trees");
        Path mkosiOut = out.dir().resolve("mkosi-out");
        Path workspace = out.dir().resolve("mkosi-workspace");
        Path sandbox = out.dir().resolve("sandbox");
        for (Path p : List.of(trees, mkosiOut, workspace, sandbox)) {
            Files2.deleteTree(p);
        }
        try {
            Path modulesTree = trees.resolve("modules");
            Path toolsTree = trees.resolve("tools");
            TarExtractor.extractZstd(modules, modulesTree);
            TarExtractor.extractZstd(tools, toolsTree);
            String release = release(modulesTree);
            String version = kernelVersion(release);
            writeSandbox(sandbox);
            Files.createDirectories(mkosiOut);
            Files.createDirectories(workspace);
            Files.createDirectories(packageCache);
            long start = System.nanoTime();
            runner.run(mkosiCommand(arch, sandbox, List.of(toolsTree, modulesTree, extraDir), mkosiOut, workspace));
            Path image = mkosiOut.resolve("image");
            if (!Files.isDirectory(image)) {
                throw new CaptainException("mkosi finished without producing " + image);
            }
            check(image);
            List<String> lost = missingModules(modulesTree, image);
            if (!lost.isEmpty()) {
                throw new CaptainException("initramfs (" + arch.linux() + "): the image lacks " + lost.size()
                        + " of the kernel's modules (" + String.join(", ", lost.subList(0, Math.min(5, lost.size())))
                        + (lost.size() > 5 ? ", ..." : "") + "); something removed them from " + image
                        + " while it was built. Nothing was published; build again.");
            }
            long built = System.nanoTime();
            Path os = images.isEmpty() ? out.path(IMAGE) : out.dir().resolve("os.cpio.zst");
            NewcCpio.Stats stats = new NewcCpio(
                            options.timestamp(),
                            options.zstdLevel(),
                            Runtime.getRuntime().availableProcessors(),
                            options.longWindowLog())
                    .write(image, os);
            StringBuilder preloaded = new StringBuilder();
            if (!images.isEmpty()) {
                Path segment = out.dir().resolve("preload.cpio");
                long added = preload.write(images, out.dir().resolve("preload"), segment, options.timestamp());
                preloaded.append("\n## preloaded images (").append(added).append(" bytes, before the zstd archive)\n");
                images.forEach(r -> preloaded
                        .append("    ")
                        .append(r.entry().name())
                        .append("  ")
                        .append(r.manifest().digest())
                        .append("  from ")
                        .append(r.entry().source())
                        .append('\n'));
                Preload.prepend(segment, os, out.path(IMAGE));
                Files.delete(segment);
                Files.delete(os);
                log.info(String.format(
                        "initramfs (%s): %d preloaded image(s) add %.1f MB", arch.linux(), images.size(), added / 1e6));
            }
            long packed = System.nanoTime();
            ImageManifest manifest = ImageManifest.of(image, arch, release, stats);
            Files2.writeAtomically(out.path(MANIFEST), manifest.text() + preloaded);
            Files2.deleteTree(trees);
            log.info(String.format(
                    "initramfs (%s): %s, %d entries, %.1f MB uncompressed -> %.1f MB (mkosi %.0f s,"
                            + " packing %.0f s)",
                    arch.linux(),
                    ReleaseFiles.Kind.INITRAMFS.fileName(version, arch),
                    stats.entries(),
                    stats.contentBytes() / 1e6,
                    stats.compressedBytes() / 1e6,
                    (built - start) / 1e9,
                    (packed - built) / 1e9));
            manifest.summary().forEach(l -> log.info("  " + l));
            return version;
        } finally {
            // packed (or failed): mkosi's tree, workspace and package cache need the image's owners no longer
            runner.handBack(List.of(mkosiOut, workspace, packageCache));
        }
    }

    private Command mkosiCommand(Arch arch, Path sandbox, List<Path> extraTrees, Path output, Path workspace) {
        List<String> args = new ArrayList<>(mkosi.command());
        args.add("--directory=" + mkosiDir);
        args.add("--architecture=" + arch.mkosi());
        args.add("--mirror=" + options.mirror());
        args.add("--sandbox-tree=" + sandbox);
        for (Path t : extraTrees) {
            args.add("--extra-tree=" + t);
        }
        args.add("--output-directory=" + output);
        args.add("--workspace-directory=" + workspace);
        args.add("--package-cache-directory=" + packageCache);
        if (options.offline()) {
            // the metadata and packages of an earlier run, from the package cache; apt contacts no mirror
            args.add("--cache-only=always");
        }
        args.add("--source-date-epoch=" + options.timestamp());
        args.add("--environment=CAPTAINOS_VERSION=" + options.osVersion());
        args.add("--force");
        args.add("build");
        Map<String, String> env = new HashMap<>(mkosi.environment());
        env.put("SOURCE_DATE_EPOCH", Long.toString(options.timestamp()));
        return new Command(args, mkosiDir, env);
    }

    /** apt sources for mkosi's sandbox: only the suites asked for, signed by our keyring. */
    private void writeSandbox(Path sandbox) {
        writeSandbox(sandbox, options.mirror(), options.suites(), options.keyring());
    }

    /** A sandbox tree whose apt sources list only the suites asked for, signed by the keyring given. */
    public static void writeSandbox(Path sandbox, String mirror, List<String> suites, byte[] keyring) {
        Path apt = sandbox.resolve("etc/apt");
        Files2.writeAtomically(apt.resolve("keyrings/captainos-archive.gpg"), keyring);
        // mkosi keeps a sources file of this name as it is, instead of adding repositories of its own.
        Files2.writeAtomically(
                apt.resolve("sources.list.d/mkosi.sources"),
                AptSources.render(mirror, suites, "/etc/apt/keyrings/captainos-archive.gpg"));
    }

    private static String release(Path modulesTree) throws IOException {
        Path dir = modulesTree.resolve("usr/lib/modules");
        List<Path> releases;
        try (Stream<Path> s = Files.list(dir)) {
            releases = s.filter(Files::isDirectory).toList();
        } catch (NoSuchFileException e) {
            throw new CaptainException("The kernel modules artifact has no usr/lib/modules folder: is it the"
                    + " modules-<arch> tar.zst of captainos-kernel?");
        }
        if (releases.size() != 1) {
            throw new CaptainException("The kernel modules artifact must hold exactly one usr/lib/modules/<release>"
                    + " folder; it holds " + releases.size());
        }
        return releases.get(0).getFileName().toString();
    }

    /** The module files of the kernel's tree that the image does not hold at the same path. */
    static List<String> missingModules(Path modulesTree, Path image) throws IOException {
        List<String> missing = new ArrayList<>();
        for (String rel : ModuleTree.moduleFiles(modulesTree)) {
            if (!Files.isRegularFile(image.resolve(rel))) {
                missing.add(rel);
            }
        }
        return missing;
    }

    /** What the finished tree must have before it is packed: what the OS needs at boot. */
    private static void check(Path image) {
        if (!Files.isExecutable(image.resolve("init"))) {
            throw new CaptainException("The image has no executable /init: is mkosi.extra/init in place?");
        }
        for (String forbidden : List.of("etc/initrd-release", "usr/lib/initrd-release")) {
            if (Files.exists(image.resolve(forbidden), LinkOption.NOFOLLOW_LINKS)) {
                throw new CaptainException("The image holds /" + forbidden + ", which would start systemd in initrd"
                        + " mode; the finalize script must remove it");
            }
        }
    }
}
