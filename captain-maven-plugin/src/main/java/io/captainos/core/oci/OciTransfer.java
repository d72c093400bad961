package io.captainos.core.oci;

import io.captainos.core.BuildLog;
import io.captainos.core.CaptainException;
import io.captainos.core.Files2;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;

/** Moves images between a layout, a registry and a folder of files. */
public final class OciTransfer {
    private OciTransfer() {}

    /**
     * Pushes the image tagged {@code layoutTag} in the layout to the registry as {@code remoteTag}: blobs first
     * (skipping those the registry has, mounting from {@code mountFrom} where it can), then each manifest by
     * digest, then the index under the tag, all as the exact bytes of the layout.
     *
     * @return the index digest
     */
    public static String push(
            OciLayout layout, String layoutTag, RegistryClient client, String remoteTag, List<String> mountFrom) {
        Descriptor index = image(layout, layoutTag);
        byte[] indexBytes = layout.read(index);
        Set<String> done = new HashSet<>();
        for (Object o : Json.list(
                Json.object(Json.parse(indexBytes, "index " + layoutTag), "index")
                        .get("manifests"),
                "index manifests")) {
            Descriptor m = Descriptor.fromJson(o, "index entry of " + layoutTag);
            byte[] manifest = layout.read(m);
            Map<String, Object> doc = Json.object(Json.parse(manifest, "manifest " + m.digest()), "manifest");
            List<Descriptor> blobs = new ArrayList<>();
            blobs.add(Descriptor.fromJson(doc.get("config"), "config of " + m.digest()));
            for (Object l : Json.list(doc.get("layers"), "layers of " + m.digest())) {
                blobs.add(Descriptor.fromJson(l, "layer of " + m.digest()));
            }
            for (Descriptor b : blobs) {
                if (done.add(b.digest())) {
                    client.pushBlob(layout.blob(b.digest()), b.digest(), mountFrom);
                }
            }
            if (done.add(m.digest()) && !client.hasManifest(m.digest())) {
                client.putManifest(m.digest(), manifest, m.mediaType());
            }
        }
        return client.putManifest(remoteTag, indexBytes, index.mediaType());
    }

    /** The layout's image under {@code tag}, or an error that lists the tags it has. */
    public static Descriptor image(OciLayout layout, String tag) {
        Map<String, Descriptor> tags = layout.tags();
        Descriptor d = tags.get(tag);
        if (d == null) {
            throw new CaptainException(
                    "The OCI layout " + layout.dir() + " has no image tagged " + tag + "; it has " + tags.keySet());
        }
        return d;
    }

    /**
     * Fetches an image and extracts every layer's files into {@code into}, each blob checked against its digest
     * first. A layer entry that is not a plain file or folder, or whose path would leave {@code into}, fails the
     * pull before anything of that layer is written.
     *
     * @param platform the {@code os/arch} entry of an index to take
     * @return the files written
     */
    public static List<Path> pull(RegistryClient client, String reference, String platform, Path into, BuildLog log) {
        RegistryClient.Manifest top = client.manifest(reference)
                .orElseThrow(() -> new CaptainException(client + " has no image " + reference));
        RegistryClient.Manifest manifest = top;
        if (isIndex(top.mediaType())) {
            List<Descriptor> entries = indexEntries(top.bytes(), reference);
            Descriptor chosen = forPlatform(entries, platform)
                    .orElseThrow(() -> new CaptainException(
                            client + ":" + reference + " has no " + platform + " image; it has " + platforms(entries)));
            String digest = chosen.digest();
            manifest = client.manifest(digest)
                    .orElseThrow(() -> new CaptainException(
                            client + " lists " + digest + " in " + reference + " but does not have it"));
        }
        Map<String, Object> doc =
                Json.object(Json.parse(manifest.bytes(), "manifest " + manifest.digest()), "manifest");
        List<Path> written = new ArrayList<>();
        Path work = into.resolve(".captainos-pull");
        try {
            Files.createDirectories(work);
            for (Object l : Json.list(doc.get("layers"), "layers of " + manifest.digest())) {
                Descriptor layer = Descriptor.fromJson(l, "layer of " + manifest.digest());
                Path blob = work.resolve(layer.hex());
                client.fetchBlob(layer, blob);
                written.addAll(extract(blob, layer.digest(), into));
                Files.delete(blob);
            }
        } catch (IOException e) {
            throw new CaptainException("Cannot pull into " + into + ": " + e.getMessage(), e);
        } finally {
            Files2.deleteTree(work);
        }
        log.info("pulled " + client + ":" + reference + " (" + manifest.digest() + "): " + written.size()
                + " files into " + into);
        return written;
    }

