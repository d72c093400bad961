package io.captainos.core.tools;

import io.captainos.core.Arch;
import io.captainos.core.BuildLog;
import io.captainos.core.CaptainException;
import io.captainos.core.Files2;
import io.captainos.core.archive.TarExtractor;
import io.captainos.core.debian.DebExtractor;
import io.captainos.core.debian.DebianArchive;
import io.captainos.core.debian.DebianPackage;
import io.captainos.core.debian.SourcePackage;
import io.captainos.core.exec.Command;
import io.captainos.core.exec.CommandRunner;
import io.captainos.core.fetch.Sha256;
import io.captainos.core.state.InputHash;
import io.captainos.core.state.StageLock;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;
import org.tukaani.xz.XZInputStream;

/**
 * containerd, ctr and the runc shim compiled from Debian's containerd source package without what this OS never
 * uses (the Kubernetes CRI plugin, and the btrfs, devmapper, ZFS and aufs snapshotters), with Go and the Go
 * libraries from Debian's packages, each verified through the archive's signatures; runc and the CNI plugins are
 * Debian's binary packages, as with the {@code debian} source. Without the CRI plugin's packages containerd is a
 * third smaller and starts faster: their initialisation runs at every start even when the plugin is disabled.
 * containerd and ctr are one binary built from this build's own main (a resource beside this class), which runs each
 * as its own main does and, under the name {@code agent-image}, the boot's setup client (pull, mount, copy the agent
 * out, in one process where the setup ran ctr four times); ctr and agent-image are links to it, so containerd's code
 * is in the OS once.
 *
 * <p>The build is Debian's own, as its {@code dh-golang} runs it (the source with Debian's patches in a GOPATH beside
 * the packaged libraries), with cgo off (nothing left needs C), {@code -trimpath} and no build ID, so the same
 * packages give the same binaries.
 */
public final class DebianSourceToolsSource implements ToolsSource {
    /** The source package. */
    static final String SOURCE = "containerd";
    /** What the binaries leave out. */
    static final List<String> TAGS = List.of("no_cri", "no_btrfs", "no_devmapper", "no_zfs", "no_aufs");
    /**
     * containerd, ctr and the setup's client as one binary (a program of this build, a resource beside this class,
     * compiled against the same containerd tree): its import path in the GOPATH, its source, and the names it answers
     * to, the first being the binary's own.
     */
    static final String MAIN_PACKAGE = "captainos/containerd";

    static final String MAIN_SOURCE = "containerd/main.go";
    static final List<String> MULTI_CALL = List.of("containerd", "ctr");
    /**
     * Command package (below the import path), then the binary's path in the bundle: the shim only, since containerd
     * and ctr are one binary made from this build's own main.
     */
    static final Map<String, String> COMMANDS = commands();
    /** Packages of the Go toolchain and libraries; the other build dependencies (debhelper, man pages) are not run. */
    static final String GO_PREFIX = "golang-";

    private static Map<String, String> commands() {
        Map<String, String> m = new LinkedHashMap<>();
        for (String name : BundleLayout.CONTAINERD) {
            if (!MULTI_CALL.contains(name)) {
                m.put("cmd/" + name, BundleLayout.BIN + name);
            }
        }
        return m;
    }

    private final DebianArchive archive;
    private final DebianToolsSource binaries;
    private final CommandRunner runner;
    private final Path workDir;
    private final Path goCache;
    private final Duration lockTimeout;
    private final BuildLog log;
    private SourcePackage source;
    private List<DebianPackage> toolchain;

    /**
     * @param workDir where the unpacked toolchain and libraries are kept between builds, by their versions
     * @param goCache Go's build cache (content-addressed; safe to share and to delete)
     * @param lockTimeout how long a build waits for another that unpacks the same toolchain into {@code workDir}
     */
    public DebianSourceToolsSource(
            DebianArchive archive,
            CommandRunner runner,
            Path workDir,
            Path goCache,
            Duration lockTimeout,
            BuildLog log) {
        this.archive = archive;
        this.binaries = new DebianToolsSource(archive, false);
        this.runner = runner;
        this.workDir = workDir;
        this.goCache = goCache;
        this.lockTimeout = lockTimeout;
        this.log = log;
    }

    @Override
    public String id() {
        return "debian-source";
    }

    private SourcePackage source() {
        if (source == null) {
            source = archive.source(SOURCE);
            if (source.goImportPath().isEmpty()) {
                throw new CaptainException("Debian's " + SOURCE + " " + source.version() + " names no Go-Import-Path:"
                        + " the package changed; use -Dcaptain.tools.source=debian");
            }
        }
        return source;
    }

