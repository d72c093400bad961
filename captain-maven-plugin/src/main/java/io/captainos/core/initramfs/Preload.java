package io.captainos.core.initramfs;

import io.captainos.core.Arch;
import io.captainos.core.BuildLog;
import io.captainos.core.CaptainException;
import io.captainos.core.Files2;
import io.captainos.core.archive.NewcCpio;
import io.captainos.core.fetch.Sha256;
import io.captainos.core.oci.CredentialSources;
import io.captainos.core.oci.Credentials;
import io.captainos.core.oci.Descriptor;
import io.captainos.core.oci.Json;
import io.captainos.core.oci.OciLayout;
import io.captainos.core.oci.OciTransfer;
import io.captainos.core.oci.RegistryClient;
import java.io.BufferedOutputStream;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;

/**
 * Images put into the initramfs for machines that cannot reach a registry: each one an OCI archive (one platform's
 * manifest, its config and layers, named by the {@code io.containerd.image.name} annotation) under {@link #DIR},
 * which the OS imports into containerd's {@code tinkerbell} namespace at boot. The archives travel in an
 * uncompressed newc CPIO placed before the image's zstd one (their layers are compressed already; the kernel unpacks
 * one archive after the other, as it does with early microcode), so changing them does not repack the OS.
 */
public final class Preload {
    /** Where the archives are in the OS. */
    public static final String DIR = "usr/share/captainos/preload";
    /** The annotation containerd names an imported image by. */
    static final String IMAGE_NAME = "io.containerd.image.name";

    private static final Pattern REFERENCE =
            Pattern.compile("(?<registry>(?:\\[[0-9a-fA-F:]+]|[a-zA-Z0-9.-]+)(?::\\d+)?)/(?<repository>[a-z0-9._/-]+?)"
                    + "(?::(?<tag>[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}))?(?:@(?<digest>sha256:[0-9a-f]{64}))?");

    /**
     * One entry of {@code captain.initramfs.preload}: {@code <source>[=<name>]}. The source is a registry reference
     * ({@code host[:port]/repository:tag} or {@code @sha256:...}) or a folder holding an OCI image layout; the name
     * is what the machine's containerd calls the image (the {@code tink_worker_image=} of its command line), by
     * default the source's reference.
     */
    public record Entry(String source, String name) {
        public static List<Entry> parseList(String setting, Path base) {
            List<Entry> entries = new ArrayList<>();
            if (setting == null) {
                return entries;
            }
            for (String part : setting.split(",")) {
                if (!part.isBlank()) {
                    entries.add(parse(part.trim(), base));
                }
            }
            return entries;
        }

        static Entry parse(String text, Path base) {
            int eq = text.indexOf('=');
            String source = (eq < 0 ? text : text.substring(0, eq)).trim();
            String name = eq < 0 ? null : text.substring(eq + 1).trim();
            if (source.isEmpty()) {
                throw bad(text, "it names no image or folder");
            }
            Path folder = base.resolve(source);
            boolean looksLikePath = source.startsWith("/") || source.startsWith(".") || Files.isDirectory(folder);
            if (looksLikePath) {
                if (!Files.isRegularFile(folder.resolve("oci-layout"))) {
                    throw bad(text, folder + " is not an OCI image layout (it has no oci-layout file)");
                }
                if (name == null || name.isEmpty()) {
                    throw bad(
                            text,
                            "an OCI layout needs the name the machine pulls it by: " + source
                                    + "=<registry>/<repository>:<tag>");
                }
                source = folder.toAbsolutePath().normalize().toString();
            } else if (!REFERENCE.matcher(source).matches()) {
                throw bad(
                        text,
                        "'" + source + "' is neither an image reference (host[:port]/repository:tag) nor a"
                                + " folder");
            }
            if (name == null) {
                name = source;
            }
            if (!REFERENCE.matcher(name).matches()) {
                throw bad(
                        text,
                        "the name '" + name + "' is not a full image reference (host[:port]/repository:tag),"
                                + " which is how the machine's containerd names images");
            }
            return new Entry(source, name);
        }

        private static CaptainException bad(String text, String why) {
            return new CaptainException("Invalid captain.initramfs.preload entry '" + text + "': " + why
                    + ". Use <image reference>[=<name>] or <OCI layout folder>=<name>, comma-separated.");
        }

