package io.captainos.maven;

import io.captainos.core.Arch;
import io.captainos.core.Stage;
import io.captainos.core.iso.IsoStage;
import io.captainos.core.pipeline.StageFactory;
import io.captainos.core.state.StageOutputs;
import io.captainos.core.state.StageWork;
import java.nio.file.Path;
import javax.inject.Inject;
import org.apache.maven.plugins.annotations.LifecyclePhase;
import org.apache.maven.plugins.annotations.Mojo;
import org.apache.maven.plugins.annotations.Parameter;
import org.apache.maven.project.MavenProjectHelper;
import org.eclipse.aether.RepositorySystem;

/**
 * Builds the bootable ISO for each target arch with grub-mkrescue from the kernel and initramfs (resolved by
 * coordinates, from the reactor or a repository): UEFI on amd64 and arm64, plus legacy BIOS on amd64 when GRUB's
 * i386-pc modules are installed. Attaches it as {@code iso} with the arch as classifier and publishes
 * {@code out/captainos-<kver>-<arch>.iso} and {@code out/sha256sums-<kver>-<arch>.txt}.
 */
@Mojo(name = "iso", defaultPhase = LifecyclePhase.PACKAGE, threadSafe = true)
public class IsoMojo extends AbstractStageMojo {
    /** The kernel on the ISO, as {@code groupId:artifactId:version}. */
    @Parameter(property = "captain.iso.kernel", defaultValue = "${project.groupId}:captainos-kernel:${project.version}")
    private String kernel;

    /** The initramfs on the ISO, as {@code groupId:artifactId:version}. */
    @Parameter(
            property = "captain.iso.initramfs",
            defaultValue = "${project.groupId}:captainos-initramfs:${project.version}")
    private String initramfs;

    private final RepositorySystem repositories;

    @Inject
    public IsoMojo(MavenProjectHelper helper, RepositorySystem repositories) {
        super(helper);
        this.repositories = repositories;
    }

    @Override
    protected Stage stage() {
        return Stage.ISO;
    }

    @Override
    protected StageOutputs outputs(Path stageDir, Arch arch) {
        return IsoStage.outputs(stageDir, arch);
    }

    @Override
    protected StageWork work(StageFactory factory, Arch arch) {
        StageArtifacts artifacts = new StageArtifacts(repositories, session, project);
        return factory.iso(
                arch,
                artifacts.resolve(kernel, "vmlinuz", arch.classifier(), "captain.iso.kernel"),
                artifacts.resolve(kernel, "config", arch.classifier(), "captain.iso.kernel"),
                artifacts.resolve(initramfs, "cpio.zst", arch.classifier(), "captain.iso.initramfs"));
    }
}