    /** The Go toolchain for this host and the Go libraries the source builds with, resolved once. */
    private List<DebianPackage> toolchain() {
        if (toolchain == null) {
            Arch host = Arch.host();
            if (host == null) {
                throw new CaptainException("The Go toolchain comes from Debian for amd64 or arm64 hosts; this is "
                        + System.getProperty("os.arch") + ": use -Dcaptain.tools.source=debian");
            }
            toolchain = closure(source(), archive.newestWithPrefix(host.debian(), GO_PREFIX), host.debian());
        }
        return toolchain;
    }

    /**
     * The Go packages the source's build dependencies name, with everything they depend on that is a Go package
     * too, sorted by name. A clause is taken when one of its alternatives is a Go package: its first alternative
     * that the archive has. Other clauses (debhelper, libraries of C code this build does not compile) are left out.
     */
    static List<DebianPackage> closure(SourcePackage source, Map<String, DebianPackage> available, String arch) {
        Map<String, DebianPackage> byName = new TreeMap<>(available);
        // a virtual name (Provides) stands for the package that provides it, unless a real package has that name
        available.values().stream()
                .sorted(Comparator.comparing(DebianPackage::name))
                .forEach(p -> p.providedNames().forEach(v -> byName.putIfAbsent(v, p)));
        Map<String, DebianPackage> picked = new TreeMap<>();
        Deque<List<String>> todo = new ArrayDeque<>(source.buildDependencies(arch));
        while (!todo.isEmpty()) {
            List<String> clause = todo.removeFirst();
            if (clause.stream().noneMatch(n -> n.startsWith(GO_PREFIX))
                    || clause.stream().map(byName::get).anyMatch(p -> p != null && picked.containsKey(p.name()))) {
                continue;
            }
            DebianPackage p = clause.stream()
                    .map(byName::get)
                    .filter(x -> x != null)
                    .findFirst()
                    .orElseThrow(() -> new CaptainException("The build of Debian's " + source.name() + " "
                            + source.version() + " needs " + String.join(" | ", clause)
                            + ", which no suite lists: add the suite that has it to captain.debian.suites"));
            picked.put(p.name(), p);
            todo.addAll(SourcePackage.relations(p.depends(), arch));
        }
        return List.copyOf(picked.values());
    }

    @Override
    public void describe(Arch arch, InputHash inputs) {
        binaries.describe(arch, inputs);
        SourcePackage s = source();
        inputs.value("debian-source." + s.name(), s.version() + " " + s.suite());
        for (SourcePackage.File f : s.files()) {
            inputs.value("debian-source.file." + f.name(), f.sha256());
        }
        inputs.value("go.tags", String.join(",", TAGS));
        inputs.value("go.commands", String.join(",", COMMANDS.keySet()));
        inputs.value("go.main", Sha256.of(mainSource()));
        for (DebianPackage p : toolchain()) {
            inputs.value("go.deb." + p.name(), p.version() + " " + p.architecture() + " " + p.sha256());
        }
    }

    @Override
    public List<ToolFile> stage(Arch arch, Path root, Path scratch) {
        List<ToolFile> files = new ArrayList<>(binaries.stage(arch, root, scratch));
        SourcePackage s = source();
        try {
            Path prefix = prefix(toolchain());
            Path gopath = scratch.resolve("gopath");
            Path tree = gopath.resolve("src").resolve(s.goImportPath());
            unpackSource(s, scratch.resolve("source"), tree);
            linkLibraries(prefix.resolve("usr/share/gocode/src"), gopath.resolve("src"), s.goImportPath());
            Path main = gopath.resolve("src").resolve(MAIN_PACKAGE);
            Files.createDirectories(main);
            byte[] mainSource = mainSource();
            Files.write(main.resolve("main.go"), mainSource);
            Path out = scratch.resolve("bin");
            Files.createDirectories(out);
            Files.createDirectories(goCache);
            build(s, arch, prefix, gopath, out);
            String from = "debian-source:" + s.suite() + "/" + s.name() + "_" + s.version() + " tags="
                    + String.join(",", TAGS);
            for (Map.Entry<String, String> c : COMMANDS.entrySet()) {
                files.add(place(
                        out, s.goImportPath() + "/" + c.getKey(), root, c.getValue(), s.name(), s.version(), from));
            }
            String multi =
                    from + " +" + MAIN_SOURCE + "@" + Sha256.of(mainSource).substring(0, 12);
            String own = BundleLayout.BIN + MULTI_CALL.get(0);
            files.add(place(out, MAIN_PACKAGE, root, own, s.name(), s.version(), multi));
            // the other names: links to the one binary, which runs as the name it was called by
            List<String> links = new ArrayList<>();
            MULTI_CALL.subList(1, MULTI_CALL.size()).forEach(n -> links.add(BundleLayout.BIN + n));
            links.add(BundleLayout.AGENT_IMAGE);
            for (String l : links) {
                Path link = root.resolve(l);
                Files.createDirectories(link.getParent());
                Files.createSymbolicLink(link, link.getParent().relativize(root.resolve(own)));
                files.add(new ToolFile(l, s.name(), s.version(), multi, Sha256.of(link)));
            }
        } catch (IOException e) {
            throw new CaptainException("Cannot build " + s.name() + " from source: " + e.getMessage(), e);
        }
        return files;
    }