        boolean isLayout() {
            return source.startsWith("/");
        }
    }

    /** An entry resolved to the manifest of the target arch: what the image's inputs record. */
    public record Resolved(Entry entry, Descriptor manifest) {}

    /** Reads the documents and blobs of one source, each checked against its digest. */
    interface Blobs {
        /** The document the entry names: a registry's manifest or index, a layout's index.json. */
        byte[] top();

        byte[] manifest(String digest);

        void fetch(Descriptor blob, Path target);
    }

    private final Arch arch;
    private final Function<Entry, RegistryClient> clients;
    private final BuildLog log;

    /** @param clients the registry client for an entry's source (credentials are the caller's business) */
    public Preload(Arch arch, Function<Entry, RegistryClient> clients, BuildLog log) {
        this.arch = arch;
        this.clients = clients;
        this.log = log;
    }

    /**
     * The registry client for a reference's registry and repository, with the credentials the auth files of other
     * tools hold for it (docker's and podman's), else anonymous; loopback registries over plain HTTP.
     */
    public static RegistryClient client(Entry e, BuildLog log) {
        Matcher m = REFERENCE.matcher(e.source());
        if (!m.matches()) {
            throw new CaptainException("'" + e.source() + "' is not an image reference");
        }
        String registry = m.group("registry");
        Credentials credentials = CredentialSources.resolve(
                registry, null, null, null, System.getenv(), Path.of(System.getProperty("user.home")));
        return new RegistryClient(registry, m.group("repository"), credentials, RegistryClient.Options.defaults(), log);
    }

    /** Each entry's manifest for this arch, without downloading any layer. */
    public List<Resolved> resolve(List<Entry> entries) {
        List<Resolved> out = new ArrayList<>();
        for (Entry e : entries) {
            out.add(new Resolved(e, manifestFor(e, blobs(e))));
        }
        return out;
    }

    /**
     * Writes the CPIO of the archives to {@code target}: one {@code NN-<repository>.tar} per entry in the order
     * given, every timestamp {@code clampSeconds}.
     *
     * @return the bytes the images add to the initramfs
     */
    public long write(List<Resolved> images, Path work, Path target, long clampSeconds) {
        Path root = work.resolve("root");
        Files2.deleteTree(work);
        try {
            Path dir = root.resolve(DIR);
            Files.createDirectories(dir);
            int n = 0;
            for (Resolved r : images) {
                n++;
                Path archive = dir.resolve(
                        String.format("%02d-%s.tar", n, fileName(r.entry().name())));
                archive(r, blobs(r.entry()), work.resolve("blobs"), archive, clampSeconds);
                log.info(String.format(
                        "preload: %s as %s (%s, %.1f MB)",
                        r.entry().source(), r.entry().name(), r.manifest().digest(), Files.size(archive) / 1e6));
            }
            new NewcCpio(clampSeconds, 0, 1, 0).write(root, target);
            return Files.size(target);
        } catch (IOException e) {
            throw new CaptainException("Cannot write the preloaded images to " + target + ": " + e.getMessage(), e);
        } finally {
            Files2.deleteTree(work);
        }
    }

    /**
     * Writes {@code first} (an uncompressed CPIO, a whole number of 512-byte blocks) and then {@code image} to
     * {@code target}, atomically: the kernel unpacks them in that order.
     */
    public static void prepend(Path first, Path image, Path target) {
        Path tmp = null;
        try {
            if (Files.size(first) % 4 != 0) {
                throw new CaptainException(first + " does not end on a 4-byte boundary; the kernel would not find"
                        + " the archive after it");
            }
            tmp = Files2.temporaryFile(target);
            try (OutputStream out = Files.newOutputStream(tmp, StandardOpenOption.TRUNCATE_EXISTING)) {
                Files.copy(first, out);
                Files.copy(image, out);
            }
            Files2.commit(tmp, target);
        } catch (IOException e) {
            throw new CaptainException("Cannot write " + target + ": " + e.getMessage(), e);
        } finally {
            Files2.deleteQuietly(tmp);
        }
    }

