package io.captainos.core.oci;

import io.captainos.core.Arch;
import io.captainos.core.CaptainException;
import io.captainos.core.ReleaseFiles;
import io.captainos.core.ReleaseFiles.Kind;
import io.captainos.core.oci.ArtifactImages.NamedFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The images of a release: one per built arch ({@code <tag>-amd64}, {@code <tag>-arm64}: vmlinuz, initramfs, ISO and
 * sha256sums of that arch) and, when every arch is there, the combined {@code <tag>} with all of them.
 */
public final class ReleaseImages {
    private ReleaseImages() {}

    /** What {@code captain.oci.target} names. */
    public enum Target {
        AMD64,
        ARM64,
        COMBINED;

        public static List<Target> parse(String value) {
            String v = value == null ? "" : value.trim().toLowerCase(Locale.ROOT);
            return switch (v) {
                case "", "all" -> List.of(values());
                case "amd64" -> List.of(AMD64);
                case "arm64" -> List.of(ARM64);
                case "combined" -> List.of(COMBINED);
                default ->
                    throw new CaptainException("Unknown OCI target '" + value + "': use amd64, arm64, combined or all");
            };
        }

        /**
         * This target's tag among a layout's tags, whatever their base: the one ending in {@code -<arch>}, or for
         * the combined image the one with no arch suffix; null when there is none.
         */
        public String in(Collection<String> tags) {
            for (String tag : tags) {
                boolean perArch = tag.endsWith("-amd64") || tag.endsWith("-arm64");
                if (this == COMBINED ? !perArch : tag.endsWith("-" + name().toLowerCase(Locale.ROOT))) {
                    return tag;
                }
            }
            return null;
        }
    }

    /** Writes the images of {@code files} into the layout; returns the tags written. */
    public static List<String> write(ArtifactImages images, ReleaseTags tags, Map<Arch, List<NamedFile>> files) {
        List<String> written = new ArrayList<>();
        List<NamedFile> all = new ArrayList<>();
        for (Arch arch : Arch.values()) {
            List<NamedFile> f = files.get(arch);
            if (f == null) {
                continue;
            }
            images.image(tags.of(arch), "CaptainOS " + arch.debian(), f);
            written.add(tags.of(arch));
            all.addAll(f);
        }
        if (files.keySet().containsAll(List.of(Arch.values()))) {
            images.image(tags.base(), "CaptainOS", all);
            written.add(tags.base());
        }
        return written;
    }

    /**
     * An arch's files in {@code out/}: {@code vmlinuz-<kver>-<arch>}, {@code initramfs-<kver>-<arch>},
     * {@code captainos-<kver>-<arch>.iso} and {@code sha256sums-<kver>-<arch>.txt}, for the one kernel version there
     * (or {@code kernelVersion} when several are).
     *
     * @return null when {@code out/} has no kernel of this arch
     */
    public static List<NamedFile> fromOut(Path out, Arch arch, String kernelVersion) {
        List<String> versions = ReleaseFiles.releases(out, Kind.VMLINUZ, arch);
        String kver;
        if (kernelVersion != null && !kernelVersion.isBlank()) {
            kver = kernelVersion.trim();
            if (!versions.contains(kver)) {
                throw new CaptainException(out + " has no " + Kind.VMLINUZ.fileName(kver, arch) + "; it has " + versions
                        + " for " + arch.linux());
            }
        } else if (versions.isEmpty()) {
            return null;
        } else if (versions.size() > 1) {
            throw new CaptainException(out + " holds kernels " + versions + " for " + arch.linux()
                    + ": pick one with -Dcaptain.oci.kernelVersion, or remove the others (captain:clean)");
        } else {
            kver = versions.get(0);
        }
        List<NamedFile> files = new ArrayList<>();
        for (Kind kind : ReleaseFiles.RELEASE) {
            Path f = kind.in(out, kver, arch);
            if (!Files.isRegularFile(f)) {
                throw new CaptainException(out + " has " + Kind.VMLINUZ.fileName(kver, arch) + " but not "
                        + f.getFileName() + ": build the " + arch.debian() + " ISO first (./mvnw install"
                        + " -Dcaptain.arch=" + arch.debian() + ")");
            }
            files.add(new NamedFile(f));
        }
        return files;
    }
}
