package io.captainos.maven;

import io.captainos.core.Arch;
import io.captainos.core.BuildConfig;
import io.captainos.core.Stage;
import io.captainos.core.exec.StageExecution;
import io.captainos.core.host.HostPrerequisites;
import io.captainos.core.host.Requirement;
import io.captainos.core.iso.GrubPlatforms;
import io.captainos.core.iso.IsoStage;
import io.captainos.core.sources.Sources;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
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
public class IsoMojo extends AbstractCaptainMojo {
    /** The kernel on the ISO, as {@code groupId:artifactId:version}. */
    @Parameter(property = "captain.iso.kernel", defaultValue = "${project.groupId}:captainos-kernel:${project.version}")
    private String kernel;

    /** The initramfs on the ISO, as {@code groupId:artifactId:version}. */
    @Parameter(property = "captain.iso.initramfs",
            defaultValue = "${project.groupId}:captainos-initramfs:${project.version}")
    private String initramfs;

    private final MavenProjectHelper helper;
    private final RepositorySystem repositories;

    @Inject
    public IsoMojo(MavenProjectHelper helper, RepositorySystem repositories) {
        this.helper = helper;
        this.repositories = repositories;
    }

    @Override
    protected Stage stage() {
        return Stage.ISO;
    }

    @Override
    protected void run() {
        BuildConfig config = config();
        StageExecution.Resolved mode = execution().resolve(Stage.ISO, config.mode(Stage.ISO));
        Path stageDir = buildDir().resolve("iso");
        for (Arch arch : config.arches()) {
            Path iso;
            if (mode.skipped()) {
                iso = IsoStage.iso(stageDir, arch);
                if (!earlier(Stage.ISO, arch, "ISO", IsoStage.stamp(stageDir, arch), List.of(iso), iso.toString())) {
                    continue;
                }
            } else {
                HostPrerequisites host = host(config, mode);
                List<Requirement> needs = new java.util.ArrayList<>(List.of(
                        Requirement.program("grub-mkrescue", "grub-common"),
                        Requirement.program("faketime", "faketime"),
                        Requirement.program("xorriso", "xorriso"), Requirement.program("mformat", "mtools")));
                if (arch == Arch.AMD64) {
                    needs.add(Requirement.file("/usr/lib/grub/x86_64-efi/modinfo.sh", "grub-efi-amd64-bin"));
                }
                host.ensure("iso", needs);
                StageArtifacts artifacts = new StageArtifacts(repositories, session, project);
                Path vmlinuz = artifacts.resolve(kernel, "vmlinuz", arch.classifier(), "captain.iso.kernel");
                Path kconfig = artifacts.resolve(kernel, "config", arch.classifier(), "captain.iso.kernel");
                Path image = artifacts.resolve(initramfs, "cpio.zst", arch.classifier(), "captain.iso.initramfs");
                GrubPlatforms grub = new GrubPlatforms(Path.of("/usr/lib/grub"), stageDir.resolve("grub"),
                        () -> Sources.debian(config, cache(config), log()), mode.inBuilder(), log());
                iso = new IsoStage(stageDir, outDir(), timestamp(), PluginInfo.builderId(), mode.runner(), log())
                        .build(arch, IsoStage.kernelVersion(kconfig), vmlinuz, image, grub.forArch(arch),
                                config.force(Stage.ISO)).iso();
            }
            helper.attachArtifact(project, "iso", arch.classifier(), iso.toFile());
            if (Files.isRegularFile(IsoStage.checksums(stageDir, arch))) {
                helper.attachArtifact(project, "txt", arch.classifier("sha256sums"),
                        IsoStage.checksums(stageDir, arch).toFile());
            }
        }
    }
}
