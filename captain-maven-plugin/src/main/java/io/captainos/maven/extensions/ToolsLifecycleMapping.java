package io.captainos.maven.extensions;

import io.captainos.core.Stage;
import javax.inject.Named;
import javax.inject.Singleton;

/** The lifecycle of packaging {@code captain-tools}: {@code package} runs {@code captain:tools}. */
@Singleton
@Named("captain-tools")
public final class ToolsLifecycleMapping extends StageLifecycleMapping {
    public ToolsLifecycleMapping() {
        super(Stage.TOOLS);
    }
}
