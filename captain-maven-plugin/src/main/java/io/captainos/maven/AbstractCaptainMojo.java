package io.captainos.maven;

import io.captainos.core.BuildConfig;
import io.captainos.core.BuildLog;
import io.captainos.core.CaptainException;
import io.captainos.core.Settings;
import io.captainos.core.exec.DockerProbe;
import io.captainos.core.exec.StageExecution;
import io.captainos.core.fetch.DownloadCache;
import io.captainos.core.fetch.Downloader;
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

    @Override
    public final void execute() throws MojoFailureException {
        try {
            run();
        } catch (CaptainException e) {
            throw new MojoFailureException(e.getMessage(), e);
        } catch (java.io.UncheckedIOException e) {
            throw new MojoFailureException("I/O error: " + e.getMessage() + " (" + e.getCause().getMessage()
                    + "); check free space and permissions, or remove the download cache with captain:clean"
                    + " -Dcaptain.clean.cache", e);
        }
    }

    protected abstract void run();

    protected BuildLog log() {
        return new MavenBuildLog(getLog());
    }

    protected BuildConfig config() {
        return new BuildConfig(new Settings(map(session.getUserProperties()),
                project == null ? Map.of() : map(project.getProperties()), System.getenv()), root());
    }

    protected StageExecution execution() {
        return new StageExecution(new DockerProbe(System.getenv()), log());
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
        String c = config.get(Settings.CACHE).trim();
        if (!c.isEmpty()) {
            return root().resolve(c);
        }
        return Path.of(session.getLocalRepository().getBasedir()).resolve(".cache").resolve("captainos");
    }

    protected DownloadCache cache(BuildConfig config) {
        return new DownloadCache(cacheDir(config), new Downloader(log()), log());
    }

    private static Map<String, String> map(Properties p) {
        Map<String, String> m = new HashMap<>();
        p.stringPropertyNames().forEach(k -> m.put(k, p.getProperty(k)));
        return m;
    }
}
