package io.captainos.core;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.TreeSet;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The names of the release files in {@code out/}, which the provisioning side (iPXE scripts, smee) expects:
 * {@code vmlinuz-<kver>-<arch>}, {@code initramfs-<kver>-<arch>}, {@code captainos-<kver>-<arch>.iso},
 * {@code sha256sums-<kver>-<arch>.txt} and {@code initramfs-<kver>-<arch>.manifest}, where {@code <arch>} is
 * {@link Arch#linux()} and {@code <kver>} the kernel release.
 */
public final class ReleaseFiles {
    /** The kinds of release file. */
    public enum Kind {
        VMLINUZ("vmlinuz-", ""),
        INITRAMFS("initramfs-", ""),
        ISO("captainos-", ".iso"),
        SHA256SUMS("sha256sums-", ".txt"),
        MANIFEST("initramfs-", ".manifest");

        private final String prefix;
        private final String extension;

        Kind(String prefix, String extension) {
            this.prefix = prefix;
            this.extension = extension;
        }

        /** This kind's file name for a kernel release and arch, such as {@code vmlinuz-6.12.57-x86_64}. */
        public String fileName(String release, Arch arch) {
            return new Name(this, release, arch).fileName();
        }

        /** This kind's file in {@code dir}. */
        public Path in(Path dir, String release, Arch arch) {
            return dir.resolve(fileName(release, arch));
        }

        /** The name with a placeholder for the release, for messages: {@code captainos-<kver>-x86_64.iso}. */
        public String pattern(Arch arch) {
            return prefix + "<kver>-" + arch.linux() + extension;
        }
    }

    /** The files of a release image: vmlinuz, initramfs and ISO (the order of the sha256sums lines), sha256sums. */
    public static final List<Kind> RELEASE = List.of(Kind.VMLINUZ, Kind.INITRAMFS, Kind.ISO, Kind.SHA256SUMS);

    /** What a kernel release may look like: {@code 6.12.57}, {@code 6.12.57-captainos}, {@code 6.12.57+deb13-amd64}. */
    private static final Pattern RELEASE_CHARS = Pattern.compile("[0-9A-Za-z][0-9A-Za-z._+~-]*");

    /** One release file's name taken apart. */
    public record Name(Kind kind, String release, Arch arch) {
        public Name {
            if (release == null || !RELEASE_CHARS.matcher(release).matches()) {
                throw new CaptainException("Invalid kernel release '" + release + "' for a " + kind.pattern(arch)
                        + " file: expected letters, digits and . _ + ~ - such as 6.12.57-captainos");
            }
        }

        public String fileName() {
            return kind.prefix + release + "-" + arch.linux() + kind.extension;
        }

        @Override
        public String toString() {
            return fileName();
        }
    }

    private ReleaseFiles() {}

    /** Takes a file name apart; empty when it is none of ours (another arch, a temporary file, something else). */
    public static Optional<Name> parse(String fileName) {
        for (Kind kind : Kind.values()) {
            for (Arch arch : Arch.values()) {
                String suffix = "-" + arch.linux() + kind.extension;
                if (fileName.startsWith(kind.prefix)
                        && fileName.endsWith(suffix)
                        && fileName.length() > kind.prefix.length() + suffix.length()) {
                    String release = fileName.substring(kind.prefix.length(), fileName.length() - suffix.length());
                    if (RELEASE_CHARS.matcher(release).matches()) {
                        return Optional.of(new Name(kind, release, arch));
                    }
                }
            }
        }
        return Optional.empty();
    }

    /** The kernel releases that have a file of {@code kind} for {@code arch} in {@code dir}, sorted by name. */
    public static List<String> releases(Path dir, Kind kind, Arch arch) {
        TreeSet<String> releases = new TreeSet<>();
        names(dir).stream().filter(n -> n.kind() == kind && n.arch() == arch).forEach(n -> releases.add(n.release()));
        return new ArrayList<>(releases);
    }

    /** The kernel release whose {@code kind} file for {@code arch} in {@code dir} was written last; empty if none. */
    public static Optional<String> newest(Path dir, Kind kind, Arch arch) {
        return releases(dir, kind, arch).stream()
                .max(Comparator.comparingLong(
                        r -> kind.in(dir, r, arch).toFile().lastModified()));
    }

    /** Our files in {@code dir}; none when it does not exist. */
    private static List<Name> names(Path dir) {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> parse(p.getFileName().toString()))
                    .flatMap(Optional::stream)
                    .toList();
        } catch (IOException e) {
            throw new CaptainException("Cannot list " + dir + ": " + e.getMessage(), e);
        }
    }
}
