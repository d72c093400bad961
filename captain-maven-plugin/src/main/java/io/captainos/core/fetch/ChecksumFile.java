package io.captainos.core.fetch;

/**
 * A checksum file as release pages publish them ({@code sha256sum} output): lines {@code <digest>  <file>}, the
 * file name possibly prefixed with {@code *} (binary mode) or {@code ./}.
 */
public final class ChecksumFile {
    private ChecksumFile() {}

    /** The digest listed for {@code asset}; fails when the file does not list it. */
    public static String digestOf(String content, String asset, String source) {
        for (String line : content.split("\r?\n")) {
            String[] p = line.trim().split("\\s+", 2);
            if (p.length != 2) {
                continue;
            }
            String name = p[1].trim();
            if (name.startsWith("*")) {
                name = name.substring(1);
            }
            if (name.startsWith("./")) {
                name = name.substring(2);
            }
            int slash = name.lastIndexOf('/');
            if (name.equals(asset) || name.substring(slash + 1).equals(asset)) {
                return Sha256.normalize(p[0], asset + " in " + source);
            }
        }
        throw new VerificationException("The checksum file " + source + " lists no SHA-256 for " + asset);
    }
}
