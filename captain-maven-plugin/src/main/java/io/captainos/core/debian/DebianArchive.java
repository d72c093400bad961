package io.captainos.core.debian;

import io.captainos.core.BuildLog;
import io.captainos.core.CaptainException;
import io.captainos.core.Files2;
import io.captainos.core.fetch.DownloadCache;
import io.captainos.core.fetch.Downloader;
import io.captainos.core.fetch.Sha256;
import io.captainos.core.fetch.VerificationException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
import java.util.zip.GZIPInputStream;
import org.tukaani.xz.XZInputStream;

/**
 * A client for a Debian archive that trusts nothing it has not checked: the {@code InRelease} of each suite must
 * carry a good signature by the archive keyring, the {@code Packages} index must match the SHA-256 the signed
 * Release lists, and each {@code .deb} must match the SHA-256 the index lists. Everything is cached; a suite's last
 * verified {@code InRelease} is used (and verified again) when the mirror cannot be reached.
 */
public final class DebianArchive {
    private static final List<String> INDEX_FORMATS = List.of(".xz", ".gz", "");
    private final URI mirror;
    private final List<String> suites;
    private final Set<String> expiredAllowed;
    private final String component;
    private final InReleaseVerifier verifier;
    private final DownloadCache cache;
    private final BuildLog log;
    private final Map<String, Map<String, List<DebianPackage>>> indexes = new HashMap<>();
    /** Each suite's Release, verified once per archive object: its indexes are all read against that one. */
    private final Map<String, ReleaseFile> releases = new HashMap<>();

    public DebianArchive(
            URI mirror,
            List<String> suites,
            String component,
            InReleaseVerifier verifier,
            DownloadCache cache,
            BuildLog log) {
        this(mirror, suites, Set.of(), component, verifier, cache, log);
    }

    /**
     * @param expiredAllowed suites whose signed Release is taken after its Valid-Until (a snapshot mirror's): the
     *                       signature and the digests are checked as always, only the freshness is not
     */
    public DebianArchive(
            URI mirror,
            List<String> suites,
            Set<String> expiredAllowed,
            String component,
            InReleaseVerifier verifier,
            DownloadCache cache,
            BuildLog log) {
        this.expiredAllowed = Set.copyOf(expiredAllowed);
        String m = mirror.toString();
        this.mirror = URI.create(m.endsWith("/") ? m : m + "/");
        this.suites = List.copyOf(suites);
        this.component = component;
        this.verifier = verifier;
        this.cache = cache;
        this.log = log;
    }

    public URI mirror() {
        return mirror;
    }

    /** The newest version of each package across the suites, for one architecture. */
    public List<DebianPackage> resolve(String arch, List<String> names) {
        List<DebianPackage> result = new ArrayList<>();
        Map<String, List<DebianPackage>> all = lookup(arch, names);
        for (String name : names) {
            List<DebianPackage> candidates = all.get(name);
            if (candidates == null || candidates.isEmpty()) {
                throw new CaptainException("Package " + name + " (" + arch + ") is not in " + component + " of "
                        + String.join(", ", suites) + " at " + mirror + ": check the name and captain.debian.suites");
            }
            result.add(candidates.get(candidates.size() - 1));
        }
        return result;
    }

    /** Every version of a package the suites list for an arch, oldest first; empty when there is none. */
    public List<DebianPackage> versions(String arch, String name) {
        return lookup(arch, List.of(name)).getOrDefault(name, List.of());
    }

    /**
     * The newest version of every package whose name starts with the prefix, for one architecture (the packages of
     * architecture {@code all} included), by name.
     */
    public Map<String, DebianPackage> newestWithPrefix(String arch, String prefix) {
        Map<String, DebianPackage> newest = new HashMap<>();
        for (String suite : suites) {
            index(suite, arch, "prefix:" + prefix, n -> n.startsWith(prefix))
                    .forEach((name, list) -> list.forEach(p -> newest.merge(
                            name, p, (a, b) -> DebVersion.ORDER.compare(a.version(), b.version()) >= 0 ? a : b)));
        }
        return newest;
    }

