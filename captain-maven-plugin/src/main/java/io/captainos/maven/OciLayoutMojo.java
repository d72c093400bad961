package io.captainos.maven;

import io.captainos.core.Arch;
import io.captainos.core.BuildConfig;
import io.captainos.core.CaptainException;
import io.captainos.core.ReleaseFiles.Kind;
import io.captainos.core.iso.IsoStage;
import io.captainos.core.oci.ArtifactImages.NamedFile;
import io.captainos.core.oci.OciLayoutStage;
import io.captainos.core.oci.ReleaseTags;
import io.captainos.core.pipeline.StagePipeline;
import java.nio.file.Path;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import javax.inject.Inject;
import org.apache.maven.plugins.annotations.LifecyclePhase;
import org.apache.maven.plugins.annotations.Mojo;
import org.apache.maven.plugins.annotations.Parameter;
import org.apache.maven.project.MavenProjectHelper;
import org.apache.maven.settings.crypto.SettingsDecrypter;
import org.eclipse.aether.RepositorySystem;

/**
 * Writes the release's OCI images into an image layout ({@code target/oci-layout}): one image per target arch and,
 * when both arches are built, the combined one; each file of vmlinuz, initramfs, ISO and sha256sums (resolved by
 * coordinates) is its own layer. Attaches the layout as an {@code oci} tar (an {@code oci-archive} that skopeo
 * and {@code captain:publish -Dcaptain.oci.layout=...} read), so a build made offline can be pushed later.
 */
@Mojo(name = "oci-layout", defaultPhase = LifecyclePhase.PACKAGE, threadSafe = true)
public class OciLayoutMojo extends AbstractOciMojo {
    /** The kernel, as {@code groupId:artifactId:version}. */
    @Parameter(property = "captain.oci.kernel", defaultValue = "${project.groupId}:captainos-kernel:${project.version}")
    private String kernel;

    /** The initramfs, as {@code groupId:artifactId:version}. */
    @Parameter(
            property = "captain.oci.initramfs",
            defaultValue = "${project.groupId}:captainos-initramfs:${project.version}")
    private String initramfs;

    /** The ISO and its sha256sums, as {@code groupId:artifactId:version}. */
    @Parameter(property = "captain.oci.iso", defaultValue = "${project.groupId}:captainos-iso:${project.version}")
    private String iso;

    private final MavenProjectHelper helper;
    private final RepositorySystem repositories;

    @Inject
    public OciLayoutMojo(MavenProjectHelper helper, RepositorySystem repositories, SettingsDecrypter decrypter) {
        super(decrypter);
        this.helper = helper;
        this.repositories = repositories;
    }

    @Override
    protected void run() {
        BuildConfig config = config();
        ReleaseTags tags;
        try {
            tags = tags();
        } catch (CaptainException e) {
            getLog().warn("OCI layout skipped: " + e.getMessage());
            return;
        }
        StageArtifacts artifacts = new StageArtifacts(repositories, session, project);
        Map<Arch, List<NamedFile>> files = new EnumMap<>(Arch.class);
        for (Arch arch : config.arches()) {
            String kver = IsoStage.kernelVersion(
                    artifacts.resolve(kernel, "config", arch.classifier(), "captain.oci.kernel"));
            files.put(
                    arch,
                    List.of(
                            new NamedFile(
                                    artifacts.resolve(kernel, "vmlinuz", arch.classifier(), "captain.oci.kernel"),
                                    Kind.VMLINUZ.fileName(kver, arch)),
                            new NamedFile(
                                    artifacts.resolve(
                                            initramfs, "cpio.zst", arch.classifier(), "captain.oci.initramfs"),
                                    Kind.INITRAMFS.fileName(kver, arch)),
                            new NamedFile(
                                    artifacts.resolve(iso, "iso", arch.classifier(), "captain.oci.iso"),
                                    Kind.ISO.fileName(kver, arch)),
                            new NamedFile(
                                    artifacts.resolve(iso, "txt", arch.classifier("sha256sums"), "captain.oci.iso"),
                                    Kind.SHA256SUMS.fileName(kver, arch))));
        }
        OciLayoutStage stage = new OciLayoutStage(
                Path.of(buildDirectory),
                project.getArtifactId() + "-" + project.getVersion() + "-oci.tar",
                builtLayout(),
                tags,
                metadata(tags),
                files,
                timestamp(),
                PluginInfo.builderId(),
                log());
        new StagePipeline(outDir(), config.lockTimeout(), log()).run(stage, false);
        helper.attachArtifact(
                project,
                "tar",
                "oci",
                stage.outputs().path(OciLayoutStage.ARCHIVE).toFile());
    }
}
