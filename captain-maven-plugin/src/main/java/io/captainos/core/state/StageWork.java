package io.captainos.core.state;

import java.io.IOException;

/**
 * One stage's work for one arch, as the pipeline runs it: what it reads (by content), where its results go, and how
 * it makes them. The pipeline decides whether it must run, and records, verifies and publishes what it made.
 */
public abstract class StageWork {
    private final StageOutputs outputs;

    protected StageWork(StageOutputs outputs) {
        this.outputs = outputs;
    }

    /** Where the results go. */
    public final StageOutputs outputs() {
        return outputs;
    }

    /** The inputs by content; this is where a stage resolves its sources. Called once, before anything else. */
    public abstract InputHash inputs();

    /** What the log says when the stage builds, after its label: {@code building 6.12.57 from debian}. */
    public abstract String plan();

    /**
     * Makes every file of {@link #outputs()} in its folder, each written atomically.
     *
     * @return the kernel version the files are for when the outputs are versioned, else null
     */
    public abstract String build() throws IOException;

    /** What to log about the finished (or up-to-date) results, such as a manifest; nothing by default. */
    public void report(boolean built) {}

    /** The inputs every stage has: its name and, for one arch, the arch. */
    protected final InputHash stageInputs() {
        InputHash inputs = new InputHash().value("stage", outputs.stage());
        return outputs.arch() == null
                ? inputs
                : inputs.value("arch", outputs.arch().debian());
    }
}
