package io.captainos.maven;

import io.captainos.core.Arch;
import io.captainos.core.BuildConfig;
import io.captainos.core.CaptainException;
import io.captainos.core.Stage;
import io.captainos.core.exec.CommandRunner;
import io.captainos.core.exec.NativeRunner;
import io.captainos.core.exec.StageExecution;
import io.captainos.core.fetch.DownloadCache;
import io.captainos.core.host.HostPrerequisites;
import io.captainos.core.host.Requirement;
import io.captainos.core.initramfs.ForeignArch;
import io.captainos.core.initramfs.InitramfsStage;
import io.captainos.core.initramfs.Mkosi;
import io.captainos.core.sources.Sources;
import java.io.File;
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
 * Builds the initramfs for each target arch: mkosi builds the Debian trixie root filesystem from
 * {@code mkosi/mkosi.conf} with the kernel's modules tree and the tools bundle (both resolved by Maven coordinates,
 * from the reactor or a repository) and {@code mkosi.extra} laid in; the plugin packs it as a zstd newc CPIO,
 * attaches it as {@code cpio.zst} with the arch as classifier and copies it to {@code out/initramfs-<kver>-<arch>}
 * with a manifest beside it. The host's mkosi is used when it is 25 or newer, else Debian trixie's package.
 */
@Mojo(name = "initramfs", defaultPhase = LifecyclePhase.PACKAGE, threadSafe = true)
public class InitramfsMojo extends AbstractCaptainMojo {
    /** The kernel whose modules go into the image, as {@code groupId:artifactId:version}. */
    @Parameter(property = "captain.initramfs.kernel",
            defaultValue = "${project.groupId}:captainos-kernel:${project.version}")
    private String kernel;

    /** The tools bundle that goes into the image, as {@code groupId:artifactId:version}. */
    @Parameter(property = "captain.initramfs.tools",
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

    /** The version the image names itself with in /etc/os-release. */
    @Parameter(property = "captain.os.version", defaultValue = "${project.version}")
    private String osVersion;

    private final MavenProjectHelper helper;
    private final RepositorySystem repositories;

    @Inject
    public InitramfsMojo(MavenProjectHelper helper, RepositorySystem repositories) {
        this.helper = helper;
        this.repositories = repositories;
    }

    @Override
    protected Stage stage() {
        return Stage.INITRAMFS;
    }

    @Override
    protected void run() {
        BuildConfig config = config();
        StageExecution.Resolved mode = execution().resolve(Stage.INITRAMFS, config.mode(Stage.INITRAMFS));
        InitramfsStage stage = null;
        for (Arch arch : config.arches()) {
            Path image;
            if (mode.skipped()) {
                image = existing(arch);
                if (image == null) {
                    continue;
                }
            } else {
                StageArtifacts artifacts = new StageArtifacts(repositories, session, project);
                Path modules = artifacts.resolve(kernel, "tar.zst", arch.classifier("modules"),
                        "captain.initramfs.kernel");
                Path bundle = artifacts.resolve(tools, "tar.zst", arch.classifier(), "captain.initramfs.tools");
                HostPrerequisites host = host(config, mode);
                // Foreign binaries run through this host's binfmt_misc, in the builder container too.
                CommandRunner here = mode.inBuilder() ? new NativeRunner(log()) : mode.runner();
                ForeignArch.ensure(arch, Arch.host(), HostPrerequisites.ofThisHost(config.hostInstall(), here, log()),
                        here, log());
                if (stage == null) {
                    stage = stage(config, host, mode);
                }
                image = stage.build(arch, modules, bundle, config.force(Stage.INITRAMFS)).image();
            }
            helper.attachArtifact(project, "cpio.zst", arch.classifier(), image.toFile());
        }
    }

    private InitramfsStage stage(BuildConfig config, HostPrerequisites host, StageExecution.Resolved mode) {
        host.ensure("initramfs", List.of(Requirement.program("apt-get", "apt"), Requirement.program("dpkg", "dpkg"),
                Requirement.program("systemctl", "systemd"), Requirement.program("depmod", "kmod"),
                Requirement.program("python3", "python3")));
        if (!Files.isRegularFile(mkosiDir.toPath().resolve("mkosi.conf"))) {
            throw new CaptainException("No mkosi.conf in " + mkosiDir + ": set captain.initramfs.mkosiDir (the"
                    + " <mkosiDir> parameter) to the folder that holds it");
        }
        if (!Files.isDirectory(extraDir.toPath())) {
            throw new CaptainException("The mkosi.extra tree " + extraDir + " does not exist: set"
                    + " captain.initramfs.extraDir (the <extraDir> parameter) to it");
        }
        DownloadCache cache = cache(config);
        Path stageDir = buildDir().resolve("initramfs");
        Mkosi mkosi = mode.inBuilder()
                ? Mkosi.unpacked(mode.runner(), Sources.debian(config, cache, log()), stageDir.resolve("tools"),
                        PYTHON, log())
                : Mkosi.find(mode.runner(), Sources.debian(config, cache, log()), stageDir.resolve("tools"), python,
                        log());
        getLog().info("initramfs: mkosi " + mkosi.version() + " from " + mkosi.origin());
        InitramfsStage.Options options = new InitramfsStage.Options(osVersion, timestamp(), zstdLevel, zstdLong,
                Sources.debianMirror(config), config.suites(), Sources.keyringBytes(config), PluginInfo.builderId(),
                session.isOffline());
        return new InitramfsStage(mkosi, mkosiDir.toPath().toAbsolutePath(), extraDir.toPath().toAbsolutePath()
                .normalize(), stageDir, outDir(), cacheDir(config).resolve("mkosi-packages"), options,
                mode.runner().forImageBuilds(), log());
    }

    private Path existing(Arch arch) {
        InitramfsStage.Outputs out = new InitramfsStage.Outputs(buildDir().resolve("initramfs"), arch);
        return earlier(Stage.INITRAMFS, arch, "image", out.stamp(), List.of(out.image()), out.image().toString())
                ? out.image() : null;
    }
}
