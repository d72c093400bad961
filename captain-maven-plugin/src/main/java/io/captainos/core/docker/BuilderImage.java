package io.captainos.core.docker;

import io.captainos.core.Arch;
import io.captainos.core.BuildLog;
import io.captainos.core.CaptainException;
import io.captainos.core.Files2;
import io.captainos.core.debian.AptSources;
import io.captainos.core.exec.Command;
import io.captainos.core.exec.CommandRunner;
import io.captainos.core.exec.OutputTail;
import io.captainos.core.fetch.Sha256;
import io.captainos.core.host.HostPackages;
import io.captainos.core.initramfs.InitramfsStage;
import io.captainos.core.initramfs.Mkosi;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;

/**
 * The builder image every stage runs in under docker mode, and the Debian trixie base it is built on. The base is
 * made here by mkosi from signed packages (no image is pulled from anywhere); the builder is the checked-in
 * {@code Dockerfile} on top of it, with apt pointed at the build's mirror. Each is tagged by a digest of its inputs
 * and built only when the engine lacks that tag (or when asked to build again).
 */
public final class BuilderImage {
    /** An image the engine has: its tag and ID. */
    public record Built(String name, String id) {}

    /** What the images are made from. */
    public record Inputs(String mirror, List<String> suites, byte[] keyring, String base, boolean noCache) {
        public Inputs {
            suites = List.copyOf(suites);
        }
    }

    private static final String RESOURCES = "/io/captainos/docker/";
    /** Images built again in this JVM (one Maven build): noCache rebuilds once, not once a stage. */
    private static final Set<String> REBUILT = ConcurrentHashMap.newKeySet();

    private static final int TAIL_LINES = 30;
    /** The images are made for the arch this host runs. */
    private static final Arch HOST = Arch.hostOr(Arch.AMD64);

    private final DockerEngine engine;
    private final Inputs inputs;
    private final Path workDir;
    private final CommandRunner host;
    private final Supplier<Mkosi> mkosi;
    private final Path packageCache;
    private final BuildLog log;

    /**
     * @param workDir where the base tree and the build contexts are made
     * @param host runs mkosi on this host to make the base
     */
    public BuilderImage(
            DockerEngine engine,
            Inputs inputs,
            Path workDir,
            CommandRunner host,
            Supplier<Mkosi> mkosi,
            Path packageCache,
            BuildLog log) {
        this.engine = engine;
        this.inputs = inputs;
        this.workDir = workDir;
        this.host = host;
        this.mkosi = mkosi;
        this.packageCache = packageCache;
        this.log = log;
    }

    public static String dockerfile() {
        return resource("Dockerfile");
    }

    static String baseConfig() {
        return resource("base.mkosi.conf");
    }