    /** Whether a document of this media type is an index (OCI's or Docker's manifest list). */
    public static boolean isIndex(String mediaType) {
        return mediaType.equals(Descriptor.INDEX) || mediaType.equals(Descriptor.DOCKER_LIST);
    }

    /** The entries of an index document; {@code what} names it in errors. */
    public static List<Descriptor> indexEntries(byte[] index, String what) {
        List<Descriptor> entries = new ArrayList<>();
        for (Object o : Json.list(
                Json.object(Json.parse(index, "index " + what), "index").get("manifests"), "index manifests")) {
            entries.add(Descriptor.fromJson(o, "index entry of " + what));
        }
        return entries;
    }

    /** The first entry for an {@code os/arch} platform. */
    public static Optional<Descriptor> forPlatform(List<Descriptor> entries, String platform) {
        return entries.stream().filter(d -> platform.equals(d.platform())).findFirst();
    }

    /** The platforms an index offers, in its order, for error messages. */
    public static List<String> platforms(List<Descriptor> entries) {
        return entries.stream().map(Descriptor::platform).toList();
    }

    /** Extracts a layer tar into {@code into} after checking every entry; returns the files written. */
    static List<Path> extract(Path layer, String digest, Path into) throws IOException {
        Path root = into.toAbsolutePath().normalize();
        try (InputStream in = Files.newInputStream(layer);
                TarArchiveInputStream tar = new TarArchiveInputStream(in)) {
            TarArchiveEntry e;
            while ((e = tar.getNextEntry()) != null) {
                target(root, e, digest);
            }
        }
        List<Path> written = new ArrayList<>();
        try (InputStream in = Files.newInputStream(layer);
                TarArchiveInputStream tar = new TarArchiveInputStream(in)) {
            TarArchiveEntry e;
            while ((e = tar.getNextEntry()) != null) {
                Path target = target(root, e, digest);
                if (e.isDirectory()) {
                    Files.createDirectories(target);
                    continue;
                }
                Files.createDirectories(target.getParent());
                Path tmp = Files2.temporaryFile(target);
                try {
                    Files.copy(tar, tmp, StandardCopyOption.REPLACE_EXISTING);
                    Files2.commit(tmp, target);
                } finally {
                    Files2.deleteQuietly(tmp);
                }
                written.add(target);
            }
        }
        return written;
    }

    private static Path target(Path root, TarArchiveEntry e, String digest) {
        String name = e.getName();
        if (!e.isFile() && !e.isDirectory()) {
            throw new CaptainException("The layer " + digest + " holds '" + name + "', which is not a plain file"
                    + " or folder (links and devices are refused)");
        }
        String clean = name.startsWith("./") ? name.substring(2) : name;
        if (e.isDirectory() && (clean.isEmpty() || clean.equals("."))) {
            return root;
        }
        Path target = root.resolve(clean).normalize();
        if (clean.isEmpty()
                || clean.startsWith("/")
                || List.of(clean.split("/")).contains("..")
                || !target.startsWith(root)
                || target.equals(root) && !e.isDirectory()) {
            throw new CaptainException("The layer " + digest + " holds '" + name + "', a path outside the folder"
                    + " it is pulled into: refusing the image");
        }
        return target;
    }

    /**
     * Points {@code to} at the exact manifest bytes of {@code from} (same digest, same media type).
     *
     * @return the digest
     */
    public static String copyTag(RegistryClient client, String from, String to) {
        RegistryClient.Manifest m = client.manifest(from)
                .orElseThrow(() -> new CaptainException(client + " has no image " + from + " to tag as " + to));
        return client.putManifest(to, m.bytes(), m.mediaType());
    }
}
