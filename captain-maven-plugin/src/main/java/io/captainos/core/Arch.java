package io.captainos.core;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * A target architecture. {@link #debian()} is the name Debian and the build use ({@code amd64}); {@link #linux()} is
 * the name in file names and Maven classifiers ({@code x86_64}), which iPXE scripts expect.
 */
public enum Arch {
    AMD64("amd64", "x86_64", "x86", "bzImage", "x86-64"),
    ARM64("arm64", "aarch64", "arm64", "Image", "arm64");

    private final String debian;
    private final String linux;
    private final String kernelArch;
    private final String kernelImage;
    private final String mkosi;

    Arch(String debian, String linux, String kernelArch, String kernelImage, String mkosi) {
        this.debian = debian;
        this.linux = linux;
        this.kernelArch = kernelArch;
        this.kernelImage = kernelImage;
        this.mkosi = mkosi;
    }

    /** mkosi's {@code Architecture=} value. */
    public String mkosi() {
        return mkosi;
    }

    public String debian() {
        return debian;
    }

    public String linux() {
        return linux;
    }

    /** The kernel's {@code ARCH=} value. */
    public String kernelArch() {
        return kernelArch;
    }

    /** The kernel's boot image make target. */
    public String kernelImage() {
        return kernelImage;
    }

    /** The Maven classifier of this arch's files. */
    public String classifier() {
        return linux;
    }

    /** The Maven classifier of this arch's files of one kind, such as {@code modules-x86_64}. */
    public String classifier(String kind) {
        return kind + "-" + linux;
    }

    /** The arch of the machine this runs on, or null if it is neither amd64 nor arm64. */
    /** The arch this JVM runs on, or {@code fallback} on one the build does not know. */
    public static Arch hostOr(Arch fallback) {
        Arch host = host();
        return host == null ? fallback : host;
    }

    public static Arch host() {
        String os = System.getProperty("os.arch", "").toLowerCase(Locale.ROOT);
        switch (os) {
            case "amd64":
            case "x86_64":
                return AMD64;
            case "aarch64":
            case "arm64":
                return ARM64;
            default:
                return null;
        }
    }

    /** Parses {@code amd64}, {@code arm64} or a Linux name; fails with the allowed values. */
    public static Arch parse(String value) {
        String v = value == null ? "" : value.trim().toLowerCase(Locale.ROOT);
        for (Arch a : values()) {
            if (a.debian.equals(v) || a.linux.equals(v)) {
                return a;
            }
        }
        throw new CaptainException("Unknown architecture '" + value + "': use one of " + allowed()
                + " (or a comma-separated list of them, e.g. -Dcaptain.arch=amd64,arm64)");
    }

    /** Parses a comma-separated list, keeping order and dropping repeats. */
    public static List<Arch> parseList(String value) {
        if (value == null || value.isBlank()) {
            throw new CaptainException("Empty architecture list: use one of " + allowed());
        }
        LinkedHashSet<Arch> set = new LinkedHashSet<>();
        for (String part : value.split(",")) {
            set.add(parse(part));
        }
        return new ArrayList<>(set);
    }

    public static String allowed() {
        return Arrays.stream(values()).map(Arch::debian).collect(Collectors.joining(", "));
    }
}
