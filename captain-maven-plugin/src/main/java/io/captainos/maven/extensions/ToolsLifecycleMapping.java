package io.captainos.maven.extensions;

import io.captainos.core.Stage;
import javax.inject.Named;
import javax.inject.Provider;
import javax.inject.Singleton;
import org.apache.maven.lifecycle.mapping.LifecycleMapping;

/** The lifecycle of packaging {@code captain-tools}: {@code package} runs {@code captain:tools}. */
@Singleton
@Named("captain-tools")
public final class ToolsLifecycleMapping implements Provider<LifecycleMapping> {
    private final LifecycleMapping mapping = CaptainPackaging.lifecycle(Stage.TOOLS);

    @Override
    public LifecycleMapping get() {
        return mapping;
    }
}
