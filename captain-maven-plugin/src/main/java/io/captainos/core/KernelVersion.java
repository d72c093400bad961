package io.captainos.core;

import java.util.Optional;
import java.util.OptionalInt;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A kernel version as the build names it: {@code 6.12} is a branch, {@code 6.12.57} an exact release. Release strings
 * such as {@code 6.12.57-captainos} or {@code 6.12.57+deb13-amd64} start with one ({@link #leading(String)}).
 */
public record KernelVersion(int major, int minor, OptionalInt patch) {
    private static final Pattern VERSION = Pattern.compile("(\\d+)\\.(\\d+)(?:\\.(\\d+))?");

    /** Parses a branch ({@code 6.12}) or an exact version ({@code 6.18.16}); fails with what is expected. */
    public static KernelVersion parse(String version) {
        Matcher m = VERSION.matcher(version == null ? "" : version.trim());
        if (!m.matches()) {
            throw new CaptainException("Invalid kernel version '" + version
                    + "': use a branch such as 6.12 or an exact version such as 6.18.16 (captain.kernel.version)");
        }
        return of(m);
    }

    /** The version a kernel release starts with: {@code 6.12.57} of {@code 6.12.57+deb13-amd64}; empty if none. */
    public static Optional<KernelVersion> leading(String release) {
        Matcher m = VERSION.matcher(release == null ? "" : release);
        return m.lookingAt() ? Optional.of(of(m)) : Optional.empty();
    }

    private static KernelVersion of(Matcher m) {
        try {
            return new KernelVersion(
                    Integer.parseInt(m.group(1)),
                    Integer.parseInt(m.group(2)),
                    m.group(3) == null ? OptionalInt.empty() : OptionalInt.of(Integer.parseInt(m.group(3))));
        } catch (NumberFormatException e) {
            throw new CaptainException("Invalid kernel version '" + m.group() + "': a number is out of range");
        }
    }

    /** True for a branch ({@code 6.12}), false for an exact version ({@code 6.12.57}). */
    public boolean isBranch() {
        return patch.isEmpty();
    }

    /** {@code 6.12} for both {@code 6.12} and {@code 6.12.57}. */
    public String majorMinor() {
        return major + "." + minor;
    }

    /** The defconfig branch name: {@code 6.12.y}. */
    public String branch() {
        return majorMinor() + ".y";
    }

    /** The kernel.org folder of this version: {@code v6.x}. */
    public String kernelOrgDir() {
        return "v" + major + ".x";
    }

    /** {@code 6.12} or {@code 6.12.57}. */
    @Override
    public String toString() {
        return patch.isEmpty() ? majorMinor() : majorMinor() + "." + patch.getAsInt();
    }
}
