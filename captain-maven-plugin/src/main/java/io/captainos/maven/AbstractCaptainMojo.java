package io.captainos.maven;

import io.captainos.core.BuildConfig;
import io.captainos.core.BuildLog;
import io.captainos.core.CaptainException;
import io.captainos.core.Settings;
import io.captainos.core.Stage;
import io.captainos.core.docker.DockerSetup;
import io.captainos.core.exec.StageExecution;
import io.captainos.core.fetch.DownloadCache;
import io.captainos.core.fetch.Downloader;
import io.captainos.core.pipeline.BuilderContainer;
import io.captainos.core.pipeline.StageFactory;
import io.captainos.core.state.StageLock;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import org.apache.maven.execution.MavenSession;
import org.apache.maven.plugin.AbstractMojo;
import org.apache.maven.plugin.MojoFailureException;
import org.apache.maven.plugins.annotations.Parameter;
import org.apache.maven.project.MavenProject;

/**
 * What every goal shares: it reads the settings (command line, then project properties, then environment, then
 * defaults), turns core failures into build failures with their message, and knows the build's folders.
 */
abstract class AbstractCaptainMojo extends AbstractMojo {
    @Parameter(defaultValue = "${project}", readonly = true, required = true)
    protected MavenProject project;

    @Parameter(defaultValue = "${session}", readonly = true, required = true)
    protected MavenSession session;

    /** The time every artifact entry carries: the build's reproducibility anchor. */
    @Parameter(defaultValue = "${project.build.outputTimestamp}", readonly = true)
    protected String outputTimestamp;

    /**
     * Where stages keep their work between builds, outside {@code target/} so that {@code mvn clean} does not
     * throw away a kernel build. Relative paths are taken from the folder the build started in.
     */
    @Parameter(property = "captain.buildDir", defaultValue = "build")
    protected String buildDir;

    /** Where finished files land under the names the provisioning side expects ({@code vmlinuz-<kver>-<arch>}). */
    @Parameter(property = "captain.outDir", defaultValue = "out")
    protected String outDir;

    // The build's settings. Each is a Maven property (command line, then the POM's properties or this plugin's
    // configuration), then its environment variable, then its default; io.captainos.core.Settings resolves and
    // validates them, and captain:summary shows each value with where it came from.

    /**
     * Target architectures: {@code amd64}, {@code arm64}, or {@code amd64,arm64}. Environment {@code ARCH}; default
     * {@code amd64}.
     */
    @Parameter(property = "captain.arch")
    private String arch;

    /**
     * Kernel stage mode: {@code auto}, {@code native}, {@code docker} or {@code skip}. Environment {@code KERNEL_MODE};
     * default {@code auto}.
     */
    @Parameter(property = "captain.kernel.mode")
    private String kernelMode;

    /**
     * Rebuild the kernel even when its inputs are unchanged. Environment {@code KERNEL_FORCE}; default {@code false}.
     */
    @Parameter(property = "captain.kernel.force")
    private String kernelForce;

    /**
     * Tools stage mode: {@code auto}, {@code native}, {@code docker} or {@code skip}. Environment {@code TOOLS_MODE};
     * default {@code auto}.
     */
    @Parameter(property = "captain.tools.mode")
    private String toolsMode;

    /**
     * Rebuild the tools bundle even when its inputs are unchanged. Environment {@code TOOLS_FORCE}; default {@code
     * false}.
     */
    @Parameter(property = "captain.tools.force")
    private String toolsForce;

    /**
     * Initramfs stage mode: {@code auto}, {@code native}, {@code docker} or {@code skip}. Environment {@code
     * MKOSI_MODE}; default {@code auto}.
     */
    @Parameter(property = "captain.initramfs.mode")
    private String initramfsMode;

    /**
     * Rebuild the initramfs even when its inputs are unchanged. Environment {@code MKOSI_FORCE}; default {@code false}.
     */
    @Parameter(property = "captain.initramfs.force")
    private String initramfsForce;

    /**
     * ISO stage mode: {@code auto}, {@code native}, {@code docker} or {@code skip}. Environment {@code ISO_MODE};
     * default {@code auto}.
     */
    @Parameter(property = "captain.iso.mode")
    private String isoMode;

