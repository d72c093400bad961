package io.captainos.maven;

import io.captainos.core.oci.OciTransfer;
import javax.inject.Inject;
import org.apache.maven.plugins.annotations.Mojo;
import org.apache.maven.plugins.annotations.Parameter;
import org.apache.maven.settings.crypto.SettingsDecrypter;

/**
 * Fetches an image from the registry and writes each layer's file into a folder ({@code out/} by default), every
 * blob checked against its digest first; a layer whose paths would leave the folder is refused.
 */
@Mojo(name = "pull", requiresProject = false, threadSafe = true)
public class PullMojo extends AbstractOciMojo {
    /** The tag or digest to pull; this build's combined tag ({@code vX.Y.Z-<sha7>}) by default. */
    @Parameter(property = "captain.oci.ref")
    private String ref;

    /** The folder the files go to. */
    @Parameter(property = "captain.oci.into", defaultValue = "out")
    private String into;

    /** The index entry to take: every entry of our images holds the same files. */
    @Parameter(property = "captain.oci.platform", defaultValue = "linux/amd64")
    private String platform;

    @Inject
    public PullMojo(SettingsDecrypter decrypter) {
        super(decrypter);
    }

    @Override
    protected void run() {
        String reference = ref == null || ref.isBlank() ? tags().base() : ref.trim();
        OciTransfer.pull(client(), reference, platform, root().resolve(into), log());
    }
}
