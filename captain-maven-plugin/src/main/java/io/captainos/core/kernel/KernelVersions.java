package io.captainos.core.kernel;

import io.captainos.core.CaptainException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Kernel version strings: {@code 6.12} is a branch, {@code 6.12.57} an exact release. */
public final class KernelVersions {
    private static final Pattern VERSION = Pattern.compile("(\\d+)\\.(\\d+)(?:\\.(\\d+))?");

    private KernelVersions() {}

    public static Matcher parse(String version) {
        Matcher m = VERSION.matcher(version == null ? "" : version.trim());
        if (!m.matches()) {
            throw new CaptainException("Invalid kernel version '" + version
                    + "': use a branch such as 6.12 or an exact version such as 6.18.16 (captain.kernel.version)");
        }
        return m;
    }

    /** True for a branch ({@code 6.12}), false for an exact version ({@code 6.12.57}). */
    public static boolean isBranch(String version) {
        return parse(version).group(3) == null;
    }

    /** {@code 6.12} for both {@code 6.12} and {@code 6.12.57}. */
    public static String majorMinor(String version) {
        Matcher m = parse(version);
        return m.group(1) + "." + m.group(2);
    }

    /** The defconfig branch name: {@code 6.12.y}. */
    public static String branch(String version) {
        return majorMinor(version) + ".y";
    }

    /** The kernel.org folder of a version: {@code v6.x}. */
    public static String kernelOrgDir(String version) {
        return "v" + parse(version).group(1) + ".x";
    }
}
