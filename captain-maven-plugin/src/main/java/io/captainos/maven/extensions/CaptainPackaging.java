package io.captainos.maven.extensions;

import io.captainos.core.Stage;
import io.captainos.maven.PluginInfo;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.maven.lifecycle.mapping.DefaultLifecycleMapping;
import org.apache.maven.lifecycle.mapping.Lifecycle;
import org.apache.maven.lifecycle.mapping.LifecycleMapping;
import org.apache.maven.lifecycle.mapping.LifecyclePhase;

/**
 * The packaging types of the artifact modules, one per stage: {@code captain-kernel}, {@code captain-tools},
 * {@code captain-initramfs} and {@code captain-iso}, and {@code captain-release} for the OCI images. Each binds its stage goal to {@code package}, and the
 * standard install and deploy goals to their phases. A module of these types has no main file: its POM is its
 * main artifact and every file is attached with an arch classifier.
 */
public final class CaptainPackaging {
    static final String INSTALL = "org.apache.maven.plugins:maven-install-plugin:3.1.4:install";
    static final String DEPLOY = "org.apache.maven.plugins:maven-deploy-plugin:3.1.4:deploy";

    private CaptainPackaging() {}

    /** The packaging name of a stage's module. */
    public static String packaging(Stage stage) {
        return "captain-" + stage.id();
    }

    /** The default lifecycle of a stage's module. */
    public static LifecycleMapping lifecycle(Stage stage) {
        return lifecycle(PluginInfo.goal(stage.id()), DEPLOY);
    }

    /**
     * The lifecycle of {@code captain-release}: {@code package} writes the OCI layout, {@code deploy} deploys the
     * files and then publishes the images (which does nothing without a registry).
     */
    public static LifecycleMapping releaseLifecycle() {
        return lifecycle(PluginInfo.goal("oci-layout"), DEPLOY + "," + PluginInfo.goal("publish"));
    }

    private static LifecycleMapping lifecycle(String packageGoal, String deployGoals) {
        Map<String, LifecyclePhase> phases = new LinkedHashMap<>();
        phases.put("package", new LifecyclePhase(packageGoal));
        phases.put("install", new LifecyclePhase(INSTALL));
        phases.put("deploy", new LifecyclePhase(deployGoals));
        Lifecycle lifecycle = new Lifecycle();
        lifecycle.setId("default");
        lifecycle.setLifecyclePhases(phases);
        return new DefaultLifecycleMapping(List.of(lifecycle));
    }
}
