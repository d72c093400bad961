package io.captainos.maven;

import io.captainos.core.CaptainException;
import io.captainos.core.iso.IsoPatch;
import java.nio.file.Path;
import org.apache.maven.plugins.annotations.Mojo;
import org.apache.maven.plugins.annotations.Parameter;

/**
 * Writes a kernel command line into a copy of an ISO exactly as Tinkerbell's smee does when it serves one: smee's
 * 1024-character magic string on the grub.cfg kernel line becomes the command line padded with spaces, and no
 * other byte changes. For booting an ISO with a machine's arguments without smee, or for checking what smee will
 * serve.
 */
@Mojo(name = "iso-patch", aggregator = true, requiresProject = false, threadSafe = true)
public class IsoPatchMojo extends AbstractCaptainMojo {
    /** The ISO to patch (required), e.g. {@code out/captainos-<kver>-x86_64.iso}; it is only read. */
    @Parameter(property = "captain.iso.patch.source")
    private String source;

    /** The patched copy to write; by default the source's name with {@code -patched} before {@code .iso}. */
    @Parameter(property = "captain.iso.patch.target")
    private String target;

    /**
     * The kernel command line to write (required): at most 1024 characters of printable ASCII on one line, e.g.
     * {@code tink_worker_image=ghcr.io/tinkerbell/tink-agent:latest grpc_authority=10.0.0.1:42113}.
     */
    @Parameter(property = "captain.iso.patch.cmdline")
    private String cmdline;

    @Override
    protected void run() {
        if (source == null || source.isBlank()) {
            throw new CaptainException("captain:iso-patch needs the ISO to patch:"
                    + " -Dcaptain.iso.patch.source=out/captainos-<kver>-x86_64.iso");
        }
        if (cmdline == null || cmdline.isBlank()) {
            throw new CaptainException("captain:iso-patch needs the command line to write:"
                    + " -Dcaptain.iso.patch.cmdline=\"tink_worker_image=... grpc_authority=...\"");
        }
        IsoPatch.checkCmdline(cmdline);
        Path from = root().resolve(source.trim());
        Path to = target == null || target.isBlank() ? IsoPatch.defaultTarget(from) : root().resolve(target.trim());
        IsoPatch patch = IsoPatch.of(from);
        patch.writeTo(to, cmdline);
        getLog().info("iso-patch: " + to + " from " + from + ": the placeholder at byte " + patch.offset()
                + " now holds: " + IsoPatch.cmdline(to, patch.offset()));
    }
}
