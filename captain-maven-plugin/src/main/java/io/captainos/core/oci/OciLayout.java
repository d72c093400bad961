package io.captainos.core.oci;

import io.captainos.core.CaptainException;
import io.captainos.core.Files2;
import io.captainos.core.fetch.Sha256;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;

/**
 * An OCI image layout on disk ({@code oci-layout}, {@code index.json}, {@code blobs/sha256/}): what the build writes
 * and what publish pushes, so a build made offline can be pushed later. Blobs are written beside their final name
 * and moved into place, so a blob file under its digest is always complete.
 */
public final class OciLayout {
    private final Path dir;

    private OciLayout(Path dir) {
        this.dir = dir;
    }

    /** Creates the layout folder if needed. */
    public static OciLayout create(Path dir) {
        try {
            Files.createDirectories(dir.resolve("blobs/sha256"));
        } catch (IOException e) {
            throw new CaptainException("Cannot create " + dir + ": " + e.getMessage(), e);
        }
        if (!Files.isRegularFile(dir.resolve("oci-layout"))) {
            Files2.writeAtomically(dir.resolve("oci-layout"), Json.bytes(Map.of("imageLayoutVersion", "1.0.0")));
        }
        if (!Files.isRegularFile(dir.resolve("index.json"))) {
            writeIndex(dir, List.of());
        }
        return new OciLayout(dir);
    }

    /** An existing layout, or an error that says what is missing. */
    public static OciLayout open(Path dir) {
        if (!Files.isRegularFile(dir.resolve("oci-layout")) || !Files.isRegularFile(dir.resolve("index.json"))) {
            throw new CaptainException(dir + " is not an OCI image layout (no oci-layout or index.json there);"
                    + " build one with captain:oci-layout or point captain.oci.layout at one");
        }
        return new OciLayout(dir);
    }

    public Path dir() {
        return dir;
    }

    public Path blob(String digest) {
        return dir.resolve("blobs/sha256").resolve(Descriptor.hex(digest));
    }

    public byte[] read(Descriptor d) {
        try {
            return Files.readAllBytes(blob(d.digest()));
        } catch (IOException e) {
            throw new CaptainException("The layout " + dir + " lacks blob " + d.digest() + ": " + e.getMessage(), e);
        }
    }

    /** Stores a document or config blob. */
    public Descriptor add(byte[] bytes, String mediaType) {
        String digest = "sha256:" + Sha256.of(bytes);
        Path target = blob(digest);
        if (!Files.isRegularFile(target)) {
            Files2.writeAtomically(target, bytes);
        }
        return new Descriptor(mediaType, digest, bytes.length);
    }

    /**
     * Stores a layer: an uncompressed tar that holds just {@code file} at the top under {@code name}, with mtime 0,
     * owner 0:0, no owner names and mode 0644, so the same file gives the same layer everywhere.
     */
    public Descriptor addFileLayer(Path file, String name) {
        if (name.contains("/") || name.equals("..") || name.equals(".") || name.isEmpty()) {
            throw new CaptainException("'" + name + "' cannot be a layer's file name");
        }
        Path tmp = null;
        try {
            tmp = Files2.temporaryFile(dir.resolve("blobs/sha256/layer"));
            MessageDigest sha = Sha256.newDigest();
            try (OutputStream out = new DigestOutputStream(Files.newOutputStream(tmp), sha);
                    TarArchiveOutputStream tar = new TarArchiveOutputStream(out)) {
                tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
                tar.setBigNumberMode(TarArchiveOutputStream.BIGNUMBER_POSIX);
                TarArchiveEntry entry = new TarArchiveEntry(name, true);
                entry.setSize(Files.size(file));
                entry.setModTime(0L);
                entry.setIds(0, 0);
                entry.setUserName("");
                entry.setGroupName("");
                entry.setMode(0100644);
                tar.putArchiveEntry(entry);
                Files.copy(file, tar);
                tar.closeArchiveEntry();
                tar.finish();
            }
            String digest = "sha256:" + Sha256.hex(sha);
            long size = Files.size(tmp);
            Path target = blob(digest);
            if (Files.isRegularFile(target) && Files.size(target) == size) {
                Files.delete(tmp);
            } else {
                Files2.commit(tmp, target);
            }
            return new Descriptor(Descriptor.LAYER, digest, size, Map.of(Descriptor.TITLE, name), null);
        } catch (IOException e) {
            throw new CaptainException("Cannot write the layer of " + file + " into " + dir + ": " + e.getMessage(), e);
        } finally {
            if (tmp != null) {
                Files2.deleteQuietly(tmp);
            }
        }
    }

    /** The tagged entries of {@code index.json}, by tag. */
    public Map<String, Descriptor> tags() {
        Map<String, Descriptor> tags = new TreeMap<>();
        Path index = dir.resolve("index.json");
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(index);
        } catch (IOException e) {
            throw new CaptainException("Cannot read " + index + ": " + e.getMessage(), e);
        }
        for (Object m : Json.list(
                Json.object(Json.parse(bytes, index.toString()), index.toString())
                        .get("manifests"),
                index + " manifests")) {
            Descriptor d = Descriptor.fromJson(m, index + " entry");
            String ref = d.annotations().get(Descriptor.REF_NAME);
            if (ref != null) {
                tags.put(ref, d);
            }
        }
        return tags;
    }

    /** Points {@code tag} at {@code image} in {@code index.json}, replacing what it pointed at. */
    public void tag(String tag, Descriptor image) {
        Map<String, Descriptor> tags = tags();
        tags.put(tag, image.withAnnotations(Map.of(Descriptor.REF_NAME, tag)));
        writeIndex(dir, new ArrayList<>(tags.values()));
    }

    private static void writeIndex(Path dir, List<Descriptor> entries) {
        List<Object> manifests = entries.stream().map(d -> (Object) d.toJson()).toList();
        Files2.writeAtomically(
                dir.resolve("index.json"),
                Json.bytes(Map.of("schemaVersion", 2, "mediaType", Descriptor.INDEX, "manifests", manifests)));
    }
}