    private Map<String, List<DebianPackage>> lookup(String arch, List<String> names) {
        Set<String> wanted = new LinkedHashSet<>(names);
        Map<String, List<DebianPackage>> all = new HashMap<>();
        for (String suite : suites) {
            index(suite, arch, String.join(",", wanted), wanted::contains)
                    .forEach((k, v) ->
                            all.computeIfAbsent(k, x -> new ArrayList<>()).addAll(v));
        }
        all.values().forEach(l -> l.sort(Comparator.comparing(DebianPackage::version, DebVersion.ORDER)));
        return all;
    }

    /** The newest version of a source package across the suites, from their signed Sources indexes. */
    public SourcePackage source(String name) {
        SourcePackage newest = null;
        for (String suite : suites) {
            for (SourcePackage p : sources(suite, name)) {
                if (newest == null || DebVersion.ORDER.compare(p.version(), newest.version()) > 0) {
                    newest = p;
                }
            }
        }
        if (newest == null) {
            throw new CaptainException("Source package " + name + " is not in " + component + " of "
                    + String.join(", ", suites) + " at " + mirror + ": check the name and captain.debian.suites");
        }
        return newest;
    }

    /** A verified file of a source package, from the cache or the mirror. */
    public Path download(SourcePackage p, SourcePackage.File f) {
        return cache.get(mirror.resolve(p.path(f)), f.name(), f.sha256());
    }

    private List<SourcePackage> sources(String suite, String name) {
        SignedIndex index = signedIndex(suite, component + "/source", "Sources");
        Path extract = cache.dir("debian", "extracts").resolve(index.sha256() + "-source-" + name + ".tsv");
        List<SourcePackage> found = readSourceExtract(extract, suite);
        if (found == null) {
            try (InputStream in = open(index)) {
                found = SourcesIndex.read(in, Set.of(name), suite).getOrDefault(name, List.of());
            } catch (IOException e) {
                throw new UncheckedIOException("Cannot read " + index.url(), e);
            }
            writeSourceExtract(extract, found);
        }
        return found;
    }

    /** The stanzas of one source package kept from an earlier read of the verified index; null when there is none. */
    private static List<SourcePackage> readSourceExtract(Path extract, String suite) {
        if (!Files.isRegularFile(extract)) {
            return null;
        }
        List<SourcePackage> found = new ArrayList<>();
        try {
            for (String line : Files.readAllLines(extract, StandardCharsets.UTF_8)) {
                String[] f = line.split("\t", -1);
                if (f.length != 6) {
                    return null;
                }
                List<SourcePackage.File> files = new ArrayList<>();
                for (String file : f[5].split(" ")) {
                    String[] parts = file.split("/", -1);
                    if (parts.length != 3) {
                        return null;
                    }
                    files.add(new SourcePackage.File(parts[0], parts[1], Long.parseLong(parts[2])));
                }
                found.add(new SourcePackage(f[0], f[1], f[2], files, f[3], f[4], suite));
            }
        } catch (IOException | NumberFormatException e) {
            return null;
        }
        return found;
    }

    private static void writeSourceExtract(Path extract, List<SourcePackage> found) {
        StringBuilder sb = new StringBuilder();
        for (SourcePackage p : found) {
            StringBuilder files = new StringBuilder();
            for (SourcePackage.File f : p.files()) {
                files.append(files.length() == 0 ? "" : " ")
                        .append(f.name())
                        .append('/')
                        .append(f.sha256())
                        .append('/')
                        .append(f.size());
            }
            sb.append(String.join(
                            "\t", p.name(), p.version(), p.directory(), p.buildDepends(), p.goImportPath(), files))
                    .append('\n');
        }
        Files2.writeAtomically(extract, sb.toString());
    }

    /** The verified .deb of a package, from the cache or the mirror. */
    public Path download(DebianPackage p) {
        return cache.get(mirror.resolve(p.filename()), p.debName(), p.sha256());
    }

