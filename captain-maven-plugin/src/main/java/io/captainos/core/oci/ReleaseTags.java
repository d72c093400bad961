package io.captainos.core.oci;

import io.captainos.core.Arch;
import io.captainos.core.CaptainException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The image tags of a build: {@code vX.Y.Z-<sha7>} for the combined image and {@code vX.Y.Z-<sha7>-<arch>} per
 * arch, {@code vX.Y.Z} being the latest {@code v*} tag reachable in git (v0.0.0 when there is none).
 *
 * @param base     the combined image's tag
 * @param version  {@code vX.Y.Z}
 * @param revision the full commit id, or empty when not known
 */
public record ReleaseTags(String base, String version, String revision) {
    public static final String TAG_PATTERN = "[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}";

    public ReleaseTags {
        if (!base.matches(TAG_PATTERN)) {
            throw new CaptainException("'" + base + "' is not a valid image tag (letters, digits, _ . -, at most"
                    + " 128, not starting with . or -); fix captain.oci.tag");
        }
    }

    public String of(Arch arch) {
        return base + "-" + arch.debian();
    }

    /** The tags of the same build under another base, such as the clean release version. */
    public ReleaseTags rebased(String newBase) {
        return new ReleaseTags(newBase, version, revision);
    }

    /** From git in {@code dir}, unless {@code override} (a full base tag) is given. */
    public static ReleaseTags resolve(Path dir, String override) {
        String revision = git(dir, "rev-parse", "HEAD");
        if (override != null && !override.isBlank()) {
            return new ReleaseTags(
                    override.trim(), override.trim().replaceAll("-[0-9a-f]{7}$", ""), revision == null ? "" : revision);
        }
        if (revision == null) {
            throw new CaptainException(dir + " is not a git checkout (or git is missing), so the image tag cannot"
                    + " be computed: set -Dcaptain.oci.tag=vX.Y.Z-<sha7>");
        }
        String version = git(dir, "describe", "--tags", "--abbrev=0", "--match", "v*");
        if (version == null) {
            version = "v0.0.0";
        }
        return new ReleaseTags(version + "-" + revision.substring(0, 7), version, revision);
    }

    private static String git(Path dir, String... args) {
        List<String> cmd = new ArrayList<>(List.of("git", "-C", dir.toString()));
        cmd.addAll(List.of(args));
        try {
            Process p = new ProcessBuilder(cmd)
                    .redirectError(ProcessBuilder.Redirect.DISCARD)
                    .start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            return p.waitFor() == 0 && !out.isEmpty() ? out : null;
        } catch (IOException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CaptainException("Interrupted", e);
        }
    }
}