    /** Rebuild the ISO even when its inputs are unchanged. Environment {@code ISO_FORCE}; default {@code false}. */
    @Parameter(property = "captain.iso.force")
    private String isoForce;

    /**
     * Where the kernel comes from: {@code debian} (trixie's linux-source, compiled), {@code kernel.org} (a release
     * tarball, compiled) or {@code debian-image} (Debian's prebuilt kernel). Environment {@code KERNEL_SOURCE};
     * default {@code debian}.
     */
    @Parameter(property = "captain.kernel.source")
    private String kernelSource;

    /**
     * Kernel branch ({@code 6.12}: the newest Debian linux-source-6.12) or exact version ({@code 6.18.16}). Environment
     * {@code KERNEL_VERSION}; default {@code 6.12}.
     */
    @Parameter(property = "captain.kernel.version")
    private String kernelVersion;

    /**
     * A local kernel tree to build instead (built out of tree, never modified). Environment {@code KERNEL_SRC}; default
     * none.
     */
    @Parameter(property = "captain.kernel.src")
    private String kernelSrc;

    /**
     * A config fragment file that replaces ours for the branch and arch. Environment {@code KERNEL_CONFIG}; default
     * none.
     */
    @Parameter(property = "captain.kernel.config")
    private String kernelConfig;

    /**
     * The make target the config fragment is merged onto: {@code defconfig}, {@code tinyconfig} or {@code allnoconfig}.
     * Environment {@code KERNEL_BASE}; default {@code defconfig}.
     */
    @Parameter(property = "captain.kernel.base")
    private String kernelBase;

    /**
     * kernel.org base URL, or an internal mirror of it. Environment {@code KERNEL_MIRROR}; default {@code
     * https://cdn.kernel.org/pub/linux/kernel/}.
     */
    @Parameter(property = "captain.kernel.mirror")
    private String kernelMirror;

    /**
     * Compile through ccache: {@code auto} (when installed), {@code true} or {@code false}. Environment {@code
     * KERNEL_CCACHE}; default {@code auto}.
     */
    @Parameter(property = "captain.kernel.ccache")
    private String kernelCcache;

    /**
     * Where containerd, runc and the CNI plugins come from: {@code debian} or {@code upstream}. Environment {@code
     * TOOLS_SOURCE}; default {@code debian}.
     */
    @Parameter(property = "captain.tools.source")
    private String toolsSource;

    /**
     * The Debian suite the debian tools source takes containerd, runc and the CNI plugins from, e.g. {@code sid} for
     * containerd 2; the rest of the OS keeps {@code captain.debian.suites}. Environment {@code TOOLS_SUITE}; default:
     * the suites of {@code captain.debian.suites}.
     */
    @Parameter(property = "captain.tools.suite")
    private String toolsSuite;

    /**
     * Base URL that replaces {@code https://github.com/} in upstream release URLs. Environment {@code TOOLS_MIRROR};
     * default {@code https://github.com/}.
     */
    @Parameter(property = "captain.tools.mirror")
    private String toolsMirror;

    /**
     * containerd release for the upstream tools source. Environment {@code CONTAINERD_VERSION}; default {@code 2.2.1}.
     */
    @Parameter(property = "captain.containerd.version")
    private String containerdVersion;

    /** runc release for the upstream tools source. Environment {@code RUNC_VERSION}; default {@code 1.4.0}. */
    @Parameter(property = "captain.runc.version")
    private String runcVersion;

    /** nerdctl release for the upstream tools source. Environment {@code NERDCTL_VERSION}; default {@code 2.2.1}. */
    @Parameter(property = "captain.nerdctl.version")
    private String nerdctlVersion;

    /** CNI plugins release for the upstream tools source. Environment {@code CNI_VERSION}; default {@code 1.6.0}. */
    @Parameter(property = "captain.cni.version")
    private String cniVersion;

    /**
     * Debian archive URL. Environment {@code DEBIAN_MIRROR}; default: the host's configured mirror, else {@code
     * http://deb.debian.org/debian}.
     */
    @Parameter(property = "captain.debian.mirror")
    private String debianMirror;