    /**
     * The package's files unpacked under {@code parent}, in a folder named by its name, version and digest; unpacked
     * beside it and moved into place, so a folder that exists is complete. Unpacks only when the folder is missing.
     */
    public Path unpacked(DebianPackage p, Path parent) {
        Path dir =
                parent.resolve(p.name() + "-" + p.version() + "-" + p.sha256().substring(0, 12));
        if (Files.isDirectory(dir)) {
            return dir;
        }
        Path tmp = Files2.temporaryFolder(dir);
        Files2.deleteTree(tmp);
        DebExtractor.extract(download(p), tmp);
        try {
            Files.move(tmp, dir);
        } catch (IOException e) {
            Files2.deleteTree(tmp);
            throw new CaptainException("Cannot put " + p.name() + " in place at " + dir + ": " + e.getMessage(), e);
        }
        log.info("Unpacked Debian's " + p.name() + " " + p.version() + " (" + p.suite() + ", sha256 "
                + p.sha256().substring(0, 12) + ") into " + dir);
        return dir;
    }

    private Map<String, List<DebianPackage>> index(
            String suite, String arch, String selection, Predicate<String> wanted) {
        String key = suite + "/" + arch + "/" + selection;
        Map<String, List<DebianPackage>> known = indexes.get(key);
        if (known != null) {
            return known;
        }
        SignedIndex index = signedIndex(suite, component + "/binary-" + arch, "Packages");
        Path extract = cache.dir("debian", "extracts")
                .resolve(index.sha256() + "-"
                        + Sha256.of(selection.getBytes(StandardCharsets.UTF_8)).substring(0, 16) + ".tsv");
        Map<String, List<DebianPackage>> found = readExtract(extract, suite);
        if (found == null) {
            try (InputStream in = open(index)) {
                found = PackagesIndex.read(in, wanted, suite);
            } catch (IOException e) {
                throw new UncheckedIOException("Cannot read " + index.url(), e);
            }
            writeExtract(extract, found);
        }
        indexes.put(key, found);
        return found;
    }

    /** An index file the signed Release of a suite lists: its digest, where it is and its compression. */
    private record SignedIndex(String sha256, URI url, String name, String format) {}

    /**
     * The index {@code name} of a folder of a suite ({@code main/binary-amd64}, {@code main/source}) in the first
     * format the suite's signed Release lists: xz, gzip, then plain.
     */
    private SignedIndex signedIndex(String suite, String dir, String name) {
        ReleaseFile release = releases.computeIfAbsent(suite, this::release);
        for (String format : INDEX_FORMATS) {
            ReleaseFile.Entry entry = release.entry(dir + "/" + name + format);
            if (entry == null) {
                continue;
            }
            String base = "dists/" + suite + "/" + dir + "/";
            URI url = mirror.resolve(
                    release.acquireByHash() ? base + "by-hash/SHA256/" + entry.sha256() : base + name + format);
            return new SignedIndex(entry.sha256(), url, name + format, format);
        }
        throw new VerificationException(
                "The signed Release of " + suite + " at " + mirror + " lists no " + name + " index for " + dir);
    }

    /** The index, verified against its digest in the signed Release, decompressed. */
    private InputStream open(SignedIndex index) throws IOException {
        Path file = cache.get(index.url(), index.name(), index.sha256());
        InputStream raw = Files.newInputStream(file);
        try {
            return decompress(raw, index.format());
        } catch (IOException e) {
            raw.close();
            throw e;
        }
    }

    /**
     * The stanzas of the wanted packages, kept from an earlier read of the verified index with this digest, so
     * that a build with nothing changed does not decompress the whole index again. Null when there is none.
     */
    private static Map<String, List<DebianPackage>> readExtract(Path extract, String suite) {
        if (!Files.isRegularFile(extract)) {
            return null;
        }
        Map<String, List<DebianPackage>> found = new HashMap<>();
        try {
            for (String line : Files.readAllLines(extract, StandardCharsets.UTF_8)) {
                String[] f = line.split("\t", -1);
                if (f.length != 8) {
                    return null;
                }
                found.computeIfAbsent(f[0], k -> new ArrayList<>())
                        .add(new DebianPackage(f[0], f[1], f[2], f[3], f[4], Long.parseLong(f[5]), suite, f[6], f[7]));
            }
        } catch (IOException | NumberFormatException e) {
            return null;
        }
        return found;
    }