    private Blobs blobs(Entry e) {
        if (e.isLayout()) {
            OciLayout layout = OciLayout.open(Path.of(e.source()));
            return new Blobs() {
                @Override
                public byte[] top() {
                    Path index = layout.dir().resolve("index.json");
                    try {
                        return Files.readAllBytes(index);
                    } catch (IOException ex) {
                        throw new CaptainException("Cannot read " + index + ": " + ex.getMessage(), ex);
                    }
                }

                @Override
                public byte[] manifest(String digest) {
                    return read(layout.blob(digest), digest);
                }

                @Override
                public void fetch(Descriptor blob, Path target) {
                    Path p = layout.blob(blob.digest());
                    byte[] bytes = read(p, blob.digest());
                    try {
                        Files.createDirectories(target.getParent());
                        Files.write(target, bytes);
                    } catch (IOException ex) {
                        throw new CaptainException("Cannot copy " + p + ": " + ex.getMessage(), ex);
                    }
                }

                private byte[] read(Path p, String digest) {
                    try {
                        byte[] bytes = Files.readAllBytes(p);
                        if (!Sha256.of(bytes).equals(Descriptor.hex(digest))) {
                            throw new CaptainException("The blob " + p + " does not match its digest " + digest
                                    + ": the OCI layout " + e.source() + " is damaged");
                        }
                        return bytes;
                    } catch (IOException ex) {
                        throw new CaptainException(
                                "The OCI layout " + e.source() + " has no blob " + digest + " (" + ex.getMessage()
                                        + ")",
                                ex);
                    }
                }
            };
        }
        RegistryClient client = clients.apply(e);
        Matcher m = REFERENCE.matcher(e.source());
        m.matches();
        String reference = m.group("digest") != null ? m.group("digest") : tagOf(e.source());
        return new Blobs() {
            @Override
            public byte[] top() {
                return manifest(reference);
            }

            @Override
            public byte[] manifest(String ref) {
                return client.manifest(ref)
                        .orElseThrow(() -> new CaptainException(client + " has no image " + ref
                                + ": check the captain.initramfs.preload entry " + e.source()))
                        .bytes();
            }

            @Override
            public void fetch(Descriptor blob, Path target) {
                client.fetchBlob(blob, target);
            }
        };
    }

    /** The image manifest for this arch: the top document itself, or its index's entry for {@code linux/<arch>}. */
    private Descriptor manifestFor(Entry e, Blobs blobs) {
        byte[] top = blobs.top();
        Map<String, Object> doc = Json.object(Json.parse(top, "the top document of " + e.source()), e.source());
        if (doc.get("manifests") == null) {
            String type = String.valueOf(doc.getOrDefault("mediaType", Descriptor.MANIFEST));
            return new Descriptor(type, "sha256:" + Sha256.of(top), top.length);
        }
        String platform = "linux/" + arch.debian();
        List<Descriptor> entries = OciTransfer.indexEntries(top, e.source());
        if (e.isLayout()) {
            // a layout's index lists images by tag: the name's tag picks one, or the only one there is
            String tag = tagOf(e.name());
            List<Descriptor> tagged = entries.stream()
                    .filter(d -> tag.equals(d.annotations().get(Descriptor.REF_NAME)))
                    .toList();
            if (tagged.size() == 1) {
                entries = tagged;
            } else if (entries.size() != 1) {
                throw new CaptainException("The OCI layout " + e.source() + " has " + entries.size()
                        + " images and none tagged " + tag + ": tag one so, or give a layout with one image");
            }
            Descriptor only = entries.get(0);
            if (!OciTransfer.isIndex(only.mediaType())) {
                return only;
            }
            entries = OciTransfer.indexEntries(blobs.manifest(only.digest()), only.digest());
        }
        List<Descriptor> offered = entries;
        return OciTransfer.forPlatform(offered, platform)
                .orElseThrow(() -> new CaptainException(e.source() + " has no " + platform + " image (it has "
                        + OciTransfer.platforms(offered) + "): preload an image built for " + arch.debian()));
    }

