package io.captainos.maven;

import io.captainos.core.Arch;
import io.captainos.core.CaptainException;
import io.captainos.core.Files2;
import io.captainos.core.archive.TarExtractor;
import io.captainos.core.oci.ArtifactImages;
import io.captainos.core.oci.ArtifactImages.NamedFile;
import io.captainos.core.oci.OciLayout;
import io.captainos.core.oci.OciTransfer;
import io.captainos.core.oci.RegistryClient;
import io.captainos.core.oci.ReleaseImages;
import io.captainos.core.oci.ReleaseImages.Target;
import io.captainos.core.oci.ReleaseTags;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import javax.inject.Inject;
import org.apache.maven.plugins.annotations.LifecyclePhase;
import org.apache.maven.plugins.annotations.Mojo;
import org.apache.maven.plugins.annotations.Parameter;
import org.apache.maven.settings.crypto.SettingsDecrypter;

/**
 * Pushes the release images to {@code captain.oci.registry}/{@code captain.oci.repository}: the layout this build
 * wrote ({@code target/oci-layout}), one given with {@code captain.oci.layout} (folder or oci tar), or else images
 * made on the spot from the files in {@code out/}. A tag the registry already has is left alone unless
 * {@code captain.oci.force}; blobs the registry has are never sent again. Without a registry it says so and does
 * nothing, so {@code mvn deploy} works with or without one.
 */
@Mojo(name = "publish", defaultPhase = LifecyclePhase.DEPLOY, threadSafe = true)
public class PublishMojo extends AbstractOciMojo {
    /** {@code amd64}, {@code arm64}, {@code combined}, or {@code all} (every image there is). */
    @Parameter(property = "captain.oci.target", defaultValue = "all")
    private String targetName;

    /** Push even when the registry has the tag (blobs it has are still skipped). */
    @Parameter(property = "captain.oci.force", defaultValue = "false")
    private boolean force;

    /** A layout folder or oci tar to push instead of this build's. */
    @Parameter(property = "captain.oci.layout")
    private String layoutPath;

    /** Repositories of the same registry to mount blobs from instead of uploading them (comma-separated). */
    @Parameter(property = "captain.oci.mountFrom")
    private String mountFrom;

    /** The kernel version of the {@code out/} files, when {@code out/} holds more than one. */
    @Parameter(property = "captain.oci.kernelVersion")
    private String kernelVersion;

    @Inject
    public PublishMojo(SettingsDecrypter decrypter) {
        super(decrypter);
    }

    @Override
    protected void run() {
        if (!hasRegistry()) {
            getLog().info("OCI publishing skipped: no registry set (-Dcaptain.oci.registry=<host[:port]>)");
            return;
        }
        List<Target> targets = Target.parse(targetName);
        OciLayout layout = layout();
        Map<String, ?> available = layout.tags();
        RegistryClient client = client();
        long start = System.nanoTime();
        int pushed = 0;
        for (Target t : targets) {
            String wanted = t.in(available.keySet());
            if (wanted == null) {
                if (targets.size() == 1) {
                    throw new CaptainException("No " + t.name().toLowerCase(Locale.ROOT) + " image to"
                            + " publish in " + layout.dir() + " (it has " + available.keySet() + "): build that"
                            + " arch first" + (t == Target.COMBINED ? " (the combined image needs both)" : ""));
                }
                continue;
            }
            if (!force && client.hasManifest(wanted)) {
                getLog().info(client + ":" + wanted + " exists; skipping it (-Dcaptain.oci.force=true pushes"
                        + " again)");
                continue;
            }
            String digest = OciTransfer.push(layout, wanted, client, wanted, list(mountFrom));
            getLog().info("published " + client + ":" + wanted + " (" + digest + ")");
            pushed++;
        }
        getLog().info("OCI: " + pushed + " images published in " + (System.nanoTime() - start) / 1_000_000 + " ms; "
                + client.stats());
    }

    private OciLayout layout() {
        if (layoutPath != null && !layoutPath.isBlank()) {
            Path p = root().resolve(layoutPath.trim());
            if (Files.isRegularFile(p)) {
                Path dir = buildDir().resolve("oci/imported");
                Files2.deleteTree(dir);
                try (InputStream in = Files.newInputStream(p)) {
                    TarExtractor.extract(in, dir, p.toString());
                } catch (IOException e) {
                    throw new CaptainException("Cannot read the OCI archive " + p + ": " + e.getMessage(), e);
                }
                return OciLayout.open(dir);
            }
            return OciLayout.open(p);
        }
        Path built = builtLayout();
        ReleaseTags tags = tags();
        if (Files.isRegularFile(built.resolve("index.json"))) {
            OciLayout layout = OciLayout.open(built);
            if (layout.tags().keySet().stream()
                    .anyMatch(t -> t.equals(tags.base()) || t.startsWith(tags.base() + "-"))) {
                return layout;
            }
            getLog().info(built + " holds " + layout.tags().keySet() + ", not this build's " + tags.base()
                    + "; publishing from " + outDir() + " instead");
        }
        Map<Arch, List<NamedFile>> files = new EnumMap<>(Arch.class);
        for (Arch arch : Arch.values()) {
            List<NamedFile> f = ReleaseImages.fromOut(outDir(), arch, kernelVersion);
            if (f != null) {
                files.put(arch, f);
            }
        }
        if (files.isEmpty()) {
            throw new CaptainException("Nothing to publish: no layout at " + built + " and no vmlinuz-*-<arch> in "
                    + outDir() + "; build first (./mvnw install) or point -Dcaptain.oci.layout at a layout");
        }
        Path dir = buildDir().resolve("oci/layout");
        Files2.deleteTree(dir);
        OciLayout layout = OciLayout.create(dir);
        ReleaseImages.write(new ArtifactImages(layout, metadata(tags), log()), tags, files);
        return layout;
    }
}