    private static void writeExtract(Path extract, Map<String, List<DebianPackage>> found) {
        StringBuilder sb = new StringBuilder();
        found.values()
                .forEach(list -> list.forEach(p -> sb.append(String.join(
                                "\t",
                                p.name(),
                                p.version(),
                                p.architecture(),
                                p.filename(),
                                p.sha256(),
                                Long.toString(p.size()),
                                p.depends(),
                                p.provides()))
                        .append('\n')));
        Files2.writeAtomically(extract, sb.toString());
    }

    private static InputStream decompress(InputStream raw, String format) throws IOException {
        switch (format) {
            case ".xz":
                return new XZInputStream(raw);
            case ".gz":
                return new GZIPInputStream(raw, 1 << 16);
            default:
                return raw;
        }
    }

    /** The verified Release of a suite, fetched fresh, or the last verified copy when the mirror is down. */
    ReleaseFile release(String suite) {
        URI url = mirror.resolve("dists/" + suite + "/InRelease");
        Path saved =
                cache.dir("debian", mirror.getHost() + mirror.getPath(), suite).resolve("InRelease");
        byte[] bytes;
        boolean fresh = true;
        try {
            bytes = cache.downloader().fetch(url, saved.getParent());
        } catch (VerificationException e) {
            throw e;
        } catch (Downloader.NotFoundException e) {
            throw new CaptainException(
                    "Suite " + suite + " is not served at " + mirror + " (" + url
                            + " is missing): check captain.debian.mirror and captain.debian.suites",
                    e);
        } catch (Downloader.OfflineException e) {
            if (!Files.isRegularFile(saved)) {
                throw e;
            }
            log.info("offline: the InRelease of " + suite + " verified on an earlier run (" + saved + ")");
            bytes = read(saved);
            fresh = false;
        } catch (CaptainException e) {
            if (!Files.isRegularFile(saved)) {
                throw e;
            }
            log.warn("Cannot reach " + url + " (" + e.getMessage() + "): using the InRelease verified on an earlier"
                    + " run");
            bytes = read(saved);
            fresh = false;
        }
        String text = verifier.verify(bytes, url.toString());
        ReleaseFile release = new ReleaseFile(text);
        release.requireSuite(suite, url.toString());
        Instant validUntil = release.validUntil();
        if (validUntil != null && validUntil.isBefore(Instant.now())) {
            if (expiredAllowed.contains(suite)) {
                log.warn("The signed Release of " + suite + " at " + url + " expired at " + validUntil
                        + "; taken anyway, as captain.debian.allowExpired names " + suite
                        + " (its signature and every digest are still checked)");
            } else if (fresh) {
                throw new VerificationException("The signed Release at " + url + " expired at " + validUntil
                        + ": the mirror serves a stale (or replayed) copy. Use an up-to-date mirror, or, for a"
                        + " snapshot mirror that is meant to be old, name " + suite
                        + " in captain.debian.allowExpired.");
            } else {
                log.warn("The saved InRelease of " + suite + " expired at " + validUntil + "; using it offline anyway");
            }
        }
        ReleaseFile seen = fresh ? savedRelease(saved) : null;
        if (seen != null) {
            if (seen.date() != null && release.date() != null && release.date().isBefore(seen.date())) {
                throw new VerificationException("The signed Release at " + url + " (" + release.field("Date")
                        + ") is older than the one this build verified before (" + seen.field("Date")
                        + "): the mirror serves a stale or replayed copy. Use an up-to-date mirror.");
            }
        }
        if (fresh) {
            try {
                Files2.writeAtomically(saved, bytes);
            } catch (CaptainException e) {
                log.warn("Cannot keep " + saved + " for offline use: " + e.getMessage());
            }
        }
        log.debug("verified " + url + " (" + release.field("Date") + ")");
        return release;
    }

    /** The Release saved by an earlier run, or null when there is none this keyring still verifies. */
    private ReleaseFile savedRelease(Path saved) {
        if (!Files.isRegularFile(saved)) {
            return null;
        }
        try {
            return new ReleaseFile(verifier.verify(read(saved), saved.toString()));
        } catch (VerificationException e) {
            log.debug("ignoring " + saved + ": " + e.getMessage());
            return null;
        }
    }

    private static byte[] read(Path p) {
        try {
            return Files.readAllBytes(p);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
