package io.captainos.core.exec;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/** One program run of a stage: arguments, working folder and extra environment. */
public record Command(List<String> args, Path directory, Map<String, String> environment) {
    public Command {
        args = List.copyOf(args);
        environment = Map.copyOf(environment);
    }

    public static Command of(Path directory, String... args) {
        return new Command(List.of(args), directory, Map.of());
    }

    public String display() {
        return String.join(" ", args);
    }
}
