package io.captainos.core.oci;

import io.captainos.core.CaptainException;
import java.math.BigDecimal;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * An OCI content descriptor: what a manifest or index says about a blob.
 *
 * @param platform the {@code linux/<arch>} of an index entry, or null
 */
public record Descriptor(String mediaType, String digest, long size, Map<String, String> annotations, String platform) {
    public static final String INDEX = "application/vnd.oci.image.index.v1+json";
    public static final String MANIFEST = "application/vnd.oci.image.manifest.v1+json";
    public static final String CONFIG = "application/vnd.oci.image.config.v1+json";
    public static final String LAYER = "application/vnd.oci.image.layer.v1.tar";
    /** Docker's names for the same two documents, which pull accepts from registries that convert. */
    public static final String DOCKER_LIST = "application/vnd.docker.distribution.manifest.list.v2+json";

    public static final String DOCKER_MANIFEST = "application/vnd.docker.distribution.manifest.v2+json";

    public static final String TITLE = "org.opencontainers.image.title";
    public static final String REF_NAME = "org.opencontainers.image.ref.name";

    public Descriptor {
        annotations = annotations == null ? Map.of() : Map.copyOf(new TreeMap<>(annotations));
    }

    public Descriptor(String mediaType, String digest, long size) {
        this(mediaType, digest, size, Map.of(), null);
    }

    public Descriptor withAnnotations(Map<String, String> more) {
        Map<String, String> all = new TreeMap<>(annotations);
        all.putAll(more);
        return new Descriptor(mediaType, digest, size, all, platform);
    }

    public Descriptor withPlatform(String osSlashArch) {
        return new Descriptor(mediaType, digest, size, annotations, osSlashArch);
    }

    /** The hex part of the digest: the blob's file name in a layout. */
    public String hex() {
        return hex(digest);
    }

    public static String hex(String digest) {
        if (!digest.matches("sha256:[0-9a-f]{64}")) {
            throw new CaptainException("'" + digest + "' is not a sha256 digest");
        }
        return digest.substring("sha256:".length());
    }

    public Map<String, Object> toJson() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("mediaType", mediaType);
        m.put("digest", digest);
        m.put("size", size);
        if (!annotations.isEmpty()) {
            m.put("annotations", annotations);
        }
        if (platform != null) {
            String[] p = platform.split("/", 2);
            m.put("platform", Map.of("os", p[0], "architecture", p[1]));
        }
        return m;
    }

    /** Reads a descriptor from a manifest or index; {@code what} names it in errors. */
    public static Descriptor fromJson(Object json, String what) {
        Map<String, Object> m = Json.object(json, what);
        Object size = m.get("size");
        if (!(size instanceof BigDecimal n)) {
            throw new CaptainException(what + " has no numeric size");
        }
        Map<String, String> annotations = new TreeMap<>();
        if (m.get("annotations") instanceof Map<?, ?> a) {
            a.forEach((k, v) -> annotations.put(String.valueOf(k), String.valueOf(v)));
        }
        String platform = null;
        if (m.get("platform") instanceof Map<?, ?> p) {
            platform = p.get("os") + "/" + p.get("architecture");
        }
        String digest = Json.string(m, "digest", what);
        hex(digest);
        return new Descriptor(Json.string(m, "mediaType", what), digest, n.longValueExact(), annotations, platform);
    }
}
