package io.captainos.maven.extensions;

import io.captainos.core.Stage;
import javax.inject.Named;
import javax.inject.Singleton;

/** The lifecycle of packaging {@code captain-iso}: {@code package} runs {@code captain:iso}. */
@Singleton
@Named("captain-iso")
public final class IsoLifecycleMapping extends StageLifecycleMapping {
    public IsoLifecycleMapping() {
        super(Stage.ISO);
    }
}