    private static String resource(String name) {
        try (InputStream in = BuilderImage.class.getResourceAsStream(RESOURCES + name)) {
            if (in == null) {
                throw new CaptainException("The plugin lacks its resource " + RESOURCES + name);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private String sources() {
        return AptSources.render(inputs.mirror(), inputs.suites(), "/etc/apt/keyrings/captainos-archive.gpg");
    }

    private static String digest(String... parts) {
        return Sha256.of(String.join("\n\u0000", parts).getBytes(StandardCharsets.UTF_8))
                .substring(0, 16);
    }

    /** The base's tag: the one given, or {@code captainos-base:<digest of its config, mirror, suites, keyring>}. */
    public String baseName() {
        if (!inputs.base().isBlank()) {
            return inputs.base().trim();
        }
        return "captainos-base:" + digest(baseConfig(), HOST.debian(), sources(), Sha256.of(inputs.keyring()));
    }

    /** The packages the builder installs on each arch, one a line: what the stages need (HostPackages). */
    static Map<String, byte[]> packageLists() {
        Map<String, byte[]> lists = new TreeMap<>();
        for (Arch arch : Arch.values()) {
            lists.put(
                    "packages-" + arch.debian() + ".txt",
                    (String.join("\n", HostPackages.builder(arch)) + "\n").getBytes(StandardCharsets.UTF_8));
        }
        return lists;
    }

    /** The builder's tag: a digest of the Dockerfile, its package lists, the base, the apt sources and the keyring. */
    public String name() {
        StringBuilder packages = new StringBuilder();
        packageLists()
                .forEach((n, b) ->
                        packages.append(n).append('=').append(Sha256.of(b)).append('\n'));
        return "captainos-builder:"
                + digest(dockerfile(), packages.toString(), baseName(), sources(), Sha256.of(inputs.keyring()));
    }

    /** The builder image, built first when the engine does not have it (or when asked to build it again). */
    public Built ensure() {
        String name = name();
        if (!inputs.noCache() || REBUILT.contains(name)) {
            var id = engine.imageId(name);
            if (id.isPresent()) {
                log.info("builder: " + name + " is in the engine (" + shortId(id.get()) + ")");
                return new Built(name, id.get());
            }
        }
        String base = ensureBase();
        long start = System.nanoTime();
        log.info("builder: building " + name + " on " + base + (inputs.noCache() ? " (asked to build again)" : ""));
        Path context = workDir.resolve("builder-context.tar");
        Map<String, byte[]> files = new TreeMap<>(packageLists());
        files.put("Dockerfile", dockerfile().getBytes(StandardCharsets.UTF_8));
        files.put("captainos.sources", sources().getBytes(StandardCharsets.UTF_8));
        files.put("captainos-archive.gpg", inputs.keyring());
        writeContext(context, files, Map.of());
        build(name, context, Map.of("BASE", base));
        Files2.deleteQuietly(context);
        String id = engine.imageId(name)
                .orElseThrow(() -> new CaptainException("The engine built " + name + " but does not list it"));
        if (inputs.noCache()) {
            REBUILT.add(name);
        }
        log.info(String.format(
                "builder: %s built in %.0f s (%s)", name, (System.nanoTime() - start) / 1e9, shortId(id)));
        return new Built(name, id);
    }

    private String ensureBase() {
        String name = baseName();
        boolean given = !inputs.base().isBlank();
        if ((given || !inputs.noCache() || REBUILT.contains(name))
                && engine.imageId(name).isPresent()) {
            return name;
        }
        if (given) {
            throw new CaptainException("The builder base " + name + " (-Dcaptain.builder.base) is not in the engine:"
                    + " load or pull it first, or leave the setting empty to make the base from Debian here");
        }
        long start = System.nanoTime();
        log.info("builder: making the base " + name + " from Debian trixie with mkosi");
        Path dir = workDir.resolve("base");
        Path out = dir.resolve("out");
        try {
            Files2.deleteTree(dir);
            Files.createDirectories(out);
            Files.createDirectories(dir.resolve("workspace"));
            Files.createDirectories(packageCache);
            Files2.writeAtomically(dir.resolve("config/mkosi.conf"), baseConfig());
            InitramfsStage.writeSandbox(dir.resolve("sandbox"), inputs.mirror(), inputs.suites(), inputs.keyring());
            Mkosi m = mkosi.get();
            List<String> args = new ArrayList<>(m.command());
            args.addAll(List.of(
                    "--directory=" + dir.resolve("config"),
                    "--architecture=" + HOST.mkosi(),
                    "--mirror=" + inputs.mirror(),
                    "--sandbox-tree=" + dir.resolve("sandbox"),
                    "--output-directory=" + out,
                    "--workspace-directory=" + dir.resolve("workspace"),
                    "--package-cache-directory=" + packageCache,
                    "--force",
                    "build"));
            host.run(new Command(args, dir.resolve("config"), m.environment()));
            Path tree = out.resolve("base.tar");
            if (!Files.isRegularFile(tree)) {
                throw new CaptainException("mkosi finished without writing " + tree);
            }
            Path context = workDir.resolve("base-context.tar");
            writeContext(
                    context,
                    Map.of(
                            "Dockerfile",
                            "FROM scratch\nADD base.tar /\nCMD [\"/bin/bash\"]\n".getBytes(StandardCharsets.UTF_8)),
                    Map.of("base.tar", tree));
            build(name, context, Map.of());
            if (inputs.noCache()) {
                REBUILT.add(name);
            }
            Files2.deleteTree(dir);
            Files.deleteIfExists(context);
        } catch (IOException e) {
            throw new CaptainException("builder: cannot make the base in " + dir + ": " + e.getMessage(), e);
        }
        log.info(String.format("builder: base %s made in %.0f s", name, (System.nanoTime() - start) / 1e9));
        return name;
    }

    private void build(String name, Path context, Map<String, String> args) {
        OutputTail tail = new OutputTail(TAIL_LINES);
        try {
            engine.build(name, context, args, inputs.noCache(), line -> {
                log.info("  [builder] " + line);
                tail.add(line);
            });
        } catch (CaptainException e) {
            throw new CaptainException(
                    "builder: building " + name + " failed: " + e.getMessage()
                            + tail.describe("last lines of the build"),
                    e);
        }
    }

    /**
     * A build context: a tar of the given bytes (mode 0644) and files (0755 when executable), in a fixed order with
     * fixed times and owners.
     */
    static void writeContext(Path target, Map<String, byte[]> contents, Map<String, Path> files) {
        Map<String, Object> all = new LinkedHashMap<>();
        contents.keySet().stream().sorted().forEach(k -> all.put(k, contents.get(k)));
        files.keySet().stream().sorted().forEach(k -> all.put(k, files.get(k)));
        Files2.atomically(target, tmp -> {
            try (OutputStream os = Files.newOutputStream(tmp);
                    TarArchiveOutputStream tar = new TarArchiveOutputStream(os)) {
                tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
                tar.setBigNumberMode(TarArchiveOutputStream.BIGNUMBER_POSIX);
                for (Map.Entry<String, Object> e : all.entrySet()) {
                    TarArchiveEntry entry = new TarArchiveEntry(e.getKey());
                    entry.setMode(0644);
                    entry.setModTime(0);
                    if (e.getValue() instanceof byte[] bytes) {
                        entry.setSize(bytes.length);
                        tar.putArchiveEntry(entry);
                        tar.write(bytes);
                    } else {
                        Path p = (Path) e.getValue();
                        entry.setMode(Files.isExecutable(p) ? 0755 : 0644);
                        entry.setSize(Files.size(p));
                        tar.putArchiveEntry(entry);
                        Files.copy(p, tar);
                    }
                    tar.closeArchiveEntry();
                }
            }
        });
    }

    private static String shortId(String id) {
        String s = id.startsWith("sha256:") ? id.substring(7) : id;
        return s.substring(0, Math.min(12, s.length()));
    }
}
