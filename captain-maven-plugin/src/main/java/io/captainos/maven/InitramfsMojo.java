package io.captainos.maven;

import io.captainos.core.Arch;
import io.captainos.core.Stage;
import io.captainos.core.initramfs.InitramfsStage;
import io.captainos.core.initramfs.Preload;
import io.captainos.core.pipeline.StageFactory;
import io.captainos.core.state.StageOutputs;
import io.captainos.core.state.StageWork;
import java.io.File;
import java.nio.file.Path;
import javax.inject.Inject;
import org.apache.maven.plugins.annotations.LifecyclePhase;
import org.apache.maven.plugins.annotations.Mojo;
import org.apache.maven.plugins.annotations.Parameter;
import org.apache.maven.project.MavenProjectHelper;
import org.eclipse.aether.RepositorySystem;

/**
 * Builds the initramfs for each target arch: mkosi builds the Debian trixie root filesystem from
 * {@code mkosi/mkosi.conf} with the kernel's modules tree and the tools bundle (both resolved by Maven coordinates,
 * from the reactor or a repository) and {@code mkosi.extra} laid in; the plugin packs it as a zstd newc CPIO,
 * attaches it as {@code cpio.zst} with the arch as classifier and copies it to {@code out/initramfs-<kver>-<arch>}
 * with a manifest beside it. The host's mkosi is used when it is 25 or newer, else Debian trixie's package.
 */
@Mojo(name = "initramfs", defaultPhase = LifecyclePhase.PACKAGE, threadSafe = true)
public class InitramfsMojo extends AbstractStageMojo {
    /** The kernel whose modules go into the image, as {@code groupId:artifactId:version}. */
    @Parameter(
            property = "captain.initramfs.kernel",
            defaultValue = "${project.groupId}:captainos-kernel:${project.version}")
    private String kernel;

    /** The tools bundle that goes into the image, as {@code groupId:artifactId:version}. */
    @Parameter(
            property = "captain.initramfs.tools",
            defaultValue = "${project.groupId}:captainos-tools:${project.version}")
    private String tools;

    /** The folder with mkosi.conf and the post-install and finalize scripts. */
    @Parameter(property = "captain.initramfs.mkosiDir", defaultValue = "${project.basedir}/mkosi")
    private File mkosiDir;

    /** The tree laid over the image last: /init, units, scripts, configuration. */
    @Parameter(property = "captain.initramfs.extraDir", defaultValue = "${project.basedir}/../mkosi.extra")
    private File extraDir;

    /** zstd level of the CPIO (1-22). */
    @Parameter(property = "captain.initramfs.zstdLevel", defaultValue = "19")
    private int zstdLevel;

    /**
     * Window log of zstd's long-distance matching (0: off). 27 (a 128 MiB window) made the image 10% smaller for
     * 16% more packing time; the kernel needs that much memory for the window while it unpacks the initramfs.
     */
    @Parameter(property = "captain.initramfs.zstdLong", defaultValue = "27")
    private int zstdLong;

    /** The Python 3 that runs Debian's mkosi package when the host has no mkosi 25 or newer. */
    @Parameter(property = "captain.initramfs.python", defaultValue = "/usr/bin/python3")
    private String python;

    /**
     * Images put into the initramfs for machines that reach no registry, comma-separated: {@code <image
     * reference>[=<name>]} or {@code <OCI layout folder>=<name>}, where the name is what the machine's command line
     * pulls ({@code tink_worker_image=}, actions), by default the reference. The target arch's image of each is
     * imported into containerd's {@code tinkerbell} namespace at boot, before the setup would pull. Registry
     * credentials come from the auth files docker and podman write.
     */
    @Parameter(property = "captain.initramfs.preload")
    private String preload;

    /** The version the image names itself with in /etc/os-release. */
    @Parameter(property = "captain.os.version", defaultValue = "${project.version}")
    private String osVersion;

    private final RepositorySystem repositories;
    private InitramfsStage stage;

    @Inject
    public InitramfsMojo(MavenProjectHelper helper, RepositorySystem repositories) {
        super(helper);
        this.repositories = repositories;
    }

    @Override
    protected Stage stage() {
        return Stage.INITRAMFS;
    }

    @Override
    protected StageOutputs outputs(Path stageDir, Arch arch) {
        return InitramfsStage.outputs(stageDir, arch);
    }

    @Override
    protected StageWork work(StageFactory factory, Arch arch) {
        StageArtifacts artifacts = new StageArtifacts(repositories, session, project);
        Path modules = artifacts.resolve(kernel, "tar.zst", arch.classifier("modules"), "captain.initramfs.kernel");
        Path bundle = artifacts.resolve(tools, "tar.zst", arch.classifier(), "captain.initramfs.tools");
        factory.foreignArch(arch);
        if (stage == null) {
            stage = factory.initramfs(
                    mkosiDir.toPath(),
                    extraDir.toPath(),
                    factory.initramfsOptions(osVersion, zstdLevel, zstdLong, Preload.Entry.parseList(preload, root())),
                    python);
        }
        return stage.forArch(arch, modules, bundle);
    }
}