    /**
     * Debian suites searched, comma-separated; the newest version wins. Environment {@code DEBIAN_SUITES}; default
     * {@code trixie,trixie-updates}.
     */
    @Parameter(property = "captain.debian.suites")
    private String debianSuites;

    /**
     * Debian suites, comma-separated, whose signed Release the build's own downloads (Debian's kernel image, the
     * tools, mkosi, GRUB) take past its Valid-Until, as apt's {@code check-valid-until=no} does for a snapshot
     * mirror; the signature and every digest are checked as always. Environment {@code DEBIAN_ALLOW_EXPIRED}; default
     * none.
     */
    @Parameter(property = "captain.debian.allowExpired")
    private String debianAllowExpired;

    /**
     * OpenPGP keyring(s) that sign the archive, comma-separated. Environment {@code DEBIAN_KEYRING}; default: the
     * host's debian-archive-keyring, else the bundled one.
     */
    @Parameter(property = "captain.debian.keyring")
    private String debianKeyring;

    /**
     * The download cache. Environment {@code CAPTAIN_CACHE}; default {@code .cache/captainos} in the local Maven
     * repository.
     */
    @Parameter(property = "captain.cache")
    private String downloadCache;

    /**
     * Install missing host packages with apt-get when running as root on Debian. Environment {@code
     * CAPTAIN_HOST_INSTALL}; default {@code true}.
     */
    @Parameter(property = "captain.host.install")
    private String hostInstall;

    /**
     * Seconds a stage waits for another build that holds the same work folder before it fails. Environment {@code
     * CAPTAIN_LOCK_TIMEOUT}; default {@code 3600}.
     */
    @Parameter(property = "captain.lock.timeout")
    private String lockTimeout;

    /**
     * The container engine for docker mode: {@code unix:///path/to/socket} or {@code tcp://host:port}. Environment
     * {@code DOCKER_HOST}; default {@code unix:///var/run/docker.sock}.
     */
    @Parameter(property = "captain.docker.host")
    private String dockerHost;

    /**
     * An image already in the engine to build the builder image on, instead of the Debian trixie base the build
     * makes with mkosi. Environment {@code BUILDER_BASE}; default none.
     */
    @Parameter(property = "captain.builder.base")
    private String builderBase;

    /**
     * Build the builder image (and its base) again even when the engine has its tag. Environment {@code
     * BUILDER_NO_CACHE}; default {@code false}.
     */
    @Parameter(property = "captain.builder.noCache")
    private String builderNoCache;

    private DockerSetup docker;
    private BuildConfig resolved;

    @Override
    public final void execute() throws MojoFailureException {
        try {
            Stage stage = stage();
            if (stage == null) {
                run();
            } else {
                try (StageLock held =
                        StageLock.acquire(buildDir().resolve(stage.id()), stage.id(), config().lockTimeout(), log())) {
                    run();
                }
            }
        } catch (CaptainException e) {
            throw new MojoFailureException(e.getMessage(), e);
        } catch (UncheckedIOException e) {
            throw new MojoFailureException(
                    "I/O error: " + e.getMessage() + " (" + e.getCause().getMessage()
                            + "); check free space and permissions, or remove the download cache with captain:clean"
                            + " -Dcaptain.clean.cache",
                    e);
        } finally {
            if (docker != null) {
                docker.close();
                docker = null;
            }
            resolved = null;
        }
    }

    protected abstract void run();

    /** The stage whose work folder the goal holds while it runs; none by default. */
    protected Stage stage() {
        return null;
    }

    protected BuildLog log() {
        return new MavenBuildLog(getLog());
    }

    /** The build's settings, resolved and validated once per goal. */
    protected BuildConfig config() {
        if (resolved != null) {
            return resolved;
        }
        Map<String, String> commandLine = new HashMap<>();
        Map<String, String> pom = new HashMap<>();
        Properties user = session.getUserProperties();
        parameters().forEach((property, value) -> {
            if (value != null) {
                (user.containsKey(property) ? commandLine : pom).put(property, value);
            }
        });
        resolved = new BuildConfig(new Settings(commandLine, pom, System.getenv()), root());
        return resolved;
    }

