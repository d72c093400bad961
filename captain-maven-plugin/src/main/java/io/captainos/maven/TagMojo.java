package io.captainos.maven;

import io.captainos.core.Arch;
import io.captainos.core.CaptainException;
import io.captainos.core.oci.OciTransfer;
import io.captainos.core.oci.RegistryClient;
import io.captainos.core.oci.ReleaseTags;
import javax.inject.Inject;
import org.apache.maven.plugins.annotations.Mojo;
import org.apache.maven.plugins.annotations.Parameter;
import org.apache.maven.settings.crypto.SettingsDecrypter;

/**
 * Gives a published build its clean release tags: {@code <version>}, {@code <version>-amd64} and
 * {@code <version>-arm64} point at the exact manifest bytes of {@code <from>}, {@code <from>-amd64} and
 * {@code <from>-arm64}, so the digests stay the same.
 */
@Mojo(name = "tag", requiresProject = false, threadSafe = true)
public class TagMojo extends AbstractOciMojo {
    /** The published combined tag to copy ({@code vX.Y.Z-<sha7>}); this build's by default. */
    @Parameter(property = "captain.oci.from")
    private String from;

    /** The release version to tag, e.g. {@code v1.2.0}. */
    @Parameter(property = "captain.oci.version")
    private String version;

    @Inject
    public TagMojo(SettingsDecrypter decrypter) {
        super(decrypter);
    }

    @Override
    protected void run() {
        if (version == null || version.isBlank()) {
            throw new CaptainException("captain:tag needs the release version: -Dcaptain.oci.version=vX.Y.Z");
        }
        ReleaseTags source = from == null || from.isBlank() ? tags() : ReleaseTags.resolve(root(), from);
        ReleaseTags release = source.rebased(version.trim());
        RegistryClient client = client();
        for (String[] pair : new String[][] {
            {source.base(), release.base()},
            {source.of(Arch.AMD64), release.of(Arch.AMD64)},
            {source.of(Arch.ARM64), release.of(Arch.ARM64)}
        }) {
            String digest = OciTransfer.copyTag(client, pair[0], pair[1]);
            getLog().info("tagged " + client + ":" + pair[1] + " = " + pair[0] + " (" + digest + ")");
        }
    }
}
