package io.captainos.maven;

import io.captainos.core.Arch;
import io.captainos.core.BuildConfig;
import io.captainos.core.Setting;
import io.captainos.core.Settings;
import io.captainos.core.Stage;
import io.captainos.core.ToolsSourceKind;
import io.captainos.core.exec.StageExecution;
import io.captainos.core.sources.Sources;
import java.util.stream.Collectors;
import org.apache.maven.plugins.annotations.Mojo;

/**
 * Prints the resolved configuration of every stage: each setting with its value and where the value came from
 * (command line, project property, environment or default), the mode each stage will run in and why, and the
 * folders and sources the build uses. Run it as {@code ./mvnw captain:summary}, with the same options as a build.
 */
@Mojo(name = "summary", aggregator = true, requiresProject = false, threadSafe = true)
public class SummaryMojo extends AbstractCaptainMojo {
    @Override
    protected void run() {
        BuildConfig config = config();
        getLog().info("CaptainOS build configuration (captain-maven-plugin " + PluginInfo.version() + ")");
        getLog().info("  arches: "
                + config.arches().stream()
                        .map(a -> a.debian() + " (" + a.linux() + ")")
                        .collect(Collectors.joining(", ")));
        StageExecution execution = execution();
        for (Stage s : Stage.values()) {
            StageExecution.Resolved r = execution.describe(s, config.mode(s));
            getLog().info(String.format(
                    "  stage %-9s mode %-6s -> %-6s (%s)%s",
                    s.id(), config.mode(s).id(), r.mode().id(), r.reason(), config.force(s) ? ", forced rebuild" : ""));
        }
        getLog().info("  tools source: " + config.toolsSource().id()
                + (config.toolsSource().debian()
                        ? " (containerd"
                                + (config.toolsSource() == ToolsSourceKind.DEBIAN_SOURCE ? " compiled from source" : "")
                                + ", runc, CNI plugins from " + String.join(",", config.toolsSuites())
                                + "; no nerdctl)"
                        : " (containerd " + config.get(Settings.CONTAINERD_VERSION) + ", runc "
                                + config.get(Settings.RUNC_VERSION) + ", nerdctl "
                                + config.get(Settings.NERDCTL_VERSION)
                                + ", CNI " + config.get(Settings.CNI_VERSION) + " from "
                                + config.get(Settings.TOOLS_MIRROR)
                                + ")"));
        getLog().info("  Debian mirror: " + Sources.debianMirror(config) + ", keyring "
                + Sources.keyringOrigin(config));
        String sde = System.getenv("SOURCE_DATE_EPOCH");
        getLog().info("  timestamp: " + timestamp() + " ("
                + (outputTimestamp != null && !outputTimestamp.isBlank()
                        ? "project.build.outputTimestamp"
                        : sde != null && !sde.isBlank()
                                ? "SOURCE_DATE_EPOCH"
                                : "neither project.build.outputTimestamp nor SOURCE_DATE_EPOCH is set: the epoch")
                + ")");
        getLog().info("  build dir: " + buildDir() + ", out dir: " + outDir() + ", cache: " + cacheDir(config));
        for (Arch a : config.arches()) {
            getLog().info("  " + a.linux() + " tools artifact: io.captainos:captainos-tools:<version>:tar.zst:"
                    + a.classifier());
        }
        getLog().info("Settings (value, origin):");
        for (Setting s : Settings.all()) {
            Settings.Value v = config.settings().resolve(s);
            getLog().info(String.format(
                    "  %-26s %-19s = %-22s [%s]",
                    s.property(),
                    s.env() == null ? "" : s.env(),
                    v.value().isEmpty() ? "\"\"" : v.value(),
                    v.origin()));
        }
    }
}