    /** The settings' parameters by property; null where Maven set none. */
    private Map<String, String> parameters() {
        Map<String, String> p = new HashMap<>();
        p.put(Settings.ARCH.property(), arch);
        String[][] stages = {
            {kernelMode, kernelForce}, {toolsMode, toolsForce}, {initramfsMode, initramfsForce}, {isoMode, isoForce}
        };
        for (Stage s : Stage.values()) {
            p.put(s.modeProperty(), stages[s.ordinal()][0]);
            p.put(s.forceProperty(), stages[s.ordinal()][1]);
        }
        p.put(Settings.KERNEL_SOURCE.property(), kernelSource);
        p.put(Settings.KERNEL_VERSION.property(), kernelVersion);
        p.put(Settings.KERNEL_SRC.property(), kernelSrc);
        p.put(Settings.KERNEL_CONFIG.property(), kernelConfig);
        p.put(Settings.KERNEL_BASE.property(), kernelBase);
        p.put(Settings.KERNEL_MIRROR.property(), kernelMirror);
        p.put(Settings.KERNEL_CCACHE.property(), kernelCcache);
        p.put(Settings.TOOLS_SOURCE.property(), toolsSource);
        p.put(Settings.TOOLS_SUITE.property(), toolsSuite);
        p.put(Settings.TOOLS_MIRROR.property(), toolsMirror);
        p.put(Settings.CONTAINERD_VERSION.property(), containerdVersion);
        p.put(Settings.RUNC_VERSION.property(), runcVersion);
        p.put(Settings.NERDCTL_VERSION.property(), nerdctlVersion);
        p.put(Settings.CNI_VERSION.property(), cniVersion);
        p.put(Settings.DEBIAN_MIRROR.property(), debianMirror);
        p.put(Settings.DEBIAN_SUITES.property(), debianSuites);
        p.put(Settings.DEBIAN_ALLOW_EXPIRED.property(), debianAllowExpired);
        p.put(Settings.DEBIAN_KEYRING.property(), debianKeyring);
        p.put(Settings.CACHE.property(), downloadCache);
        p.put(Settings.HOST_INSTALL.property(), hostInstall);
        p.put(Settings.LOCK_TIMEOUT.property(), lockTimeout);
        p.put(Settings.DOCKER_HOST.property(), dockerHost);
        p.put(Settings.BUILDER_BASE.property(), builderBase);
        p.put(Settings.BUILDER_NO_CACHE.property(), builderNoCache);
        return p;
    }

    protected StageExecution execution() {
        return new StageExecution(docker(config()), log());
    }

    /**
     * Docker mode's engine and builder image for this goal: the commands see the build's root, its build and out
     * folders and the download cache at their own paths, and ccache keeps its cache in the download cache.
     */
    protected DockerSetup docker(BuildConfig config) {
        if (docker == null) {
            docker = BuilderContainer.setup(config, layout(config), () -> cache(config), log());
        }
        return docker;
    }

    /** The stages of this goal, assembled for the mode they run in. */
    protected StageFactory factory(BuildConfig config, StageExecution.Resolved mode) {
        return new StageFactory(config, mode, layout(config), () -> cache(config), log());
    }

    /** The build's folders and anchors, as the core sees them. */
    protected StageFactory.Layout layout(BuildConfig config) {
        return new StageFactory.Layout(
                root(),
                buildDir(),
                outDir(),
                cacheDir(config),
                timestamp(),
                PluginInfo.builderId(),
                session.isOffline());
    }

    protected long timestamp() {
        return BuildConfig.timestamp(outputTimestamp, System.getenv("SOURCE_DATE_EPOCH"));
    }

    protected Path root() {
        return Path.of(session.getExecutionRootDirectory());
    }

    protected Path buildDir() {
        return root().resolve(buildDir);
    }

    protected Path outDir() {
        return root().resolve(outDir);
    }

    /** The download cache: the setting, or {@code .cache/captainos} in the local Maven repository. */
    protected Path cacheDir(BuildConfig config) {
        String c = config.text(Settings.CACHE);
        if (!c.isEmpty()) {
            return root().resolve(c);
        }
        return Path.of(session.getLocalRepository().getBasedir())
                .resolve(".cache")
                .resolve("captainos");
    }

    protected DownloadCache cache(BuildConfig config) {
        return new DownloadCache(cacheDir(config), new Downloader(log(), session.isOffline()), log());
    }
}
