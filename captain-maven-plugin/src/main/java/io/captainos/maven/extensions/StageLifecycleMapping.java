package io.captainos.maven.extensions;

import io.captainos.core.Stage;
import javax.inject.Provider;
import org.apache.maven.lifecycle.mapping.LifecycleMapping;

/** Provides the lifecycle of one stage's packaging type (see {@link CaptainPackaging#lifecycle}). */
abstract class StageLifecycleMapping implements Provider<LifecycleMapping> {
    private final LifecycleMapping mapping;

    StageLifecycleMapping(Stage stage) {
        this.mapping = CaptainPackaging.lifecycle(stage);
    }

    @Override
    public LifecycleMapping get() {
        return mapping;
    }
}
