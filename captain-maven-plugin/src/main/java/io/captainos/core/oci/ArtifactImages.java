package io.captainos.core.oci;

import io.captainos.core.Arch;
import io.captainos.core.BuildLog;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * CaptainOS's artifact images: every file its own layer, and each image an index whose {@code linux/amd64} and
 * {@code linux/arm64} entries carry the same layers, so any machine can pull any image. Nothing here reads the
 * clock: {@code created} is the build's output timestamp, so the same files and metadata give the same digests,
 * and an image holding both arches' files reuses the per-arch images' layer blobs byte for byte.
 */
public final class ArtifactImages {
    /** The {@code org.opencontainers.image.*} annotations every manifest and index carries. */
    public record Metadata(
            String created,
            String source,
            String revision,
            String version,
            String description,
            String vendor,
            String licenses) {
        Map<String, String> annotations(String title) {
            Map<String, String> a = new TreeMap<>();
            put(a, "created", created);
            put(a, "source", source);
            put(a, "revision", revision);
            put(a, "version", version);
            put(a, "title", title);
            put(a, "description", description);
            put(a, "vendor", vendor);
            put(a, "licenses", licenses);
            return a;
        }

        private static void put(Map<String, String> a, String key, String value) {
            if (value != null && !value.isBlank()) {
                a.put("org.opencontainers.image." + key, value);
            }
        }
    }

    /** A file of the image and its name in the layer (the name it has in {@code out/}). */
    public record NamedFile(Path path, String name) {
        public NamedFile(Path path) {
            this(path, path.getFileName().toString());
        }
    }

    private final OciLayout layout;
    private final Metadata metadata;
    private final BuildLog log;
    private final Map<NamedFile, Descriptor> layers = new HashMap<>();

    public ArtifactImages(OciLayout layout, Metadata metadata, BuildLog log) {
        this.layout = layout;
        this.metadata = metadata;
        this.log = log;
    }

    /** Writes the image of {@code files} (in this order) and tags it; returns the index's descriptor. */
    public Descriptor image(String tag, String title, List<NamedFile> files) {
        List<Descriptor> fileLayers = new ArrayList<>();
        for (NamedFile f : files) {
            fileLayers.add(layers.computeIfAbsent(f, k -> {
                Descriptor d = layout.addFileLayer(k.path(), k.name());
                log.debug("layer " + d.digest() + " " + k.name());
                return d;
            }));
        }
        Map<String, String> annotations = metadata.annotations(title);
        List<Object> manifests = new ArrayList<>();
        for (Arch arch : Arch.values()) {
            Map<String, Object> config = new LinkedHashMap<>();
            config.put("architecture", arch.debian());
            config.put("os", "linux");
            if (metadata.created() != null) {
                config.put("created", metadata.created());
            }
            config.put("config", Map.of("Labels", annotations));
            config.put(
                    "rootfs",
                    Map.of(
                            "type",
                            "layers",
                            "diff_ids",
                            fileLayers.stream().map(Descriptor::digest).toList()));
            Descriptor configBlob = layout.add(Json.bytes(config), Descriptor.CONFIG);
            Map<String, Object> manifest = new LinkedHashMap<>();
            manifest.put("schemaVersion", 2);
            manifest.put("mediaType", Descriptor.MANIFEST);
            manifest.put("config", configBlob.toJson());
            manifest.put(
                    "layers", fileLayers.stream().map(d -> (Object) d.toJson()).toList());
            manifest.put("annotations", annotations);
            manifests.add(layout.add(Json.bytes(manifest), Descriptor.MANIFEST)
                    .withPlatform("linux/" + arch.debian())
                    .toJson());
        }
        Map<String, Object> index = new LinkedHashMap<>();
        index.put("schemaVersion", 2);
        index.put("mediaType", Descriptor.INDEX);
        index.put("manifests", manifests);
        index.put("annotations", annotations);
        Descriptor d = layout.add(Json.bytes(index), Descriptor.INDEX);
        layout.tag(tag, d);
        log.info("OCI image " + tag + ": " + files.size() + " files, index " + d.digest());
        return d;
    }
}
