package io.captainos.core.initramfs;

import io.captainos.core.Arch;
import io.captainos.core.CaptainException;
import io.captainos.core.archive.NewcCpio;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What is in an image and where its bytes go: totals, the largest files, the largest folders, the Debian packages
 * with their versions and the tools bundle's provenance. Written beside the initramfs so that a size change shows
 * up in review as a diff of this text.
 */
public final class ImageManifest {
    static final String PACKAGES = "usr/share/captainos/packages.tsv";
    static final String TOOLS = "usr/share/captainos/tools.manifest";
    private static final int LARGEST = 25;
    private static final int FOLDER_DEPTH = 3;

    private final List<String> summary;
    private final String text;

    private ImageManifest(List<String> summary, String text) {
        this.summary = summary;
        this.text = text;
    }

    /** A few lines for the build log. */
    public List<String> summary() {
        return summary;
    }

    public String text() {
        return text;
    }

    public static ImageManifest of(Path image, Arch arch, String kernelRelease, NewcCpio.Stats stats) {
        record Sized(String path, long bytes) {}
        List<Sized> files = new ArrayList<>();
        Map<String, Long> folders = new TreeMap<>();
        try {
            Files.walkFileTree(image, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
                    if (attrs.isRegularFile()) {
                        String rel = image.relativize(file).toString();
                        files.add(new Sized(rel, attrs.size()));
                        String[] parts = rel.split("/");
                        StringBuilder prefix = new StringBuilder();
                        for (int i = 0; i < Math.min(FOLDER_DEPTH, parts.length - 1); i++) {
                            prefix.append(i == 0 ? "" : "/").append(parts[i]);
                            folders.merge(prefix.toString(), attrs.size(), Long::sum);
                        }
                    }
                    return FileVisitResult.CONTINUE;
                }
            });
        } catch (IOException e) {
            throw new CaptainException("Cannot read the image at " + image + ": " + e.getMessage(), e);
        }
        List<String> packages = lines(image.resolve(PACKAGES));
        List<String> tools = lines(image.resolve(TOOLS));
        StringBuilder sb = new StringBuilder();
        sb.append("# CaptainOS initramfs ").append(arch.linux()).append('\n');
        sb.append("kernel release: ").append(kernelRelease).append('\n');
        sb.append("entries: ")
                .append(stats.entries())
                .append(" (")
                .append(files.size())
                .append(" files, ")
                .append(stats.hardLinks())
                .append(" extra hard links)\n");
        sb.append("uncompressed bytes: ").append(stats.contentBytes()).append('\n');
        sb.append("compressed bytes: ").append(stats.compressedBytes()).append('\n');
        sb.append("packages: ").append(packages.size()).append('\n');
        sb.append("\n## largest files (bytes)\n");
        files.stream()
                .sorted(Comparator.comparingLong(Sized::bytes).reversed().thenComparing(Sized::path))
                .limit(LARGEST)
                .forEach(f -> sb.append(String.format("%12d  %s%n", f.bytes(), f.path())));
        sb.append("\n## largest folders (bytes, ").append(FOLDER_DEPTH).append(" levels)\n");
        folders.entrySet().stream()
                .sorted(Map.Entry.<String, Long>comparingByValue().reversed().thenComparing(Map.Entry.comparingByKey()))
                .limit(LARGEST)
                .forEach(e -> sb.append(String.format("%12d  %s/%n", e.getValue(), e.getKey())));
        sb.append("\n## packages (name, version, installed KiB)\n");
        packages.forEach(l -> sb.append(l).append('\n'));
        sb.append("\n## tools bundle\n");
        tools.forEach(l -> sb.append(l).append('\n'));
        List<String> summary = new ArrayList<>();
        summary.add(String.format(
                "%d packages, %d files; largest: %s",
                packages.size(),
                files.size(),
                files.stream()
                        .sorted(Comparator.comparingLong(Sized::bytes).reversed())
                        .limit(3)
                        .map(f -> String.format("%s %.1f MB", f.path(), f.bytes() / 1e6))
                        .toList()));
        return new ImageManifest(List.copyOf(summary), sb.toString());
    }

    private static List<String> lines(Path file) {
        try {
            return Files.isRegularFile(file) ? Files.readAllLines(file, StandardCharsets.UTF_8) : List.of();
        } catch (IOException e) {
            throw new CaptainException("Cannot read " + file + ": " + e.getMessage(), e);
        }
    }
}