    /** Writes the OCI archive of one image: oci-layout, index.json naming it, the manifest, config and layers. */
    private static void archive(Resolved r, Blobs blobs, Path scratch, Path archive, long clampSeconds)
            throws IOException {
        byte[] manifest = blobs.manifest(r.manifest().digest());
        if (!Sha256.of(manifest).equals(r.manifest().hex())) {
            throw new CaptainException("The manifest " + r.manifest().digest() + " of "
                    + r.entry().source() + " changed while the build read it");
        }
        Map<String, Object> doc = Json.object(Json.parse(manifest, r.manifest().digest()), "manifest");
        List<Descriptor> blobsOf = new ArrayList<>();
        blobsOf.add(Descriptor.fromJson(
                doc.get("config"), "config of " + r.manifest().digest()));
        for (Object l : Json.list(doc.get("layers"), "layers of " + r.manifest().digest())) {
            blobsOf.add(Descriptor.fromJson(l, "layer of " + r.manifest().digest()));
        }
        Map<String, Path> files = new TreeMap<>();
        Files.createDirectories(scratch);
        for (Descriptor d : blobsOf) {
            Path p = scratch.resolve(d.hex());
            if (!Files.exists(p)) {
                blobs.fetch(d, p);
            }
            files.put("blobs/sha256/" + d.hex(), p);
        }
        Map<String, String> names = new LinkedHashMap<>();
        names.put(IMAGE_NAME, r.entry().name());
        names.put(Descriptor.REF_NAME, tagOf(r.entry().name()));
        Descriptor top =
                new Descriptor(r.manifest().mediaType(), r.manifest().digest(), manifest.length).withAnnotations(names);
        byte[] index = Json.bytes(
                Map.of("schemaVersion", 2, "mediaType", Descriptor.INDEX, "manifests", List.of(top.toJson())));
        Path tmp = Files2.temporaryFile(archive);
        try (OutputStream file = new BufferedOutputStream(Files.newOutputStream(tmp), 1 << 20);
                TarArchiveOutputStream tar = new TarArchiveOutputStream(file)) {
            tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
            directory(tar, "blobs/", clampSeconds);
            directory(tar, "blobs/sha256/", clampSeconds);
            Map<String, Object> entries = new TreeMap<>(files);
            entries.put("blobs/sha256/" + r.manifest().hex(), manifest);
            for (Map.Entry<String, Object> f : entries.entrySet()) {
                if (f.getValue() instanceof Path p) {
                    try (InputStream in = Files.newInputStream(p)) {
                        file(tar, f.getKey(), Files.size(p), in, clampSeconds);
                    }
                } else {
                    byte[] b = (byte[]) f.getValue();
                    file(tar, f.getKey(), b.length, new ByteArrayInputStream(b), clampSeconds);
                }
            }
            byte[] layoutFile = "{\"imageLayoutVersion\":\"1.0.0\"}".getBytes(StandardCharsets.UTF_8);
            file(tar, "index.json", index.length, new ByteArrayInputStream(index), clampSeconds);
            file(tar, "oci-layout", layoutFile.length, new ByteArrayInputStream(layoutFile), clampSeconds);
        }
        Files2.commit(tmp, archive);
    }

    private static void directory(TarArchiveOutputStream tar, String name, long clampSeconds) throws IOException {
        TarArchiveEntry e = new TarArchiveEntry(name);
        e.setMode(040755);
        owned(e, clampSeconds);
        tar.putArchiveEntry(e);
        tar.closeArchiveEntry();
    }

    private static void file(TarArchiveOutputStream tar, String name, long size, InputStream in, long clampSeconds)
            throws IOException {
        TarArchiveEntry e = new TarArchiveEntry(name);
        e.setMode(0100644);
        e.setSize(size);
        owned(e, clampSeconds);
        tar.putArchiveEntry(e);
        in.transferTo(tar);
        tar.closeArchiveEntry();
    }

    private static void owned(TarArchiveEntry e, long clampSeconds) {
        e.setUserId(0);
        e.setGroupId(0);
        e.setUserName("");
        e.setGroupName("");
        e.setModTime(Date.from(Instant.ofEpochSecond(clampSeconds)));
    }

    /** The tag of a reference, {@code latest} when it has none (a digest-only name keeps no tag). */
    static String tagOf(String reference) {
        Matcher m = REFERENCE.matcher(reference);
        if (!m.matches()) {
            throw new CaptainException("'" + reference + "' is not an image reference");
        }
        return m.group("tag") != null ? m.group("tag") : "latest";
    }

    /** The repository's last part, safe as a file name. */
    static String fileName(String reference) {
        Matcher m = REFERENCE.matcher(reference);
        m.matches();
        String repo = m.group("repository");
        return repo.substring(repo.lastIndexOf('/') + 1).replaceAll("[^a-z0-9._-]", "_");
    }
}
