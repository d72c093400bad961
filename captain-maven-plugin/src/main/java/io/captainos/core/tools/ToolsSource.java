package io.captainos.core.tools;

import io.captainos.core.Arch;
import io.captainos.core.state.InputHash;
import java.nio.file.Path;
import java.util.List;

/** Where the tools bundle's binaries come from. */
public interface ToolsSource {
    /** The source's name in settings and manifests: {@code debian} or {@code upstream}. */
    String id();

    /** Adds everything that decides this source's output for an arch to the stage inputs. */
    void describe(Arch arch, InputHash inputs);

    /** Places the verified binaries under {@code root} at their bundle paths and returns their manifest rows. */
    List<ToolFile> stage(Arch arch, Path root, Path scratch);
}