    /** Copies what {@code go build} made of a package to its place in the bundle: the manifest's row. */
    private static ToolFile place(
            Path out, String pkg, Path root, String path, String component, String version, String source)
            throws IOException {
        String name = pkg.substring(pkg.lastIndexOf('/') + 1);
        Path built = out.resolve(name);
        if (!Files.isRegularFile(built)) {
            throw new CaptainException("go build of " + pkg + " left no " + name + " in " + out);
        }
        Path dest = root.resolve(path);
        Files.createDirectories(dest.getParent());
        Files.copy(built, dest, StandardCopyOption.REPLACE_EXISTING);
        return new ToolFile(path, component, version, source, Sha256.of(dest));
    }

    /** The main of containerd, ctr and the setup's client, as this plugin carries it. */
    static byte[] mainSource() {
        try (InputStream in = DebianSourceToolsSource.class.getResourceAsStream(MAIN_SOURCE)) {
            if (in == null) {
                throw new CaptainException("The plugin lacks its resource " + MAIN_SOURCE + ": a broken build");
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new CaptainException("Cannot read the plugin's " + MAIN_SOURCE + ": " + e.getMessage(), e);
        }
    }

    /**
     * The toolchain and libraries unpacked into one folder, named by a digest of their versions: made beside it and
     * moved into place, so a folder that exists is complete and is used again.
     */
    private Path prefix(List<DebianPackage> packages) throws IOException {
        StringBuilder id = new StringBuilder();
        packages.forEach(p -> id.append(p.name()).append(' ').append(p.sha256()).append('\n'));
        Path dir = workDir.resolve("go-"
                + Sha256.of(id.toString().getBytes(StandardCharsets.UTF_8)).substring(0, 16));
        if (Files.isDirectory(dir)) {
            return dir;
        }
        // the folder is shared by every build that uses this download cache: one unpacks, the others wait for it
        try (StageLock held = StageLock.acquire(workDir, "tools: the Go toolchain", lockTimeout, log)) {
            if (Files.isDirectory(dir)) {
                return dir;
            }
            Files2.removeLeftovers(workDir);
            Path tmp = Files2.temporaryFolder(dir);
            Files2.deleteTree(tmp);
            long bytes = 0;
            for (DebianPackage p : packages) {
                Path deb = archive.download(p);
                bytes += Files.size(deb);
                DebExtractor.extract(deb, tmp);
            }
            Files.move(tmp, dir);
            log.info(String.format(
                    "tools: Go and %d Go libraries from Debian (%.1f MB of packages) unpacked into %s",
                    packages.size() - 1, bytes / 1e6, dir));
        }
        return dir;
    }

    /** The original tarball with Debian's folder over it and Debian's patches applied, at {@code tree}. */
    private void unpackSource(SourcePackage s, Path work, Path tree) throws IOException {
        SourcePackage.File orig = s.file(".orig.tar.xz", ".orig.tar.gz");
        SourcePackage.File debian = s.file(".debian.tar.xz", ".debian.tar.gz");
        if (orig == null || debian == null) {
            throw new CaptainException("Debian's " + s.name() + " " + s.version() + " is not a 3.0 (quilt) source"
                    + " package (no .orig and .debian tarballs): use -Dcaptain.tools.source=debian");
        }
        Files2.deleteTree(work);
        untar(archive.download(s, orig), work);
        Path top;
        try (Stream<Path> entries = Files.list(work)) {
            List<Path> dirs = entries.filter(Files::isDirectory).toList();
            if (dirs.size() != 1) {
                throw new CaptainException(orig.name() + " holds " + dirs.size() + " top folders, not one");
            }
            top = dirs.get(0);
        }
        untar(archive.download(s, debian), top);
        Path series = top.resolve("debian/patches/series");
        if (Files.isRegularFile(series)) {
            for (String line : Files.readAllLines(series, StandardCharsets.UTF_8)) {
                String entry = line.replaceAll("#.*", "").trim();
                if (entry.isEmpty()) {
                    continue;
                }
                String[] f = entry.split("\\s+");
                String level = f.length > 1 && f[1].startsWith("-p") ? f[1] : "-p1";
                // as dpkg-source applies a 3.0 (quilt) package's patches: no fuzz, forward only
                runner.run(Command.of(
                        top,
                        "patch",
                        "-s",
                        "-t",
                        "-F",
                        "0",
                        "-N",
                        "-u",
                        "-V",
                        "never",
                        "-E",
                        level,
                        "-i",
                        top.resolve("debian/patches").resolve(f[0]).toString()));
            }
        }
        // Debian's build deletes the fuzzing sources (their library is not packaged) and builds without its folder.
        try (Stream<Path> walk = Files.walk(top)) {
            for (Path p : walk.filter(p -> p.getFileName().toString().endsWith("_fuzz.go"))
                    .toList()) {
                Files.delete(p);
            }
        }
        Files2.deleteTree(top.resolve("debian"));
        Files.createDirectories(tree.getParent());
        Files.move(top, tree);
    }

    private static void untar(Path tarball, Path target) throws IOException {
        try (InputStream raw = new BufferedInputStream(Files.newInputStream(tarball), 1 << 16);
                InputStream in =
                        tarball.toString().endsWith(".xz") ? new XZInputStream(raw) : new GZIPInputStream(raw)) {
            TarExtractor.extract(in, target, tarball.toString());
        }
    }

    /**
     * The packaged libraries' sources linked into the GOPATH as dh-golang does: a folder that is not there yet is a
     * link, one that is (several packages share a parent) is entered; the source's own import path is left out,
     * since the tree being built is that package.
     */
    static void linkLibraries(Path from, Path to, String ownPath) throws IOException {
        link(from, to, from.resolve(ownPath));
    }

    private static void link(Path from, Path to, Path skip) throws IOException {
        if (!Files.isDirectory(from)) {
            return;
        }
        Files.createDirectories(to);
        List<Path> children;
        try (Stream<Path> s = Files.list(from)) {
            children = s.sorted().toList();
        }
        for (Path child : children) {
            if (child.equals(skip)) {
                continue;
            }
            Path dest = to.resolve(child.getFileName().toString());
            if (Files.isDirectory(dest, LinkOption.NOFOLLOW_LINKS) && Files.isDirectory(child)) {
                link(child, dest, skip);
            } else if (!Files.exists(dest, LinkOption.NOFOLLOW_LINKS)) {
                if (skip.startsWith(child)) {
                    link(child, dest, skip);
                } else {
                    Files.createSymbolicLink(dest, child);
                }
            }
        }
    }

    private void build(SourcePackage s, Arch arch, Path prefix, Path gopath, Path out) throws IOException {
        Path goroot;
        try (Stream<Path> lib = Files.list(prefix.resolve("usr/lib"))) {
            goroot = lib.filter(p ->
                            p.getFileName().toString().matches("go-[0-9.]+") && Files.isExecutable(p.resolve("bin/go")))
                    .sorted()
                    .reduce((a, b) -> b)
                    .orElseThrow(() -> new CaptainException(
                            "The Go packages unpacked into " + prefix + " hold no usr/lib/go-<version>/bin/go"));
        }
        String pkg = s.goImportPath();
        String ldflags = String.join(
                " ",
                "-s",
                "-w",
                "-buildid=",
                "-X " + pkg + "/version.Version=" + s.upstreamVersion(),
                "-X " + pkg + "/version.Revision=" + s.version());
        List<String> args = new ArrayList<>(List.of(
                goroot.resolve("bin/go").toString(),
                "build",
                "-trimpath",
                "-buildvcs=false",
                "-p",
                Integer.toString(Math.max(1, Runtime.getRuntime().availableProcessors())),
                "-tags",
                String.join(" ", TAGS),
                "-ldflags",
                ldflags,
                "-o",
                out + "/"));
        COMMANDS.keySet().forEach(c -> args.add(pkg + "/" + c));
        args.add(MAIN_PACKAGE);
        Map<String, String> env = new TreeMap<>();
        env.put("GOROOT", goroot.toString());
        env.put("GOPATH", gopath.toString());
        env.put("GOCACHE", goCache.toString());
        env.put("GO111MODULE", "off");
        env.put("GOPROXY", "off");
        env.put("GOTOOLCHAIN", "local");
        env.put("GOENV", "off");
        env.put("GOFLAGS", "");
        env.put("CGO_ENABLED", "0");
        env.put("GOOS", "linux");
        env.put("GOARCH", arch.debian());
        env.put("HOME", gopath.toString());
        env.put("PATH", goroot.resolve("bin") + ":/usr/bin:/bin");
        log.info("tools (" + arch.linux() + "): building " + s.name() + " " + s.version() + " with "
                + goroot.getFileName() + ", tags " + String.join(" ", TAGS));
        runner.run(new Command(args, gopath.resolve("src").resolve(pkg), env));
    }
}
